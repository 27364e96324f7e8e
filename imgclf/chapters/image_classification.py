"""Chapter 1, image classification: the first CNN, its plan, its checks and its expected results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from imgclf import plans
from imgclf.chapters._checks import (
    Measured,
    NotTheRun,
    RunExperiment,
    Verdict,
    accuracy_gap,
    accuracy_on,
    count,
    function_check,
    history,
    random_cases,
    steps,
    the_test_data,
)

NAME = "01-image-classification"


@dataclass(frozen=True)
class Plan(plans.Plan):
    """The first CNN on the profile's data set for `epochs`, and the exercise's two runs of as
    many steps: a fifth of `exercise_images[1]` for five times the epochs, in batches of
    `exercise_batch`."""

    epochs: int
    exercise_images: tuple[int, int]
    exercise_epochs: tuple[int, int]
    exercise_batch: int

    def pending(self, size: plans.Size):
        from imgclf import models

        build = lambda: models.small_cnn(size.image_shape, size.classes)  # noqa: E731
        trainings = [plans.training("small_cnn", "small_cnn", build, size.train,
                                    self.epochs, self.settings.batch_size,
                                    validation_split=0.1, evaluated=size.test)]
        trainings += [plans.training(f"small_cnn on {n:,} images", "small_cnn", build, n, epochs,
                                     self.exercise_batch, evaluated=size.test, exercise=True)
                      for n, epochs in zip(self.exercise_images, self.exercise_epochs,
                                           strict=True)]
        return trainings


def plan(settings) -> Plan:
    """The chapter's plan for `settings` (`imgclf.plans.chapter`)."""
    size = plans.Size.of(settings)
    # The exercise's two runs take the same number of steps: a fifth of the images for five
    # times the epochs, in batches that divide both counts.
    more = min(10_000, size.train // 2) // 200 * 200
    # quick: 3 epochs keep the chapter within its CPU budget (benchmarks/RESULTS.md).
    return Plan(NAME, settings, epochs=plans.by_profile(settings, {"quick": 3}, settings.epochs),
                exercise_images=(more // 5, more), exercise_epochs=(5, 1), exercise_batch=40)


def _conv_with_bias(answer) -> Verdict:
    import keras

    layer = keras.layers.Conv2D(32, 3)
    layer.build((None, 28, 28, 1))
    return count(answer, layer.count_params(),
                  "Each filter has 3x3 weights per input channel, plus one bias.")


def _hidden_dense(answer) -> Verdict:
    from imgclf.models import small_cnn

    hidden = small_cnn().get_layer("hidden")
    return count(answer, hidden.count_params(),
                  "Find the shape that reaches Flatten after two 2x2 poolings of 28x28, "
                  "then count one weight per input and unit, plus a bias per unit.")


def _accuracy_function(answer) -> Verdict:
    cases = [(f"{n} images of {c} classes", (y, p), float(np.mean(p.argmax(axis=1) == y)))
             for n, c, y, p in random_cases(0, ((1, 2), (7, 3), (100, 10)))]
    return function_check(answer, "accuracy(y_true, probabilities)", cases,
                           "the argmax rule")


def _more_images(fewer, more, test) -> Measured:
    fewer, more, test = history("fewer", fewer), history("more", more), the_test_data("test", test)
    if fewer.model.count_params() != more.model.count_params():
        raise NotTheRun(f"the two runs trained different networks ({fewer.model.count_params():,}"
                         f" and {more.model.count_params():,} parameters): train the same one.")
    if fewer.params["steps"] >= more.params["steps"]:
        raise NotTheRun(f"`fewer` must be the run on fewer images: its epochs took "
                         f"{fewer.params['steps']} steps, the other's {more.params['steps']}.")
    if steps(fewer) != steps(more):
        raise NotTheRun(f"the two runs took {steps(fewer)} and {steps(more)} optimiser steps: "
                         f"more images also means more steps per epoch. Train the smaller set "
                         f"for more epochs, so that both take the same number of steps and only "
                         f"the number of different images differs.")
    accuracy = {"fewer": accuracy_on(fewer.model, test),
                "more": accuracy_on(more.model, test)}
    return accuracy_gap(accuracy, "more", "fewer", len(test.x_test))


ANSWERS: dict[str, Callable[[object], Verdict]] = {
    "01-conv-parameters": _conv_with_bias,
    "01-dense-parameters": _hidden_dense,
    "01-accuracy-function": _accuracy_function,
}


EXPERIMENTS: dict[str, RunExperiment] = {
    "01-more-images": RunExperiment(
        ("fewer", "more", "test"), _more_images, lambda fewer, more: more > fewer,
        lambda fewer, more: f"with the same number of steps, more different training images "
                            f"gave a higher test accuracy ({more:.1%} against {fewer:.1%}): "
                            f"the reason ever larger labelled data sets were built. The gap "
                            f"is beyond what the test images alone make; another seed tells "
                            f"whether it is beyond what the random start makes too.",
        "more labelled images are expected to give a higher test accuracy at the same number "
        "of steps. A small gap can come from the random start: run both again with another "
        "seed (keras.utils.set_random_seed) before you conclude."),
}


EXPECTED = """\
["quick/fashion_mnist"]
test_accuracy = [0.88, 0.94]  # 0.9152, 0.9152 (two runs)

["full/fashion_mnist"]
test_accuracy = [0.90, 0.95]  # 0.9251, 0.9290
"""
