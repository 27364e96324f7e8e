"""Run records: reading them, and the table of their seconds that the runner prints."""

from __future__ import annotations

import json
from pathlib import Path

from imgclf import hardware


def load_records(out_dir: Path | str) -> list[dict]:
    """The run records in `out_dir`, in chapter order."""
    records = []
    for path in sorted(Path(out_dir).glob("[0-9][0-9]-*.json")):
        try:
            record = json.loads(path.read_text())
        except ValueError as error:
            raise ValueError(f"{path} is not a readable run record ({error}); run its notebook "
                             f"again (python -m imgclf.course run-notebooks) to replace "
                             f"it") from None
        if not isinstance(record, dict) or not {"notebook", "metrics"} <= set(record):
            raise ValueError(f"{path} is not a run record: it lacks 'notebook' and 'metrics'")
        records.append(record)
    return records


#: How long a chapter should take, in seconds on the development machine (2 cores of an AMD
#: EPYC, TensorFlow; calibration `REFERENCE_CALIBRATION_S`), per profile. Printed beside each
#: run, scaled by the machine's calibration, never asserted: machines differ fivefold.
BUDGET_S = {"smoke": 60.0, "quick": 150.0}
#: `imgclf.hardware.calibrate()` (version 2) on that machine with TensorFlow: the median (0.124 s)
#: of 26 readings on 2026-12-01, ten in processes of their own and 16 around the chapters of a
#: quick book; they ranged from 0.107 to 0.164 s (benchmarks/RESULTS.md).
REFERENCE_CALIBRATION_S = 0.125
#: The calibration compares like with like only on the reference's engine and without a GPU:
#: its steps took 0.58-0.65 s on JAX on that CPU (version 1's: 0.65 s, and 0.03-0.04 s on an
#: H200).
REFERENCE_BACKEND = "tensorflow"


def calibration_version(record: dict) -> int | None:
    """The version of `imgclf.hardware.calibrate` that measured the record's calibration (1
    for the records that predate versions), or None without one."""
    calibration = record.get("calibration") or {}
    return calibration.get("version", 1) if calibration.get("seconds") else None


def on_reference_engine(record: dict) -> bool:
    """Whether the record ran as the reference calibration did: on `REFERENCE_BACKEND`, on a
    machine without a GPU."""
    return (record.get("versions", {}).get("keras_backend") == REFERENCE_BACKEND
            and not record.get("hardware", {}).get("gpus"))


def comparable(record: dict) -> bool:
    """Whether the record's calibration can be set beside the reference machine's: measured
    by today's calibration (`imgclf.hardware.CALIBRATION_VERSION`) on the reference's engine
    (`on_reference_engine`)."""
    return (calibration_version(record) == hardware.CALIBRATION_VERSION
            and on_reference_engine(record))


def calibrated_seconds(record: dict) -> float | None:
    """The record's seconds scaled to the development machine's speed (its seconds times
    the reference calibration over its own), or None without a calibration comparable with
    the reference's (`comparable`)."""
    if not comparable(record):
        return None
    measured = record["calibration"]["seconds"]
    return record["seconds"] * REFERENCE_CALIBRATION_S / measured


def seconds_table(records: list[dict]) -> str:
    """One line per notebook: its seconds, the seconds scaled to the reference machine, its
    profile's budget, data set and metrics; then the machine's calibration."""
    lines = [f"{'notebook':28} {'seconds':>8} {'scaled':>7} {'budget':>12}  profile  "
             f"dataset        metrics"]
    for r in records:
        metrics = ", ".join(f"{k}={v:.4g}" for k, v in r["metrics"].items())
        scaled = calibrated_seconds(r)
        budget = BUDGET_S.get(r["profile"])
        verdict = ("" if budget is None or scaled is None
                   else f"{budget:.0f} {'ok' if scaled <= budget else 'OVER'}")
        lines.append(f"{r['notebook']:28} {r['seconds']:8.1f} "
                     f"{'' if scaled is None else f'{scaled:.1f}':>7} {verdict:>12}  "
                     f"{r['profile']:7}  {r['dataset']:13}  {metrics}")
    lines.append(f"{'total':28} {sum(r['seconds'] for r in records):8.1f}")
    calibrations = sorted({(r.get("calibration") or {}).get("seconds") for r in records} - {None})
    if calibrations:
        lines.append(
            f"Calibration: {', '.join(f'{c:g}' for c in calibrations)} s for 10 training steps "
            f"of a fixed small CNN (the reference machine: {REFERENCE_CALIBRATION_S:g} s); "
            f"'scaled' is the seconds at the reference machine's speed, compared with the "
            f"profile's budget per chapter (printed, not enforced).")
    return "\n".join(lines)
