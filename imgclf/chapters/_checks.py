"""What the chapters' self-checks share: the verdict, reading an answer, and the machinery
of an experiment checked from its runs. Each chapter's checks are in its module
(`imgclf.chapters`); learners call them through `imgclf.check`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Verdict:
    """Whether an answer is right, and a sentence on why; true in an `if` when it is right.
    An experiment whose outcome lies within its noise is `undecided`: neither right nor wrong,
    the run cannot tell."""

    correct: bool
    message: str
    undecided: bool = False

    def __bool__(self) -> bool:
        return self.correct

    def _word(self) -> str:
        return ("Correct." if self.correct else "Cannot tell yet." if self.undecided
                else "Not yet.")

    def __str__(self) -> str:
        return f"{self._word()} {self.message}"

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        mark = "✅" if self.correct else "❔" if self.undecided else "❌"
        return f"{mark} **{self._word()}** {self.message}"


def integer(answer) -> int | None:
    """A whole number given as a number (Python's or NumPy's, 42.0 too); None otherwise,
    text included: every check takes numbers, never their text."""
    value = number(answer)
    return int(value) if value is not None and value == int(value) else None


def got(answer) -> str:
    """How a check's "expected a number" message quotes what it got."""
    if isinstance(answer, str):
        return f"{answer!r}, text: pass the number itself, without quotes"
    return repr(answer)


def count(answer, expected: int, hint: str) -> Verdict:
    value = integer(answer)
    if value is None:
        return Verdict(False, f"expected a whole number of parameters, got {got(answer)}.")
    if value == expected:
        return Verdict(True, f"{expected:,} parameters.")
    return Verdict(False, f"{value:,} is not it. {hint}")


def whole(answer, expected: int, right: str, hint: str) -> Verdict:
    """A whole-number answer: `right` explains the expected value, `hint` guides a wrong one."""
    if integer(answer) == expected:
        return Verdict(True, right)
    return Verdict(False, hint)


def function_check(answer, signature: str, cases, reference: str) -> Verdict:
    """Run the learner's function on `cases`, [(description, arguments, expected value)]."""
    if not callable(answer):
        return Verdict(False, f"expected a function {signature}, got {got(answer)}.")
    for description, arguments, expected in cases:
        try:
            value = float(answer(*arguments))
        except Exception as error:
            return Verdict(False, f"it raised {error!r} for {description}.")
        if not np.isclose(value, expected):
            return Verdict(False, f"for {description} it gave {value:.4f}, the right value is "
                                  f"{expected:.4f}.")
    return Verdict(True, f"it agrees with {reference} on {len(cases)} test cases.")


def random_cases(seed: int, shapes):
    """(labels, probabilities) for each (images, classes) in `shapes`, reproducibly."""
    rng = np.random.default_rng(seed)
    return [(n, c, rng.integers(0, c, n), rng.dirichlet(np.ones(c), n).astype("float32"))
            for n, c in shapes]


def number(answer) -> float | None:
    """A finite number (any `numbers.Real` but a bool); None for anything else, text
    included, as `_integer`."""
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, numbers.Real):
        return None
    value = float(answer)
    return value if math.isfinite(value) else None


class NotTheRun(Exception):
    """A run that is not the one an experiment asks for; the message says what to pass."""


@dataclass(frozen=True)
class RunExperiment:
    """An experiment checked from the runs themselves: `read(**runs)` verifies that they are
    the runs asked for (raising `NotTheRun` otherwise) and returns the measured values and
    the noise of their difference (`Measured`). Unless the difference is within the noise,
    `holds(**values)` says whether the sources' prediction held, `right(**values)` what the
    learner saw, and `hint` where to look when it did not."""

    measured: tuple[str, ...]
    read: Callable[..., Measured]
    holds: Callable[..., bool]
    right: Callable[..., str]
    hint: str


@dataclass(frozen=True)
class Measured:
    """What an experiment's runs measured: `values`, and `gap` (the difference the
    prediction is about) with `noise`, the gap that chance alone can make, and what it is;
    `cannot_decide` says why no gap would decide (empty when one can)."""

    values: dict[str, float]
    gap: float
    noise: float
    noise_is: str
    #: Why the runs cannot decide whatever the gap (empty when they can): the experiment's
    #: premise does not hold in them, such as a network still too weak for it.
    cannot_decide: str = ""


def accuracy_noise(first: float, second: float, images: int) -> float:
    """Twice the standard error of the difference of two accuracies on `images` test images
    each: a gap below it can come from which images happen to be tested alone."""
    return 2 * math.sqrt((first * (1 - first) + second * (1 - second)) / images)


def accuracy_gap(accuracy: dict[str, float], larger: str, smaller: str, images: int,
                 scored_on: str = "test images") -> Measured:
    """Two accuracies measured on `images` images each (`scored_on`: which), the gap the
    prediction is about (`accuracy[larger] - accuracy[smaller]`) and its noise,
    `accuracy_noise`."""
    return Measured(accuracy, accuracy[larger] - accuracy[smaller],
                    accuracy_noise(accuracy[larger], accuracy[smaller], images),
                    f"twice the standard error of two accuracies on {images:,} {scored_on}")


def accuracy_on(model, data) -> float:
    """`model`'s accuracy on `data`'s test images (scaled to [0, 1] as the networks take them)."""
    from imgclf.data import scale

    predicted = np.asarray(model.predict(scale(data.x_test), verbose=0)).argmax(axis=1)
    return float(np.mean(predicted == data.y_test))


def the_test_data(name: str, data):
    from imgclf.data import Dataset

    if not isinstance(data, Dataset):
        raise NotTheRun(f"{name} must be the imgclf.data.Dataset whose test images both runs "
                         f"are scored on, got {type(data).__name__}.")
    return data


def history(name: str, run):
    """`run` if it is the History that model.fit returned, with a model and epochs."""
    import keras

    if isinstance(run, (int, float, np.number)) and not isinstance(run, bool):
        raise NotTheRun(f"{name} must be the History that model.fit returned (history = "
                         f"model.fit(...)), not a number: the check reads what was run.")
    if not isinstance(run, keras.callbacks.History) or not getattr(run, "history", None) \
            or getattr(run, "model", None) is None:
        raise NotTheRun(f"{name} must be the History that model.fit returned (history = "
                         f"model.fit(...)), got {type(run).__name__}.")
    return run


def steps(run) -> int:
    """The optimiser steps a History's fit took: epochs run x steps per epoch."""
    return len(run.epoch) * run.params["steps"]


def trained_model(name: str, run):
    """`run` if it is a Keras model that has been trained (its optimiser took steps)."""
    import keras

    if isinstance(run, (int, float, np.number)) and not isinstance(run, bool):
        raise NotTheRun(f"{name} must be the trained Keras model, not a number: the check "
                         f"reads and scores what was run.")
    if not isinstance(run, keras.Model):
        raise NotTheRun(f"{name} must be the trained Keras model, got {type(run).__name__}.")
    if getattr(run, "optimizer", None) is None or int(run.optimizer.iterations) == 0:
        raise NotTheRun(f"{name} has not been trained: compile and fit it first.")
    return run


def keras_module():
    import keras

    return keras


def at_initialisation(name: str, run):
    """`run` if it is a Keras model that has not been trained."""
    keras = keras_module()
    if isinstance(run, (int, float, np.number)) and not isinstance(run, bool):
        raise NotTheRun(f"{name} must be the Keras model itself, not a number: the check "
                         f"measures its gradients.")
    if not isinstance(run, keras.Model):
        raise NotTheRun(f"{name} must be a Keras model, got {type(run).__name__}.")
    if getattr(run, "optimizer", None) is not None and int(run.optimizer.iterations) > 0:
        raise NotTheRun(f"{name} has been trained: the experiment is about the gradient at "
                         f"initialisation, so build it anew.")
    return run


def first_over_last(model, batch) -> float:
    """The gradient norm of the first layer with a kernel over that of the last hidden one
    (the classifier left out), for one batch (x, y)."""
    from imgclf import gradients

    if not isinstance(batch, tuple) or len(batch) != 2:
        raise NotTheRun(f"batch must be the (images, labels) pair the chapter measured with, "
                         f"got {type(batch).__name__}.")
    return gradients.first_over_last(gradients.kernel_gradient_norms(model, *batch))


def trained(name: str, run):
    """`run` if it is what imgclf.train.fit returned."""
    from imgclf.train import Trained

    if isinstance(run, (int, float, np.number)) and not isinstance(run, bool):
        raise NotTheRun(f"{name} must be what train.fit returned, not a number: the check "
                         f"reads the run's record and network.")
    if not isinstance(run, Trained) or "test_accuracy" not in run.record:
        raise NotTheRun(f"{name} must be what train.fit(...) returned, with test images, got "
                         f"{type(run).__name__}.")
    return run
