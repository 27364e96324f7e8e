"""Expected results: each chapter's headline metrics must fall in the ranges kept next to the
notebooks (`notebooks/expected.toml`), per profile and data set; the claims listed there (an
`order` list: "plain20_training_error < plain56_training_error") are judged against the
seed-to-seed spread committed in `imgclf.spread`.

A quick or full run outside its range fails; a smoke run is checked only for sanity (finite
numbers; accuracies and error rates in [0, 1]), as 1,500 images give no stable result. A claim
fails the run only where the committed seeds support it (every seed kept the order) and the
run reverses it, or where every seed reversed it; where the seeds disagree it is recorded as
"not distinguishable at this profile", and without seeds as "one seed".

A `compare` list ("metric vs metric") names the comparisons a chapter reports without a
claimed answer (which of two networks came out ahead): they are not checked, but the seed
runs (`python -m imgclf.course noise`) measure their spread too.

Each chapter keeps its own ranges, in its module (`imgclf.chapters`, `EXPECTED`);
`notebooks/expected.toml` is generated from them (`generated`, written by `python -m
imgclf.course expected --write`, which `make sync` runs), and a test keeps it up to date.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

from imgclf import spread as spreads

EXPECTED_FILE = "expected.toml"
HEADER = """\
# Expected headline metrics of every chapter, per profile and data set. GENERATED from each
# chapter's module (imgclf/chapters/*.py, EXPECTED) by `python -m imgclf.course expected
# --write` (make sync): edit the module, not this file.
#
# `python -m imgclf.course run-notebooks` checks each run against these ranges: in the quick
# and full profiles a metric outside its range fails the run; in the smoke profile (numbers
# from 1,500 images are not meaningful) only that every metric is finite and that accuracies
# and error rates lie in [0, 1]. A profile and data set without a section here is reported as
# unchecked.
#
# Each range is wide enough for other seeds and machines; the comment gives what was measured,
# from which it was set: quick on the development machine (2 CPU cores, TensorFlow 2.21,
# Keras 3.15.1); full on one NVIDIA H200 (JAX 0.11.2, Keras 3.15.1, bfloat16, 4 to 8 chapters
# sharing the card; scripts/gpu-run.sh on 2026-11-26 and 27, logs in benchmarks/gpu-runs/).
# The full profile's ranges were measured twice on one H200: on 2026-11-26 (4 or 5 chapters
# sharing the card) and on 2026-11-27 (all eight at once; the second number). 02, 06 and 08 ran
# only on 2026-11-27. The metrics added after that run (the dropout gaps and VGGSmall of
# chapter 3, the gradient ratios of chapters 4 and 5, the multiply-add ratio of chapter 6, the
# 1- and 100-label points of chapter 8) get their full ranges with the next GPU run; until then
# only the quick profile checks them.
# `order` lists the claims of the chapter's sources, as "metric < metric"; `compare` lists the
# comparisons it reports without a claimed answer, as "metric vs metric". Both are measured
# over seeds by `python -m imgclf.course noise` (records in imgclf/spread/). A claim fails a
# run only where every committed seed kept it and the run reverses it; where the seeds disagree, the
# check records "not distinguishable at this profile" and the page says so. Ranges are never
# widened to hide a claim a run does not reproduce.
"""
SECTION = re.compile(r'^\["(?P<run>[^"]+)"\]$', re.M)
ORDER_KEY = "order"  # a list of "metric < metric" (or ">"): the claims a run is judged on
COMPARE_KEY = "compare"  # a list of "metric vs metric": compared, with no claimed answer
# How a claim stands in a run's verdict, by imgclf.spread's verdict.
HOLDS = "holds beyond the seed spread"
NOT_DISTINGUISHABLE = "not distinguishable at this profile"
REVERSED = "reversed at this profile (in every seed)"
REVERSED_HERE = "reversed in this run, against every seed"  # the one status that fails a run
ONE_SEED = "one seed: no spread measured"
BOUNDED_WORDS = ("accuracy", "error")  # metrics that are fractions of images


def _table(folder: Path | str) -> dict:
    """`folder/expected.toml`, read and checked once: every range [low, high] with low <= high,
    every `order` a list of "metric < metric" claims (one claim alone is taken as a list of
    one), parsed into (smaller, larger) pairs. {} without the file."""
    path = Path(folder) / EXPECTED_FILE
    if not path.is_file():
        return {}
    try:
        table = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path} is not valid TOML: {error}") from None
    for notebook, runs in table.items():
        for run, metrics in runs.items():
            for metric, bounds in metrics.items():
                if metric in (ORDER_KEY, COMPARE_KEY):
                    claims = bounds if isinstance(bounds, list) else [bounds]
                    parse = _parse_order if metric == ORDER_KEY else _parse_compare
                    metrics[metric] = [parse(claim, f"{path}: {notebook} {run}")
                                       for claim in claims]
                elif (not isinstance(bounds, list) or len(bounds) != 2
                        or not all(isinstance(b, (int, float)) for b in bounds)
                        or bounds[0] > bounds[1]):
                    raise ValueError(f"{path}: {notebook} {run} {metric} must be [low, high] "
                                     f"with low <= high, got {bounds!r}")
    return table


def generated() -> str:
    """`notebooks/expected.toml` as the chapters' modules make it: `HEADER`, then each
    chapter's `EXPECTED` with its sections ("[\"quick/fashion_mnist\"]") named by the chapter
    ("[\"NN-topic\".\"quick/fashion_mnist\"]").

    Raises:
        ValueError: a chapter whose `EXPECTED` is not valid TOML.
    """
    from imgclf import chapters

    parts = [HEADER]
    for module in chapters.modules():
        text = getattr(module, "EXPECTED", "").strip()
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{module.__name__}.EXPECTED is not valid TOML: {error}") from None
        if text:
            parts.append(SECTION.sub(f'["{module.NAME}".' + r'"\g<run>"]', text))
    return "\n\n".join(parts) + "\n"


def ranges(folder: Path | str = "notebooks") -> dict[str, dict[str, dict[str, tuple]]]:
    """{notebook: {"profile/dataset": {metric: (low, high)}}} from `folder/expected.toml`.

    Raises:
        ValueError: a file that is not valid TOML, a range that is not [low, high] with
            low <= high, or an ordering that is not "metric < metric".
    """
    return {nb: {run: {m: tuple(b) for m, b in metrics.items()
                       if m not in (ORDER_KEY, COMPARE_KEY)}
                 for run, metrics in runs.items()}
            for nb, runs in _table(folder).items()}


def orders(folder: Path | str = "notebooks") -> dict[str, dict[str, list[tuple[str, str]]]]:
    """{notebook: {"profile/dataset": [(smaller, larger), ...]}}: the orderings a run must
    reproduce, from the `order` lists of `folder/expected.toml` ("a < b" or "b > a").

    Raises:
        ValueError: as `ranges`.
    """
    return {nb: {run: metrics[ORDER_KEY] for run, metrics in runs.items()
                 if ORDER_KEY in metrics}
            for nb, runs in _table(folder).items()}


def compared(folder: Path | str = "notebooks") -> dict[str, dict[str, list[tuple[str, str]]]]:
    """{notebook: {"profile/dataset": [(a, b), ...]}}: every pair a chapter compares there,
    its claims (`order`, as (smaller, larger)) and its open comparisons (`compare`).

    Raises:
        ValueError: as `ranges`.
    """
    return {nb: {run: metrics.get(ORDER_KEY, []) + metrics.get(COMPARE_KEY, [])
                 for run, metrics in runs.items()
                 if ORDER_KEY in metrics or COMPARE_KEY in metrics}
            for nb, runs in _table(folder).items()}


def _parse_compare(claim, where: str) -> tuple[str, str]:
    """("a", "b") for "a vs b"."""
    parts = claim.split(" vs ") if isinstance(claim, str) else []
    if len(parts) == 2 and all(part.strip().isidentifier() for part in parts):
        return parts[0].strip(), parts[1].strip()
    raise ValueError(f"{where} compare: each entry must read 'metric vs metric', got {claim!r}")


def _parse_order(claim, where: str) -> tuple[str, str]:
    """("a", "b") for "a < b" or "b > a"."""
    for sign in ("<", ">"):
        parts = claim.split(sign) if isinstance(claim, str) else []
        if len(parts) == 2 and all(part.strip().isidentifier() for part in parts):
            left, right = (part.strip() for part in parts)
            return (left, right) if sign == "<" else (right, left)
    raise ValueError(f"{where} order: each claim must read 'metric < metric' or 'metric > "
                     f"metric', got {claim!r}")


def judge(record: dict, smaller: str, larger: str,
          spread_folder: Path | str = spreads.FOLDER) -> str:
    """How the claim smaller < larger stands in a run record, read against the seeds
    committed for its chapter, profile and data set: `HOLDS`, `NOT_DISTINGUISHABLE`,
    `REVERSED` (every seed reversed it: the profile cannot reproduce it, which the page
    says), `REVERSED_HERE` (every seed kept it and this run did not) or `ONE_SEED`.

    Raises:
        KeyError: a metric the record or the seed record lacks.
        ValueError: a seed record that cannot be read.
    """
    spread = spreads.read(
        spreads.path(record["notebook"], record["profile"], record["dataset"], spread_folder),
        record["notebook"], record["profile"], record["dataset"])
    gaps = spread.gaps(smaller, larger)
    verdict = spreads.verdict(record["metrics"][larger] - record["metrics"][smaller], gaps)
    if verdict == spreads.CONTRADICTS:
        return REVERSED if all(g < 0 for g in gaps) else REVERSED_HERE
    return {spreads.HOLDS: HOLDS, spreads.CANNOT_TELL: NOT_DISTINGUISHABLE,
            spreads.ONE_SEED: ONE_SEED}[verdict]


def check(record: dict, folder: Path | str = "notebooks",
          spread_folder: Path | str = spreads.FOLDER) -> dict:
    """Compare a run record's metrics with their expected ranges and claims; return the
    verdict.

    The verdict is {"status": "passed" | "failed" | "unchecked", "ranges": {...},
    "orders": [[smaller, larger], ...], "claims": {"smaller < larger": status}, "problems":
    [...]}: "unchecked" when the notebook has no ranges or orderings for the record's profile
    and data set (smoke runs are always checked for sanity only). A claim's status is one of
    `judge`'s; only `REVERSED_HERE` is a problem (see the module's docstring).
    """
    metrics = record["metrics"]
    problems = [f"{name} = {value!r} is not a finite number"
                for name, value in metrics.items() if not math.isfinite(value)]
    problems += [f"{name} = {value:.4g} is outside [0, 1]" for name, value in metrics.items()
                 if any(word in name for word in BOUNDED_WORDS) and math.isfinite(value)
                 and not 0 <= value <= 1]
    if record["profile"] == "smoke":
        return {"status": "failed" if problems else "passed", "ranges": {}, "problems": problems}
    key = f"{record['profile']}/{record['dataset']}"
    table = _table(folder).get(record["notebook"], {}).get(key, {})
    expected = {m: tuple(b) for m, b in table.items() if m not in (ORDER_KEY, COMPARE_KEY)}
    ordered = table.get(ORDER_KEY, [])
    if not expected and not ordered and not problems:
        return {"status": "unchecked", "ranges": {}, "problems": []}
    statuses = {}
    for smaller, larger in ordered:
        missing = [name for name in (smaller, larger) if name not in metrics]
        if missing:
            problems.append(f"{' and '.join(missing)} was expected but not reported")
            continue
        try:
            status = judge(record, smaller, larger, spread_folder)
        except (KeyError, ValueError) as error:
            problems.append(f"the seed record of {record['notebook']} for {key} cannot judge "
                            f"{smaller} < {larger}: {error}")
            continue
        statuses[f"{smaller} < {larger}"] = status
        if status == REVERSED_HERE:
            problems.append(f"{smaller} = {metrics[smaller]:.4g} is not below {larger} = "
                            f"{metrics[larger]:.4g}: the run reverses the claim {smaller} < "
                            f"{larger} for {key}, which every committed seed kept "
                            f"(imgclf/spread, python -m imgclf.course noise)")
    for name, (low, high) in expected.items():
        if name not in metrics:
            problems.append(f"{name} was expected but not reported")
        elif not low <= metrics[name] <= high:
            problems.append(f"{name} = {metrics[name]:.4g} is outside its expected range "
                            f"[{low:g}, {high:g}] for {key}")
    return {"status": "failed" if problems else "passed",
            "ranges": {name: list(bounds) for name, bounds in expected.items()},
            "orders": [list(pair) for pair in ordered], "claims": statuses,
            "problems": problems}
