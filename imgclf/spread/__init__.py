"""How much a chapter's numbers change from one seed to the next, and what that lets a run say.

A chapter's run is one seed. Whether "plain-20 ended above plain-8" is a finding or chance
depends on how much the gap between the two moves when only the seed changes. The course
measures that with `python -m imgclf.course noise --profile P` (the course's tooling): it executes
each chapter that compares anything once per seed and writes one record per chapter into this
folder, `<profile>/<dataset>/<chapter>.json`, which ships with the package so that a chapter
opened in Colab reads the same spread as the book.

A record holds the seeds, every metric the chapter reported for each seed, the spread of each
metric, the plan it ran (`imgclf.plans`) and the machine. `of(chapter, settings)` reads it;
`Spread.gaps(smaller, larger)` gives larger - smaller for each seed; `verdict` turns a run's
gap and the seeds' gaps into one of the verdicts below.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from imgclf import _validate as check
from imgclf.profiles import Settings

__all__ = ["Spread", "of", "path", "read", "summary", "verdict"]

FOLDER = Path(__file__).parent
MIN_SEEDS = 3  # fewer seeds than this give no spread worth the name

# What a claim "smaller < larger" comes to, given one run and the committed seeds.
HOLDS = "holds"  # every seed kept the order, and so did this run
CANNOT_TELL = "cannot tell"  # the seeds disagree on the order: it is within the spread
CONTRADICTS = "contradicts"  # every seed reversed it, or this run reversed what every seed kept
ONE_SEED = "one seed"  # no spread measured for this profile and data set
VERDICTS = (HOLDS, CANNOT_TELL, CONTRADICTS, ONE_SEED)


@dataclass(frozen=True)
class Spread:
    """The committed seed runs of one chapter in one profile and data set.

    Attributes:
        chapter, profile, dataset: what was run.
        seeds: the seeds, in the order of the values.
        values: every reported metric's value per seed, {metric: (value per seed, ...)}.
        machine: where it ran (CPU or GPU, cores, calibration seconds), as recorded.
    """

    chapter: str
    profile: str
    dataset: str
    seeds: tuple[int, ...] = ()
    values: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    machine: str = ""

    @property
    def measured(self) -> bool:
        """Whether there are at least `MIN_SEEDS` seeds."""
        return len(self.seeds) >= MIN_SEEDS

    def gaps(self, smaller: str, larger: str) -> tuple[float, ...]:
        """larger - smaller for each seed; () without a measured spread.

        Raises:
            KeyError: a metric the record does not hold (the chapter reported other names).
        """
        if not self.measured:
            return ()
        for name in (smaller, larger):
            if name not in self.values:
                raise KeyError(f"the seed record of {self.chapter} ({self.profile}, "
                               f"{self.dataset}) has no metric {name!r}; it has "
                               f"{', '.join(sorted(self.values))}")
        return tuple(b - a for a, b in zip(self.values[smaller], self.values[larger],
                                           strict=True))

    def describe(self) -> str:
        """"3 seeds of the quick profile (fashion_mnist; 2 CPU cores ...)", or that there
        are none."""
        if not self.measured:
            return (f"no seed-to-seed spread has been measured for the {self.profile} "
                    f"profile on {self.dataset}")
        return (f"{len(self.seeds)} seeds of the {self.profile} profile on {self.dataset}"
                + (f" ({self.machine})" if self.machine else ""))


def path(chapter: str, profile: str, dataset: str, folder: Path | str = FOLDER) -> Path:
    """Where the seed record of `chapter` in `profile` on `dataset` is kept.

    Raises:
        TypeError: a name that is not a string.
    """
    for name, value in (("chapter", chapter), ("profile", profile), ("dataset", dataset)):
        check.text(name, value)
    return Path(folder) / profile / dataset / f"{chapter}.json"


def of(chapter: str, settings: Settings, folder: Path | str = FOLDER) -> Spread:
    """The committed seed runs of `chapter` for `settings`' profile and data set; a `Spread`
    without seeds when none were recorded.

    Raises:
        TypeError: `settings` is not an `imgclf.profiles.Settings`.
        ValueError: a record that cannot be read (not JSON, or not of this chapter).
    """
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be imgclf.profiles.Settings (imgclf.profiles.resolve"
                        f"(...)), got {type(settings).__name__}")
    check.text("chapter", chapter)
    return read(path(chapter, settings.profile, settings.dataset, folder),
                chapter, settings.profile, settings.dataset)


def read(file: Path, chapter: str, profile: str, dataset: str) -> Spread:
    """The `Spread` in the record `file`; one without seeds when the file does not exist.

    Raises:
        ValueError: a file that is not a seed record of `chapter`, `profile` and `dataset`.
    """
    try:
        record = json.loads(Path(file).read_text())
    except FileNotFoundError:
        return Spread(chapter, profile, dataset)
    except (OSError, ValueError) as error:
        raise ValueError(f"{file} is not a readable seed record: {error}") from None
    expected = {"chapter": chapter, "profile": profile, "dataset": dataset}
    if not isinstance(record, dict) or any(record.get(k) != v for k, v in expected.items()):
        raise ValueError(f"{file} is not the seed record of {chapter} in the {profile} profile "
                         f"on {dataset}")
    values = {name: tuple(float(v) for v in per_seed)
              for name, per_seed in record["metrics"].items()}
    if any(len(per_seed) != len(record["seeds"]) for per_seed in values.values()):
        raise ValueError(f"{file}: every metric must have one value per seed "
                         f"({len(record['seeds'])})")
    return Spread(chapter, profile, dataset, tuple(record["seeds"]), values,
                  record.get("machine", {}).get("summary", ""))


def verdict(run_gap: float | None, seed_gaps: Sequence[float]) -> str:
    """What a claim "smaller < larger" comes to, from gaps larger - smaller.

    Args:
        run_gap: this run's gap, or None to judge the seeds alone.
        seed_gaps: the gap in each committed seed (`Spread.gaps`); fewer than `MIN_SEEDS`
            means the spread is unmeasured.

    Returns:
        `HOLDS` when every seed's gap is positive (and this run's too); `CONTRADICTS` when
        every seed's is negative, or when this run's is not positive although every seed's
        was; `CANNOT_TELL` when the seeds disagree (or tie); `ONE_SEED` without a spread.
    """
    gaps = [check.number(f"seed_gaps[{i}]", g) for i, g in enumerate(seed_gaps)]
    if run_gap is not None:
        check.number("run_gap", run_gap)
    if len(gaps) < MIN_SEEDS:
        return ONE_SEED
    if all(g > 0 for g in gaps):
        return HOLDS if run_gap is None or run_gap > 0 else CONTRADICTS
    if all(g < 0 for g in gaps):
        return CONTRADICTS
    return CANNOT_TELL


def summary(values: Sequence[float]) -> dict[str, float]:
    """{"low", "high", "mean", "std"} of a metric or a gap over seeds (std: the sample's,
    n - 1; 0 for one value)."""
    values = [check.number(f"values[{i}]", v) for i, v in enumerate(values)]
    if not values:
        raise ValueError("values must hold at least one value to summarise, got none")
    mean = sum(values) / len(values)
    spread = (math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
              if len(values) > 1 else 0.0)
    return {"low": min(values), "high": max(values), "mean": mean, "std": spread}
