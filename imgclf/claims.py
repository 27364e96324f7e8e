"""Sentences that say which experiment came out ahead, written from a run's numbers and read
against the seed-to-seed spread.

A run is one seed. Each sentence gives this run's numbers, then how the same gap moved across
the seeds committed for the profile (`imgclf.spread`), and says one of: the order holds beyond
that spread; the run cannot tell (the seeds disagree); the run contradicts the claim; or only
one seed exists. It never says "shows" for a gap inside the spread.

Two kinds of comparison:

- `order`: a claim from a source, "smaller < larger" (plain-8's training error below
  plain-20's, after He et al.'s Figure 6);
- `ahead`: a question without a claimed answer (which of two networks reached the higher
  accuracy).

Values are the metrics a chapter reports (`imgclf.runs.report`), by the same names, so that
the spread of the same names can be read. A chapter's own sentences, built on these, are in
its module (`imgclf.chapters.resnet.degradation`, `imgclf.chapters.transfer_learning.transfer`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from imgclf import _validate as check
from imgclf import spread as spreads
from imgclf.spread import CANNOT_TELL, HOLDS, ONE_SEED, Spread

SCALES = ("percent", "number", "factor")  # fractions shown as %; plain numbers; ratios of sizes


@dataclass(frozen=True)
class Outcome:
    """One comparison's verdict (`imgclf.spread.VERDICTS`) and the sentence that says it."""

    verdict: str
    sentence: str

    def __str__(self) -> str:
        return self.sentence


def _value(values: Mapping, name: str, scale: str) -> float:
    """values[name], a finite number; a fraction (or a difference of two) for "percent"."""
    if name not in values:
        raise KeyError(f"values has no {name!r}; it has "
                       f"{', '.join(map(repr, values)) or 'nothing'}")
    bounds = (-1, 1) if scale == "percent" else (None, None)
    return check.number(f"values[{name!r}] (scale {scale!r})", values[name], *bounds)


def _shown(value: float, scale: str) -> str:
    return f"{value:.1%}" if scale == "percent" else f"{value:.3g}"


def _gap(smaller: float, larger: float, scale: str) -> str:
    """How far `larger` is above `smaller`, signed: "+1.9 points", "+0.3", "181x"."""
    if scale == "percent":
        return f"{100 * (larger - smaller):+.1f} points"
    if scale == "factor":
        return f"{larger / smaller:.3g}x"
    return f"{larger - smaller:+.3g}"


def _difference(first: str, second: str, a: float, b: float, scale: str) -> str:
    """How `second` (value b) stands to `first` (value a), in words: "plain-20 is 1.8 points
    higher", "plain-56 is 181 times ResNet-56"."""
    if scale == "factor":
        return f"{second} is {b / a:.3g} times {first}"
    if a == b:
        return "the two are equal"
    amount = f"{abs(100 * (b - a)):.1f} points" if scale == "percent" else f"{abs(b - a):.3g}"
    return f"{second} is {amount} {'higher' if b > a else 'lower'}"


def _range(pairs: Sequence[tuple[float, float]], scale: str) -> str:
    """The lowest and highest gap over seeds, given (smaller, larger) per seed."""
    if scale == "factor":
        ratios = sorted(b / a for a, b in pairs)
        return f"from {ratios[0]:.3g}x to {ratios[-1]:.3g}x"
    gaps = sorted(b - a for a, b in pairs)
    return f"from {_gap(0, gaps[0], scale)} to {_gap(0, gaps[-1], scale)}"


def _pairs(spread: Spread, smaller: str, larger: str) -> list[tuple[float, float]]:
    if not spread.measured:
        return []
    spread.gaps(smaller, larger)  # raises KeyError naming a missing metric
    return list(zip(spread.values[smaller], spread.values[larger], strict=True))


def _check_scale(scale) -> str:
    return check.one_of("scale", scale, SCALES)


def order(claim: str, values: Mapping[str, float], smaller: str, larger: str, spread: Spread,
          labels: Mapping[str, str] | None = None, scale: str = "percent") -> Outcome:
    """Whether this run and the committed seeds bear out the claim `smaller < larger`.

    Args:
        claim: the claim and its source, one sentence ("He et al.'s Figure 6: the deeper
            plain network ends with the higher training error.").
        values: this run's metrics by name (what the chapter reports).
        smaller, larger: the two metrics' names; the claim is values[smaller] <
            values[larger].
        spread: the chapter's committed seeds (`imgclf.spread.of(chapter, settings)`).
        labels: how to name each metric in the sentence (default: its name).
        scale: "percent" (fractions, gaps in points), "number" or "factor" (positive
            values whose ratio matters, such as gradient ratios).

    Raises:
        KeyError: a metric missing from `values` or from the spread's record.
        TypeError, ValueError: a value that is not a finite number; an unknown scale.
    """
    check.text("claim", claim)
    return _compare(claim, values, smaller, larger, spread, labels, scale, _CLAIM_WORDS)


# How a sentence names the claimed side and its reversal: for a claim, and for a question.
_CLAIM_WORDS = ("on the claim's side", "the order holds", "contradicts the claim",
                "the run contradicts the claim")
_QUESTION_WORDS = ("with the same leader", "the lead holds", "has the other leader",
                   "the other one led every seed")


def _compare(claim, values, smaller, larger, spread, labels, scale, words) -> Outcome:
    scale = _check_scale(scale)
    if not isinstance(spread, Spread):
        raise TypeError(f"spread must be an imgclf.spread.Spread (spread.of(chapter, "
                        f"settings)), got {type(spread).__name__}")
    check.mapping("values", values)
    low, high = _value(values, smaller, scale), _value(values, larger, scale)
    if scale == "factor" and min(low, high) <= 0:
        raise ValueError(f"scale='factor' needs positive values, got {smaller}={low:g}, "
                         f"{larger}={high:g}")
    name = dict(labels or {})
    label_low, label_high = name.get(smaller, smaller), name.get(larger, larger)
    pairs = _pairs(spread, smaller, larger)
    verdict = spreads.verdict(high - low, [b - a for a, b in pairs])
    side, holds, reversed_run, reversed_all = words
    run = (f"This run: {label_low} {_shown(low, scale)}, {label_high} {_shown(high, scale)}; "
           f"{_difference(label_low, label_high, low, high, scale)}.")
    if verdict == ONE_SEED:
        said = (f"That is one seed, and {spread.describe()}: this run cannot tell whether the "
                f"gap is more than chance.")
    else:
        measure = (f"{label_high} over {label_low}" if scale == "factor" else
                   f"{label_high} minus {label_low}")
        across = f"Across {spread.describe()}, {measure} ranged {_range(pairs, scale)}"
        if verdict == HOLDS:
            said = (f"{across}, {side} in every seed: {holds} beyond the seed-to-seed "
                    f"spread.")
        elif verdict == CANNOT_TELL:
            said = (f"{across}: the seeds disagree on the order, so within the spread of "
                    f"{len(pairs)} seeds this profile cannot show it.")
        elif all(b < a for a, b in pairs):
            said = f"{across}, reversed in every seed: at this profile {reversed_all}."
        else:
            said = (f"{across}, {side} in every seed but not in this run: this run "
                    f"{reversed_run}, against every measured seed.")
    return Outcome(verdict, f"{claim} {run} {said}")


def ahead(values: Mapping[str, float], first: str, second: str, spread: Spread,
          labels: Mapping[str, str] | None = None, scale: str = "percent",
          higher_is_better: bool = True) -> Outcome:
    """Which of two results came out ahead, in this run and across the committed seeds.

    No source's claim is tested: the sentence says which led here and whether the seeds
    agree on it (`higher_is_better` False for errors and losses). The verdict is `HOLDS`
    when every seed and this run had the same leader, `CANNOT_TELL` when the seeds disagree,
    `CONTRADICTS` when the other one led, `ONE_SEED` without a spread.

    Raises:
        as `order`.
    """
    check.boolean("higher_is_better", higher_is_better)
    scale = _check_scale(scale)
    check.mapping("values", values)
    a, b = _value(values, first, scale), _value(values, second, scale)
    first_leads = a >= b if higher_is_better else a <= b
    leader, behind = (first, second) if first_leads else (second, first)
    # The order this run shows, as a claim on the values: the seeds then say if it holds.
    smaller, larger = (behind, leader) if higher_is_better else (leader, behind)
    return _compare("Which came out ahead?", values, smaller, larger, spread, labels, scale,
                    _QUESTION_WORDS)
