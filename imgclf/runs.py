"""Run records: what a notebook ran with, how long it took and what it measured.

A notebook calls `report(settings, test_accuracy=...)` at its end. When the notebook is executed
by `run_notebooks`, the report goes to the file named by `$IMGCLF_RUN_METRICS`, and the runner
adds the notebook's name, its wall time and timestamps to make the run record.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from imgclf import atomic, expected, hardware
from imgclf.profiles import Settings, resolve
from imgclf.table import Table

METRICS_VARIABLE = "IMGCLF_RUN_METRICS"
# Profiles whose runs use deterministic kernels, so the same seed gives the same numbers:
# TensorFlow reads TF_DETERMINISTIC_OPS when the kernel starts (JAX is deterministic on CPUs).
DETERMINISTIC_PROFILES = ("smoke",)


def report(settings: Settings, **metrics: float) -> Table:
    """Record a notebook's headline metrics (numbers) with its settings, machine and versions.

    Returns a table of the metrics, for the notebook to show.
    """
    for key, value in metrics.items():
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"metric {key} must be a finite number, got {value!r}")
    payload = {
        "settings": asdict(settings),
        "metrics": {key: float(value) for key, value in metrics.items()},
        "hardware": hardware.describe(),
        "versions": hardware.versions(),
    }
    destination = os.environ.get(METRICS_VARIABLE)
    if destination:
        atomic.write_json(destination, payload)
    return Table.of(
        ["metric", "value"], [(key, float(v)) for key, v in metrics.items()],
        caption=f"Run summary ({settings.profile} profile, {settings.dataset})",
    )


def notebook_sources(folder: Path | str = "notebooks") -> list[Path]:
    """The notebooks' MyST sources, `NN-topic.md`, in chapter order."""
    sources = sorted(Path(folder).glob("[0-9][0-9]-*.md"))
    if not sources:
        raise FileNotFoundError(f"no notebooks (NN-topic.md) in {Path(folder).resolve()}")
    return sources


def inputs_digest(source: Path, profile: str, dataset: str | None = None) -> str:
    """A sha256 of what a run's outcome depends on: the notebook's source, the code of the
    imgclf package, the settings the profile resolves to, and the Keras backend."""
    import keras

    digest = hashlib.sha256(Path(source).read_bytes())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    settings = asdict(resolve(profile, dataset))
    digest.update(json.dumps([settings, keras.config.backend()], sort_keys=True).encode())
    return digest.hexdigest()


def reusable(source: Path, out_dir: Path, digest: str) -> dict | None:
    """The record of an earlier, finished run of `source` in `out_dir` with the same inputs,
    or None. A record that cannot be read, or whose executed notebook is missing, is not
    reused: the notebook runs again."""
    name = Path(source).stem
    try:
        record = json.loads((Path(out_dir) / f"{name}.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("inputs_sha256") != digest:
        return None
    return record if (Path(out_dir) / f"{name}.ipynb").is_file() else None


def execute(source: Path, out_dir: Path, profile: str, dataset: str | None = None) -> dict:
    """Execute one notebook with papermill in `profile` (and on `dataset` instead of the
    profile's); write it and its run record to `out_dir`.

    The executed notebook is `out_dir/<name>.ipynb`, the record `out_dir/<name>.json`; both are
    written only when the run succeeds (a failed run leaves `<name>.failed.ipynb` to read).
    The record's "expected" entry says whether the metrics are within the ranges of
    `notebooks/expected.toml` (see `imgclf.expected`). Returns the record.
    """
    import jupytext
    import papermill

    out_dir.mkdir(parents=True, exist_ok=True)
    name = source.stem
    digest = inputs_digest(source, profile, dataset)
    pending = out_dir / f".{name}.running.ipynb"
    metrics_file = out_dir / f".{name}.metrics.json"
    metrics_file.unlink(missing_ok=True)
    notebook = jupytext.read(source)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    kernel_environment = {METRICS_VARIABLE: str(metrics_file.resolve())}
    if resolve(profile, dataset).profile in DETERMINISTIC_PROFILES:
        kernel_environment["TF_DETERMINISTIC_OPS"] = "1"
    previous = {variable: os.environ.get(variable) for variable in kernel_environment}
    os.environ.update(kernel_environment)
    try:
        papermill.execute_notebook(
            notebook, str(pending),
            parameters={"profile": profile, **({"dataset": dataset} if dataset else {})},
            cwd=str(source.parent), progress_bar=False, kernel_name="python3",
            coalesce_streams=True,  # keep only the final state of each Keras progress bar
        )
    except Exception:
        if pending.exists():
            pending.replace(out_dir / f"{name}.failed.ipynb")
        raise
    finally:
        for variable, value in previous.items():
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value
    seconds = time.perf_counter() - clock
    if not metrics_file.exists():
        raise RuntimeError(f"{source} ran but never called imgclf.runs.report(...)")
    reported = json.loads(metrics_file.read_text())
    metrics_file.unlink()
    record = {
        "notebook": name,
        "requested_profile": profile,
        "profile": reported["settings"]["profile"],
        "dataset": reported["settings"]["dataset"],
        "seed": reported["settings"]["seed"],
        "seconds": round(seconds, 1),
        "started": started.isoformat(timespec="seconds"),
        "metrics": reported["metrics"],
        "hardware": reported["hardware"],
        "versions": reported["versions"],
        "inputs_sha256": digest,
        "deterministic_ops": "TF_DETERMINISTIC_OPS" in kernel_environment,
    }
    record["expected"] = expected.check(record, source.parent)
    pending.replace(out_dir / f"{name}.ipynb")
    (out_dir / f"{name}.failed.ipynb").unlink(missing_ok=True)
    atomic.write_json(out_dir / f"{name}.json", record)
    return record


def run_notebooks(profile: str, out_dir: Path | str, folder: Path | str = "notebooks",
                  only: list[str] | None = None, dataset: str | None = None,
                  reuse: bool = True) -> list[dict]:
    """Execute every notebook (or those whose name starts with one of `only`) in `profile`.

    With `reuse`, a notebook that already finished in `out_dir` with the same inputs (its
    source, the imgclf code, the settings, the backend: `inputs_digest`) is not run again, so
    a run that was interrupted goes on where it stopped. Prints one line per notebook as it
    finishes. Raises RuntimeError naming the notebooks that failed or whose metrics left
    their expected ranges, after trying all of them.
    """
    sources = notebook_sources(folder)
    if only:
        sources = [s for s in sources if any(s.stem.startswith(prefix) for prefix in only)]
        if not sources:
            raise ValueError(f"no notebook in {folder} starts with {', '.join(only)}")
    records, failures = [], []
    for source in sources:
        earlier = reuse and reusable(source, out_dir, inputs_digest(source, profile, dataset))
        if earlier:
            print(f"reusing {source} (finished {earlier['started']}, same inputs)", flush=True)
            earlier["expected"] = expected.check(earlier, source.parent)
        else:
            print(f"executing {source} (profile {profile}) ...", flush=True)
        try:
            record = earlier or execute(source, Path(out_dir), profile, dataset)
        except Exception as error:
            failures.append(f"{source.stem}: {str(error).strip().splitlines()[-1][:300]}")
            print(f"  FAILED: {failures[-1]}", flush=True)
            continue
        records.append(record)
        verdict = record["expected"]
        print(f"  {record['seconds']:.1f} s, {record['profile']} profile, "
              f"{record['dataset']}, {record['metrics']}, expected ranges: {verdict['status']}",
              flush=True)
        if verdict["status"] == "failed":
            failures.append(f"{source.stem}: " + "; ".join(verdict["problems"]))
            print(f"  UNEXPECTED: {failures[-1]}", flush=True)
    if failures:
        raise RuntimeError("notebooks that failed:\n  " + "\n  ".join(failures))
    return records


def nbval_check(folder: Path | str = "notebooks") -> None:
    """Re-execute the committed notebooks in the smoke profile with nbval and compare the
    outputs of their cells tagged `nbval-check-output` with the committed ones.

    Raises RuntimeError when a checked output differs or a cell fails.
    """
    import subprocess
    import sys

    command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
               "-p", "no:cacheprovider", "-q", str(folder)]
    print("nbval: " + " ".join(command[2:]), flush=True)
    done = subprocess.run(command, env={**os.environ, "IMGCLF_PROFILE": "smoke"})
    if done.returncode != 0:
        raise RuntimeError(f"nbval: the committed notebooks in {folder} did not reproduce "
                           f"their checked outputs (pytest exit status {done.returncode})")


def load_records(out_dir: Path | str) -> list[dict]:
    """The run records in `out_dir`, in chapter order."""
    records = []
    for path in sorted(Path(out_dir).glob("[0-9][0-9]-*.json")):
        try:
            record = json.loads(path.read_text())
        except ValueError as error:
            raise ValueError(f"{path} is not a readable run record ({error}); run its notebook "
                             f"again (python -m imgclf run-notebooks) to replace it") from None
        if not isinstance(record, dict) or not {"notebook", "metrics"} <= set(record):
            raise ValueError(f"{path} is not a run record: it lacks 'notebook' and 'metrics'")
        records.append(record)
    return records


def seconds_table(records: list[dict]) -> str:
    """One line per notebook: its seconds, profile, data set and metrics."""
    lines = [f"{'notebook':32} {'seconds':>8}  profile  dataset        metrics"]
    for r in records:
        metrics = ", ".join(f"{k}={v:.4g}" for k, v in r["metrics"].items())
        lines.append(f"{r['notebook']:32} {r['seconds']:8.1f}  {r['profile']:7}  "
                     f"{r['dataset']:13}  {metrics}")
    lines.append(f"{'total':32} {sum(r['seconds'] for r in records):8.1f}")
    return "\n".join(lines)
