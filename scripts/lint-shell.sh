#!/usr/bin/env bash
# Every shell script of the repository (tracked files whose first line names sh or bash):
# bash -n (or sh -n) for syntax, then shellcheck. Without shellcheck the second check is
# skipped with a warning, unless IMGCLF_REQUIRE_TOOLS=1 (CI), where it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts=()
while IFS= read -r path; do
  [ -f "$path" ] || continue
  if head -n 1 "$path" | grep -Eq '^#!.*(/|env )(ba)?sh\b'; then
    scripts+=("$path")
  fi
done < <(git ls-files)
[ "${#scripts[@]}" -gt 0 ] || { echo "lint-shell: no shell scripts found" >&2; exit 1; }

status=0
for script in "${scripts[@]}"; do
  shell="sh"
  if head -n 1 "$script" | grep -q bash; then shell="bash"; fi
  "$shell" -n "$script" || { echo "lint-shell: $shell -n failed on $script" >&2; status=1; }
done

if command -v shellcheck >/dev/null 2>&1; then
  shellcheck --external-sources "${scripts[@]}" || status=1
elif [ "${IMGCLF_REQUIRE_TOOLS:-}" = 1 ]; then
  echo "lint-shell: shellcheck is not installed (Debian: apt-get install shellcheck)" >&2
  status=1
else
  echo "lint-shell: warning: shellcheck is not installed; only the syntax was checked" >&2
fi
[ "$status" = 0 ] && echo "lint-shell: ${#scripts[@]} scripts pass (${scripts[*]})"
exit "$status"
