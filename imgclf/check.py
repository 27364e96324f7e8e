"""Self-checks for the exercises: `check.answer("01-conv-parameters", x)` says if x is right.

The expected values are computed (by Keras, from the chapter's own model), not typed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Verdict:
    """Whether an answer is right, and a sentence on why; true in an `if` when it is right."""

    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return ("Correct. " if self.correct else "Not yet. ") + self.message

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return ("✅ **Correct.** " if self.correct else "❌ **Not yet.** ") + self.message


def _integer(answer) -> int | None:
    try:
        value = int(answer)
    except (TypeError, ValueError):
        return None
    return value if value == answer else None


def _count(answer, expected: int, hint: str) -> Verdict:
    value = _integer(answer)
    if value is None:
        return Verdict(False, f"expected a whole number of parameters, got {answer!r}.")
    if value == expected:
        return Verdict(True, f"{expected:,} parameters.")
    return Verdict(False, f"{value:,} is not it. {hint}")


def _conv_with_bias(answer) -> Verdict:
    import keras

    layer = keras.layers.Conv2D(32, 3)
    layer.build((None, 28, 28, 1))
    return _count(answer, layer.count_params(),
                  "Each filter has 3x3 weights per input channel, plus one bias.")


def _hidden_dense(answer) -> Verdict:
    from imgclf.models import small_cnn

    hidden = small_cnn().get_layer("hidden")
    return _count(answer, hidden.count_params(),
                  "Find the shape that reaches Flatten after two 2x2 poolings of 28x28, "
                  "then count one weight per input and unit, plus a bias per unit.")


def _accuracy_function(answer) -> Verdict:
    if not callable(answer):
        return Verdict(False, "expected a function accuracy(y_true, probabilities), "
                              f"got {answer!r}.")
    rng = np.random.default_rng(0)
    for n, classes in ((1, 2), (7, 3), (100, 10)):
        y_true = rng.integers(0, classes, n)
        probabilities = rng.dirichlet(np.ones(classes), n).astype("float32")
        expected = float(np.mean(probabilities.argmax(axis=1) == y_true))
        try:
            got = float(answer(y_true, probabilities))
        except Exception as error:
            return Verdict(False, f"it raised {error!r} for {n} images of {classes} classes.")
        if not np.isclose(got, expected):
            return Verdict(False, f"for {n} images of {classes} classes it gave {got:.4f}, "
                                  f"the right value is {expected:.4f}.")
    return Verdict(True, "it agrees with the argmax rule on three test cases.")


CHECKS: dict[str, Callable[[object], Verdict]] = {
    "01-conv-parameters": _conv_with_bias,
    "01-dense-parameters": _hidden_dense,
    "01-accuracy-function": _accuracy_function,
}


def answer(exercise: str, value) -> Verdict:
    """Check `value` as the answer to `exercise` (see `exercises()`)."""
    if exercise not in CHECKS:
        raise ValueError(
            f"Unknown exercise {exercise!r}. Exercises with a check: {', '.join(CHECKS)}.")
    return CHECKS[exercise](value)


def exercises() -> list[str]:
    """The names of the exercises that have a self-check."""
    return list(CHECKS)
