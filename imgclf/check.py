"""Self-checks for the exercises: `check.answer("01-conv-parameters", x)` says if x is right.

The expected values are computed (by Keras, from the chapter's own model), not typed in.
`check.experiment("05-deeper-plain", ...)` checks an experiment's measured results, which no
one can compute in advance, against what the sources predict of them, with a hint when they
disagree. Each check lives in its chapter's module (`imgclf.chapters`, `ANSWERS` and
`EXPERIMENTS`).
"""

from __future__ import annotations

from imgclf.chapters._checks import NotTheRun, RunExperiment, Verdict

__all__ = ["Verdict", "answer", "exercises", "experiment", "experiments"]


def _merged(kind: str) -> dict:
    """Every chapter's `ANSWERS` or `EXPERIMENTS`, in the book's order."""
    from imgclf import chapters

    merged = {}
    for module in chapters.modules():
        merged.update(getattr(module, kind, {}))
    return merged


def answer(exercise: str, value) -> Verdict:
    """Check `value` as the answer to `exercise` (see `exercises()`)."""
    known = _merged("ANSWERS")
    if exercise not in known:
        raise ValueError(
            f"Unknown exercise {exercise!r}. Exercises with a check: {', '.join(known)}.")
    return known[exercise](value)


def exercises() -> list[str]:
    """The names of the exercises that have a self-check."""
    return list(_merged("ANSWERS"))


def experiments() -> list[str]:
    """The names of the experiments that have a self-check."""
    return list(_merged("EXPERIMENTS"))


def experiment(name: str, **runs) -> Verdict:
    """Check an experiment from the runs it names (keyword arguments, see `experiments()`: a
    Keras History, a model, a `train.fit` result, a data set) against what the sources
    predict: "Correct." when the outcome agrees, "Not yet." with a hint when it disagrees,
    "Cannot tell yet." when the difference is within the noise the check can measure, or when
    the runs do not meet the experiment's premise (a network too weak for it). A
    number in place of a run, or a run of another setting than asked, is refused with a
    message that says what to pass.

    Raises:
        ValueError: an unknown experiment, or measurements named other than it expects.
    """
    known = _merged("EXPERIMENTS")
    if name not in known:
        raise ValueError(f"Unknown experiment {name!r}. Experiments with a check: "
                         f"{', '.join(known)}.")
    spec = known[name]
    if set(runs) != set(spec.measured):
        raise ValueError(f"check.experiment({name!r}, ...) takes the measurements "
                         f"{', '.join(f'{m}=...' for m in spec.measured)}, got "
                         f"{', '.join(f'{m}=...' for m in runs) or 'none'}")
    try:
        seen = spec.read(**runs)
    except NotTheRun as refused:
        return Verdict(False, str(refused))
    shown = ", ".join(f"{key} = {value:.4g}" for key, value in seen.values.items())
    if seen.cannot_decide:
        return Verdict(False, f"{shown}: {seen.cannot_decide}", undecided=True)
    if abs(seen.gap) <= seen.noise:
        return Verdict(False, f"{shown}: the difference, {seen.gap:+.3g}, is within "
                              f"{seen.noise:.3g} ({seen.noise_is}), so this run cannot tell. "
                              f"Run it on more images or for more steps.", undecided=True)
    return _judged(spec, seen.values)


def _judged(spec: RunExperiment, values: dict[str, float]) -> Verdict:
    """The verdict on measured `values`: what was seen when it agrees with the prediction, the
    values and the hint when not."""
    if spec.holds(**values):
        seen = spec.right(**values)
        return Verdict(True, seen[0].upper() + seen[1:])
    shown = ", ".join(f"{key} = {value:.4g}" for key, value in values.items())
    return Verdict(False, f"{shown}: {spec.hint}")
