"""Executing the notebooks: papermill, one kernel per notebook, a run record for each.

The runner adds to what the notebook reported (`imgclf.runs.report`) its name, its wall
time, timestamps, the machine's calibration and whether its metrics are in their expected
ranges, and writes the executed notebook and the record atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from imgclf import atomic, hardware, runs
from imgclf.course import expected
from imgclf.course.cache import inputs_digest, installed_versions, reusable
from imgclf.profiles import Settings, resolve

# Profiles whose runs use deterministic kernels, so the same seed gives the same numbers:
# TensorFlow reads TF_DETERMINISTIC_OPS when the kernel starts (JAX is deterministic on CPUs).
DETERMINISTIC_PROFILES = ("smoke",)
CONCURRENT_VARIABLE = "IMGCLF_CONCURRENT_CHAPTERS"


def notebook_sources(folder: Path | str = "notebooks",
                     only: list[str] | None = None) -> list[Path]:
    """The notebooks' MyST sources, `NN-topic.md`, in chapter order; with `only`, those whose
    names start with one of its prefixes ("05", "05-topic").

    Raises:
        FileNotFoundError: no notebook in `folder`.
        ValueError: no notebook starts with any prefix of `only`.
    """
    sources = sorted(Path(folder).glob("[0-9][0-9]-*.md"))
    if not sources:
        raise FileNotFoundError(f"no notebooks (NN-topic.md) in {Path(folder).resolve()}")
    if only:
        sources = [s for s in sources if any(s.stem.startswith(prefix) for prefix in only)]
        if not sources:
            raise ValueError(f"no notebook in {folder} starts with {', '.join(only)}")
    return sources


@contextlib.contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    """`variables` set in this process (the kernel inherits them), and restored after."""
    previous = {variable: os.environ.get(variable) for variable in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for variable, value in previous.items():
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value


def _papermill(source: Path, pending: Path, failed: Path, parameters: dict,
               kernel: str) -> None:
    """Execute `source` into `pending` with the Jupyter kernel named `kernel` (a failed run's
    notebook goes to `failed`, to read)."""
    import jupytext
    import papermill

    try:
        papermill.execute_notebook(
            jupytext.read(source), str(pending), parameters=parameters,
            cwd=str(source.parent), progress_bar=False, kernel_name=kernel,
            coalesce_streams=True,  # keep only the final state of each Keras progress bar
        )
    except Exception:
        if pending.exists():
            pending.replace(failed)
        raise
    # Given the notebook itself, papermill records all of it as its "input_path": a second
    # copy of the chapter, solutions included, in every executed notebook. Its path instead:
    executed = json.loads(pending.read_text())
    executed["metadata"].get("papermill", {})["input_path"] = str(source)
    pending.write_text(json.dumps(executed, indent=1, ensure_ascii=False) + "\n")


def around(before: dict, after: dict) -> dict:
    """One calibration for a notebook from the readings before and after it: their mean.

    This machine's reading moved between 0.052 and 0.080 s within a minute and a half, with
    readings a few seconds apart agreeing within a tenth (2026-11-30): the speed of a shared
    machine drifts over tens of seconds, so one reading at the start of a run of many minutes
    says little about a chapter late in it; a reading on each side of the chapter follows it.
    """
    readings = [*before.get("readings", [before["seconds"]]), after["seconds"]]
    return {**after, "seconds": round(sum(readings) / len(readings), 4),
            "readings": readings,
            "what": f"{after['what']}; the mean of readings before and after the notebook"}


def execute(source: Path, out_dir: Path, profile: str, dataset: str | None = None,
            calibration: dict | None = None, digest: str | None = None,
            seed: int | None = None, kernel: str = "python3",
            settings: Settings | None = None) -> dict:
    """Execute one notebook with papermill in `profile` (and on `dataset` instead of the
    profile's, with `seed` instead of the notebook's); write it and its run record to
    `out_dir`. `calibration`, the machine's speed (`imgclf.hardware.calibrate()`) measured
    before the notebook, goes into the record with a second reading taken after it
    (`around`); `digest`, the
    run's `inputs_digest` (computed here unless given); `kernel`, the Jupyter kernel that
    runs it (another environment's Python: `imgclf.course.colablike.kernel`); `settings`,
    the profile's settings, resolved once by the caller (here unless given).

    The runner and the notebook meet through two files, the run context in and the run result
    out (their schemas: `imgclf.runs`).

    The executed notebook is `out_dir/<name>.ipynb`, the record `out_dir/<name>.json`; both are
    written only when the run succeeds (a failed run leaves `<name>.failed.ipynb` to read).
    The record's "expected" entry says whether the metrics are within the ranges of
    `notebooks/expected.toml` (see `imgclf.course.expected`). Returns the record.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    name = source.stem
    settings = settings or resolve(profile, dataset, seed)
    digest = digest or inputs_digest(source, profile, dataset, settings=settings)
    pending = out_dir / f".{name}.running.ipynb"
    context_file = out_dir / f".{name}.context.json"
    result_file = (out_dir / f".{name}.result.json").resolve()
    result_file.unlink(missing_ok=True)
    atomic.write_json(context_file, {"schema": runs.CONTEXT_SCHEMA, "notebook": name,
                                     "settings": asdict(settings), "result": str(result_file)})
    started = datetime.now(UTC)
    clock = time.perf_counter()
    kernel_environment = {runs.CONTEXT_VARIABLE: str(context_file.resolve())}
    if settings.profile in DETERMINISTIC_PROFILES:
        kernel_environment["TF_DETERMINISTIC_OPS"] = "1"
    parameters = {"profile": profile, **({"dataset": dataset} if dataset else {}),
                  **({"seed": seed} if seed is not None else {})}
    try:
        with environment(kernel_environment):
            _papermill(source, pending, out_dir / f"{name}.failed.ipynb", parameters, kernel)
    finally:
        context_file.unlink(missing_ok=True)
    seconds = time.perf_counter() - clock
    if calibration is not None:
        calibration = around(calibration, hardware.calibrate())
    if not result_file.exists():
        raise RuntimeError(f"{source} ran but never called imgclf.runs.report(...)")
    result = atomic.read_json(result_file, f"run {source} again (its kernel stopped while "
                                           f"imgclf.runs.report wrote it?)")
    result_file.unlink()
    if result.get("schema") != runs.RESULT_SCHEMA:
        raise RuntimeError(f"{source} reported a result of schema {result.get('schema')!r}, "
                           f"not {runs.RESULT_SCHEMA}: its imgclf is not this one's")
    record = _record(name, profile, result, seconds, started, calibration, digest,
                     deterministic="TF_DETERMINISTIC_OPS" in kernel_environment)
    record["expected"] = expected.check(record, source.parent)
    pending.replace(out_dir / f"{name}.ipynb")
    (out_dir / f"{name}.failed.ipynb").unlink(missing_ok=True)
    atomic.write_json(out_dir / f"{name}.json", record)
    return record


def _record(name: str, profile: str, reported: dict, seconds: float,
            started: datetime, calibration: dict | None, digest: str,
            deterministic: bool) -> dict:
    """The run record of one executed notebook (without its "expected" verdict)."""
    return {
        "notebook": name,
        "requested_profile": profile,
        "profile": reported["settings"]["profile"],
        "dataset": reported["settings"]["dataset"],
        "seed": reported["settings"]["seed"],
        "seconds": round(seconds, 1),
        "started": started.isoformat(timespec="seconds"),
        "metrics": reported["metrics"],
        # Every training the notebook ran (imgclf.runs.RecordTraining).
        "trainings": reported["trainings"],
        "hardware": reported["hardware"],
        "calibration": calibration,
        "versions": reported["versions"],
        # How this machine trained (imgclf.fastest.describe); absent in older results.
        "training_path": reported.get("training_path"),
        "inputs_sha256": digest,
        "deterministic_ops": deterministic,
        # Chapters executed at once on this machine (scripts/gpu-run.sh's JOBS): the seconds
        # of one that shared the machine are longer than it alone would take.
        "concurrent_chapters": int(os.environ.get(CONCURRENT_VARIABLE) or 1),
        # A precision forced for a rehearsal of another machine's path (make test-t4).
        "forced_precision": os.environ.get(hardware.PRECISION_VARIABLE) or None,
    }


def run_notebooks(profile: str, out_dir: Path | str, folder: Path | str = "notebooks",
                  only: list[str] | None = None, dataset: str | None = None,
                  reuse: bool = True, kernel: str = "python3") -> list[dict]:
    """Execute every notebook (or those whose name starts with one of `only`) in `profile`,
    each in a fresh kernel named `kernel`.

    With `reuse`, a notebook that already finished in `out_dir` with the same inputs (its
    source, the imgclf code, the settings, the backend, the installed libraries:
    `inputs_digest`) is not run again, so a run that was interrupted goes on where it
    stopped. The digest sees this environment's libraries: a caller that runs another
    environment's `kernel` passes `reuse=False` (`colablike.run_chapters`). Before and after
    each notebook it executes, it measures the machine's speed (`imgclf.hardware.calibrate`,
    `around`) for its record; a notebook executed right after another takes that one's last
    reading as its first. Prints one line per notebook as it
    finishes. Raises RuntimeError naming the notebooks that failed or whose metrics left
    their expected ranges, after trying all of them.
    """
    sources = notebook_sources(folder, only)
    records, failures = [], []
    versions, settings = installed_versions(), resolve(profile, dataset)
    last_reading = None
    for source in sources:
        digest = inputs_digest(source, profile, dataset, versions, settings)
        earlier = reuse and reusable(source, out_dir, digest)
        calibration = None if earlier else (last_reading or hardware.calibrate())
        last_reading = None
        if earlier:
            print(f"reusing {source} (finished {earlier['started']}, same inputs)", flush=True)
            earlier["expected"] = expected.check(earlier, source.parent)
        else:
            print(f"executing {source} (profile {profile}) ...", flush=True)
        try:
            record = earlier or execute(source, Path(out_dir), profile, dataset, calibration,
                                        digest, kernel=kernel, settings=settings)
        except Exception as error:
            failures.append(f"{source.stem}: {str(error).strip().splitlines()[-1][:300]}")
            print(f"  FAILED: {failures[-1]}", flush=True)
            continue
        records.append(record)
        if not earlier:
            last_reading = reading_after(record)
        verdict = record["expected"]
        print(f"  {record['seconds']:.1f} s (calibration {_readings(record)}), "
              f"{record['profile']} profile, "
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


def reading_after(record: dict) -> dict | None:
    """The calibration reading taken just after the record's notebook, as the next notebook's
    reading before it: the two would be taken seconds apart, at a second or more each."""
    calibration = record.get("calibration")
    if not calibration or not calibration.get("readings"):
        return None
    last = calibration["readings"][-1]
    return {**calibration, "seconds": last, "readings": [last]}


def _readings(record: dict) -> str:
    """The calibration readings of a record, as "0.061 s (0.058, 0.064)"."""
    calibration = record.get("calibration") or {}
    if not calibration:
        return "not measured"
    readings = ", ".join(f"{r:g}" for r in calibration.get("readings", []))
    return f"{calibration['seconds']:g} s" + (f" ({readings})" if readings else "")
