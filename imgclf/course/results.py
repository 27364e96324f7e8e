"""The results page: what ran where, generated from the run records kept in the repository.

`keep(runs_dir, profile)` copies a run's records (`_build/runs/<profile>/*.json`) into
`book/results/<profile>/`, replacing the previous ones of that profile; `write()` renders
`book/results.md` from every kept profile. `python -m imgclf.course results --keep PROFILE`
does both.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from imgclf import atomic, hardware
from imgclf import spread as spreads
from imgclf.course import expected
from imgclf.course.records import (
    REFERENCE_BACKEND,
    REFERENCE_CALIBRATION_S,
    calibrated_seconds,
    comparable,
    load_records,
    on_reference_engine,
)

KEPT = Path("book") / "results"
PAGE = Path("book") / "results.md"
#: Runs that were not kept, and why (written by hand): the history the chapters' headers leave
#: out, shown at the end of the page.
UNKEPT = KEPT / "unkept.md"
PROFILE_ORDER = ("full", "quick", "smoke")
WHERE = {"full": "a GPU", "quick": "a CPU", "smoke": "a CPU, on the shipped sample"}


def keep(runs_dir: Path | str, profile: str, root: Path | str = ".") -> Path:
    """Replace the kept records of `profile` with those in `runs_dir`, each checked against
    the expected ranges and claims of `root/notebooks/expected.toml`; return their folder.

    Raises:
        FileNotFoundError: `runs_dir` holds no run records.
        ValueError: a record of another profile than `profile`.
    """
    records = load_records(runs_dir)
    if not records:
        raise FileNotFoundError(f"no run records (NN-topic.json) in {runs_dir}: run the "
                                f"notebooks first (python -m imgclf.course run-notebooks)")
    other = [r["notebook"] for r in records if r["profile"] != profile]
    if other:
        raise ValueError(f"{runs_dir} holds records of another profile than {profile}: "
                         f"{', '.join(other)}")
    target = Path(root) / KEPT / profile
    target.parent.mkdir(parents=True, exist_ok=True)
    # Stage the new set beside the old and swap, so an interruption never mixes two runs.
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        staged = Path(scratch) / profile
        staged.mkdir()
        for record in records:
            # Checked again against today's ranges and claims: a run recorded before they
            # were set (or changed) shows how it compares with them.
            record["expected"] = expected.check(record, Path(root) / "notebooks")
            (staged / f"{record['notebook']}.json").write_text(
                json.dumps(record, indent=1, sort_keys=True) + "\n")
        if target.exists():
            shutil.rmtree(target)
        staged.replace(target)
    return target


def _machine(records: list[dict]) -> str:
    first = records[0]
    hardware, versions = first["hardware"], first["versions"]
    gpus = ", ".join(hardware.get("gpus") or []) or "no GPU"
    backend = versions.get("keras_backend")
    flags = hardware.get("cpu_flags")
    isa = ("instruction sets not recorded" if flags is None
           else f"{'with' if 'avx512f' in flags else 'without'} AVX-512 "
                f"({', '.join(flags) or 'none of those recorded'})")
    return (f"{gpus}; {hardware['cpu']} ({hardware['cpu_cores']} cores, {isa}); Python "
            f"{versions['python']}, Keras {versions['keras']} on {backend} "
            f"{versions.get(backend) or ''}, NumPy {versions['numpy']}".replace(" ,", ","))


def _calibration(records: list[dict]) -> str:
    figures = sorted({(r.get("calibration") or {}).get("seconds") for r in records} - {None})
    if not figures:
        return ("Machine calibration: not measured (these records predate it), so the "
                "seconds cannot be compared with another machine's.")
    shown = " and ".join(f"{f:g} s" for f in figures)
    what = (f"{records[0]['calibration']['what']}; `imgclf.hardware.calibrate`")
    if not all(on_reference_engine(r) for r in records):
        return (f"Machine calibration: {shown} ({what}), on "
                f"{records[0]['versions'].get('keras_backend')} "
                f"{'and a GPU' if records[0]['hardware'].get('gpus') else 'without a GPU'}. The "
                f"development machine's {REFERENCE_CALIBRATION_S:g} s was measured with "
                f"{REFERENCE_BACKEND} on a CPU, so no *scaled* seconds are given here.")
    if not all(comparable(r) for r in records):
        return (f"Machine calibration: {shown} ({what}), by an earlier version of the "
                f"calibration than today's (version {hardware.CALIBRATION_VERSION}), which "
                f"the development machine's {REFERENCE_CALIBRATION_S:g} s was measured with, "
                f"so no *scaled* seconds are given here.")
    slowest, fastest = (REFERENCE_CALIBRATION_S / f for f in (figures[-1], figures[0]))
    speed = (f"{fastest:.2f}x" if f"{slowest:.2f}" == f"{fastest:.2f}"
             else f"{slowest:.2f}x to {fastest:.2f}x")
    return (f"Machine calibration: {shown} ({what}); the development machine takes "
            f"{REFERENCE_CALIBRATION_S:g} s, so this one ran at {speed} its speed. "
            f"*Scaled* is a chapter's seconds at the development machine's speed: a slow "
            f"machine shows a large ratio here, a slow chapter a large scaled time.")


def _sharing(records: list[dict]) -> str:
    shared = sorted({r.get("concurrent_chapters") or 1 for r in records})
    if shared == [1]:
        return "Each chapter ran alone on the machine."
    starts = [datetime.fromisoformat(r["started"]).timestamp() for r in records]
    span = max(start + r["seconds"] for start, r in zip(starts, records, strict=True)) \
        - min(starts)
    return (f"Chapters ran {' or '.join(map(str, shared))} at a time on the machine "
            f"(`scripts/gpu-run.sh`, `JOBS`), each in its own process: a chapter's seconds "
            f"include waiting for the card beside the others, so it alone would take less. "
            f"From the first chapter's start to the last one's end: {span:.0f} s of wall "
            f"clock for these {len(records)} chapters.")


def _metrics(record: dict) -> str:
    verdict = record.get("expected") or {}
    ranges = verdict.get("ranges", {})
    parts = []
    for name, value in record["metrics"].items():
        shown = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
        if name in ranges:
            low, high = ranges[name]
            mark = "✓" if low <= value <= high else "✗"
            shown += f" {mark} [{low:g}, {high:g}]"
        parts.append(f"{name.replace('_', ' ')}: {shown}")
    for claim, status in verdict.get("claims", {}).items():
        parts.append(f"claim: {claim.replace('_', ' ')}: {status}")
    return "<br>".join(parts)


def _gap(gap: float, fractions: bool) -> str:
    """A gap b - a as shown: in points of a percentage where the metrics are fractions."""
    return f"{100 * gap:+.1f} pt" if fractions else f"{gap:+.4g}"


def _comparison_cell(record: dict | None, a: str, b: str, claimed: bool, root: Path) -> str:
    """This run's gap b - a, the committed seeds' range and the verdict, for one profile."""
    if record is None or a not in record["metrics"] or b not in record["metrics"]:
        return "not run"
    spread = spreads.read(
        spreads.path(record["notebook"], record["profile"], record["dataset"],
                     root / "imgclf" / "spread"),
        record["notebook"], record["profile"], record["dataset"])
    gaps = spread.gaps(a, b)
    values = [record["metrics"][a], record["metrics"][b]]
    values += [v for name in (a, b) for v in spread.values.get(name, ())]
    fractions = all(-1 <= v <= 1 for v in values)  # accuracies, errors and their gaps
    run = _gap(record["metrics"][b] - record["metrics"][a], fractions)
    if not gaps:
        return f"{run}; one seed: no spread measured"
    seeds = (f"{_gap(min(gaps), fractions)} to {_gap(max(gaps), fractions)} over {len(gaps)} "
             f"seeds")
    if claimed:
        status = expected.judge(record, a, b, root / "imgclf" / "spread")
    else:
        status = ("the same one ahead in every seed" if all(g > 0 for g in gaps)
                  or all(g < 0 for g in gaps) else "the seeds disagree: cannot tell")
    return f"{run}; {seeds}: {status}"


def _comparisons(kept: dict[str, list[dict]], root: Path) -> list[str]:
    """The table of every claim and comparison the chapters make, each profile side by
    side: this run's gap, the seeds' range and the verdict."""
    shown = [p for p in PROFILE_ORDER if p in kept and p != "smoke"]
    if not shown:
        return []
    claimed, compared = expected.orders(root / "notebooks"), expected.compared(root / "notebooks")
    rows = {}  # (chapter, a, b) -> claimed?, in the order the chapters list them
    for profile in shown:
        for record in kept[profile]:
            key = f"{profile}/{record['dataset']}"
            claims = claimed.get(record["notebook"], {}).get(key, [])
            for a, b in compared.get(record["notebook"], {}).get(key, []):
                rows.setdefault((record["notebook"], a, b), (a, b) in claims)
    if not rows:
        return []
    lines = [
        "## Claims and their seed-to-seed spread", "",
        "Each comparison a chapter makes, in each profile: this run's gap (the second metric "
        "minus the first), the range of the same gap over the seeds committed in "
        "`imgclf/spread/` (`python -m imgclf.course noise`), and what follows. A *claim* (a "
        "source's order, first < second) holds only when every seed kept it; a *comparison* asks "
        "which came out ahead, with no claimed answer.", "",
        "| chapter | | first | second | " + " | ".join(f"`{p}`" for p in shown) + " |",
        "|---|---|---|---|" + "---|" * len(shown)]
    by_chapter = {p: {r["notebook"]: r for r in kept[p]} for p in shown}
    for (chapter, a, b), is_claim in sorted(rows.items()):
        cells = [_comparison_cell(by_chapter[p].get(chapter), a, b, is_claim, root)
                 for p in shown]
        lines.append(f"| {chapter} | {'claim' if is_claim else 'comparison'} | "
                     f"{a.replace('_', ' ')} | {b.replace('_', ' ')} | " + " | ".join(cells)
                     + " |")
    return [*lines, ""]


def _seconds_per_chapter(kept: dict[str, list[dict]]) -> list[str]:
    """The page's table of seconds: a row per chapter, a column per kept profile."""
    shown = [p for p in PROFILE_ORDER if p in kept]
    notebooks = sorted({r["notebook"] for records in kept.values() for r in records})
    seconds = {p: {r["notebook"]: r["seconds"] for r in kept[p]} for p in shown}
    lines = ["## Seconds per chapter", "",
             "| chapter | " + " | ".join(f"`{p}` (s)" for p in shown) + " |",
             "|---|" + "---:|" * len(shown)]
    for notebook in notebooks:
        cells = [f"{seconds[p][notebook]:.1f}" if notebook in seconds[p] else "not run"
                 for p in shown]
        lines.append(f"| {notebook} | " + " | ".join(cells) + " |")
    lines.append("| **all chapters** | " + " | ".join(
        f"**{sum(seconds[p].values()):.1f}**" if len(seconds[p]) == len(notebooks)
        else f"**{sum(seconds[p].values()):.1f}** ({len(seconds[p])} of {len(notebooks)} run)"
        for p in shown) + " |")
    return [*lines, ""]


def page(root: Path | str = ".") -> str:
    """The Markdown of book/results.md, from the records kept under book/results/."""
    root = Path(root)
    kept = {p: load_records(root / KEPT / p) for p in PROFILE_ORDER
            if (root / KEPT / p).is_dir()}
    kept = {p: records for p, records in kept.items() if records}
    lines = [
        "# Results: what ran where",
        "",
        "Every chapter reports its headline metrics when it runs; this page shows the latest "
        "recorded run of each profile, with the machine, the library versions, the seconds "
        "and the metrics, each beside the range expected of it (`notebooks/expected.toml`; "
        "a run outside its range fails). It is generated from the records in "
        "`book/results/` by `python -m imgclf.course results`.",
        "",
    ]
    if "full" not in kept:
        lines += ["```{note}", "No run of the `full` profile on a GPU has been recorded yet. "
                  "`python -m imgclf.course run-notebooks --profile full --nbval` runs it; "
                  "`python -m imgclf.course results --keep full` then records it here.", "```",
                  ""]
    if kept:
        lines += _seconds_per_chapter(kept)
    lines += _comparisons(kept, root)
    for profile in (p for p in PROFILE_ORDER if p in kept):
        records = kept[profile]
        started = sorted(r["started"] for r in records)
        lines += [
            f"## The `{profile}` profile, on {WHERE[profile]}", "",
            f"Run {started[0][:10]}"
            + (f" to {started[-1][:10]}" if started[-1][:10] != started[0][:10] else "")
            + f" on: {_machine(records)}.", "", _calibration(records), "",
            _sharing(records), "",
            "| chapter | data set | seconds | scaled | metrics (expected range) | check |",
            "|---|---|---:|---:|---|---|",
        ]
        for r in records:
            r["expected"] = expected.check(r, root / "notebooks")  # today's ranges and claims
            status = r["expected"]["status"]
            scaled = calibrated_seconds(r)
            lines.append(f"| {r['notebook']} | {r['dataset']} | {r['seconds']:.1f} | "
                         f"{'-' if scaled is None else f'{scaled:.1f}'} | "
                         f"{_metrics(r)} | {status} |")
        lines.append("")
    if (root / UNKEPT).is_file():
        lines += ["## Runs that were not kept", "",
                  "Runs whose records were not kept, and why; each chapter's header says only "
                  "what to expect.", "", (root / UNKEPT).read_text().strip(), ""]
    return "\n".join(lines)


def write(root: Path | str = ".") -> Path:
    """Render book/results.md from the kept records; return its path."""
    return atomic.write_bytes(Path(root) / PAGE, page(root).encode())
