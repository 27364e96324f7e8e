"""The seed-to-seed spread of the chapters' comparisons: `python -m imgclf.course noise`.

Each chapter that compares anything in a profile (an `order` or `compare` list in
`notebooks/expected.toml`) is executed once per seed, as the runner executes it for the book,
and the metrics of all seeds go into one record per chapter in `imgclf/spread/` (see
`imgclf.spread`), which the chapters' sentences and the expected-results check read. It is
not part of `make book`: a learner's run stays one seed.

A seed's finished run is kept in `_build/noise/<profile>/<dataset>/seed-<n>/`, so an
interrupted measurement goes on where it stopped (`fresh` runs every seed again).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from imgclf import atomic, hardware, plans
from imgclf import spread as spreads
from imgclf.course import execute, expected
from imgclf.profiles import resolve

WORK = Path("_build") / "noise"
DEFAULT_SEEDS = 3


def chapters(profile: str, dataset: str | None = None, folder: Path | str = "notebooks",
             only: list[str] | None = None) -> list[Path]:
    """The sources of the chapters that compare something in `profile` on `dataset` (the
    profile's data set unless given), in chapter order; with `only`, those among them whose
    names start with one of its prefixes.

    Raises:
        ValueError: `only` names no chapter that compares anything there.
    """
    settings = resolve(profile, dataset)
    key = f"{settings.profile}/{settings.dataset}"
    compared = expected.compared(folder)
    found = [source for source in execute.notebook_sources(folder, only)
             if compared.get(source.stem, {}).get(key)]
    if not found:
        raise ValueError(f"no chapter{' among ' + ', '.join(only) if only else ''} compares "
                         f"anything in {key} (no order or compare list in "
                         f"{Path(folder) / expected.EXPECTED_FILE})")
    return found


def _seed_run(source: Path, out_dir: Path, profile: str, dataset: str | None, seed: int,
              fresh: bool, calibration: dict | None) -> dict:
    """The record of `source` run with `seed`: an earlier finished one in `out_dir` unless
    `fresh`, else a new execution."""
    done = out_dir / f"{source.stem}.json"
    if not fresh and done.is_file():
        record = json.loads(done.read_text())
        if record.get("seed") == seed and record.get("profile") == resolve(profile).profile:
            print(f"  seed {seed}: reusing {done}", flush=True)
            return record
    print(f"  seed {seed}: executing {source} ...", flush=True)
    record = execute.execute(source, out_dir, profile, dataset, calibration, seed=seed)
    print(f"  seed {seed}: {record['seconds']:.0f} s", flush=True)
    return record


def _plan(chapter: str, profile: str, dataset: str | None) -> list[list]:
    """What the chapter trains on a CPU, where the seeds run (exercises apart): [label,
    parameters, images, epochs, batch] per network, so that a record can be told from a
    changed plan."""
    plan = plans.chapter(chapter, resolve(profile, dataset))
    return [[t.label, t.parameters, t.images, t.epochs, t.batch_size]
            for t in plan.run_all(gpu=False)]


def record_of(chapter: str, runs: list[dict], pairs: list[tuple[str, str]],
              plan: list[list]) -> dict:
    """The seed record of `chapter` from its runs (one per seed, same profile and data set)
    and the pairs it compares: seeds, values per metric, each metric's and each pair's spread
    (larger - smaller, or b - a for "a vs b"), the plan and the machine.

    Raises:
        ValueError: runs of different profiles or data sets, a repeated seed, or a metric
            not reported by every seed.
    """
    if not runs:
        raise ValueError(f"no runs of {chapter}")
    first = runs[0]
    where = {(r["profile"], r["dataset"]) for r in runs}
    if len(where) != 1:
        raise ValueError(f"runs of {chapter} in several profiles or data sets: {sorted(where)}")
    seeds = [r["seed"] for r in runs]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"runs of {chapter} repeat a seed: {seeds}")
    names = sorted(set.intersection(*(set(r["metrics"]) for r in runs)))
    lacking = sorted(set.union(*(set(r["metrics"]) for r in runs)) - set(names))
    if lacking:
        raise ValueError(f"not every seed of {chapter} reported {', '.join(lacking)}")
    values = {name: [r["metrics"][name] for r in runs] for name in names}
    comparisons = {}
    for a, b in pairs:
        gaps = [y - x for x, y in zip(values[a], values[b], strict=True)]
        comparisons[f"{b} - {a}"] = {**spreads.summary(gaps), "gaps": gaps,
                                     "verdict": spreads.verdict(None, gaps)}
    calibration = first.get("calibration") or {}
    gpus = ", ".join(first["hardware"].get("gpus") or []) or "no GPU"
    summary = (f"{first['hardware']['cpu']}, {first['hardware']['cpu_cores']} cores, {gpus}, "
               f"Keras {first['versions']['keras']} on {first['versions']['keras_backend']}"
               + (f", calibration {calibration['seconds']:g} s" if calibration else ""))
    return {
        "chapter": chapter, "profile": first["profile"], "dataset": first["dataset"],
        "seeds": seeds,
        "metrics": values,
        "spread": {name: spreads.summary(v) for name, v in values.items()},
        "comparisons": comparisons,
        "seconds": [r["seconds"] for r in runs],
        "plan": plan,
        "machine": {"summary": summary, "hardware": first["hardware"],
                    "calibration": calibration, "versions": first["versions"],
                    "concurrent_chapters": first.get("concurrent_chapters", 1)},
        "measured": datetime.now(UTC).date().isoformat(),
    }


def measure(profile: str, seeds: list[int], folder: Path | str = "notebooks",
            only: list[str] | None = None, dataset: str | None = None, fresh: bool = False,
            work: Path | str = WORK, target: Path | str = spreads.FOLDER) -> list[Path]:
    """Run every chapter that compares something in `profile` once per seed and write its
    seed record under `target`; return the records' paths.

    Raises:
        ValueError: fewer than `imgclf.spread.MIN_SEEDS` distinct seeds, or no chapter to run.
        RuntimeError: a chapter failed for some seed (the chapters before it are written).
    """
    if len(set(seeds)) < spreads.MIN_SEEDS or len(set(seeds)) != len(seeds):
        raise ValueError(f"give at least {spreads.MIN_SEEDS} different seeds, got {seeds}")
    settings = resolve(profile, dataset)
    key = f"{settings.profile}/{settings.dataset}"
    sources = chapters(profile, dataset, folder, only)
    pairs = expected.compared(folder)
    calibration = hardware.calibrate()
    print(f"calibration: {calibration['seconds']:g} s; {len(sources)} chapters x "
          f"{len(seeds)} seeds in {key}", flush=True)
    written = []
    for source in sources:
        print(f"{source.stem}:", flush=True)
        runs = [_seed_run(source, Path(work) / settings.profile / settings.dataset /
                          f"seed-{seed}", profile, dataset, seed, fresh, calibration)
                for seed in seeds]
        record = record_of(source.stem, runs, pairs[source.stem][key],
                           _plan(source.stem, profile, dataset))
        file = spreads.path(source.stem, settings.profile, settings.dataset, target)
        written.append(atomic.write_json(file, record))
        for pair, gaps in record["comparisons"].items():
            print(f"  {pair}: {gaps['low']:+.4g} to {gaps['high']:+.4g} ({gaps['verdict']})",
                  flush=True)
    return written
