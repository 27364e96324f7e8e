"""Chapter 2, ILSVRC and top-5: its plan, its checks and its expected results."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from imgclf import plans
from imgclf.chapters._checks import (
    Measured,
    NotTheRun,
    RunExperiment,
    Verdict,
    function_check,
    got,
    keras_module,
    number,
    random_cases,
)

NAME = "02-ilsvrc-top5"


@dataclass(frozen=True)
class Plan(plans.Plan):
    """One compact ResNet trained for `epochs` on the profile's data set."""

    epochs: int

    def pending(self, size: plans.Size):
        from imgclf import models

        build = lambda: models.get("resnet_compact", input_shape=size.image_shape,  # noqa: E731
                                   num_classes=size.classes)
        return [plans.training("resnet_compact", "resnet_compact", build, size.train,
                               self.epochs, self.settings.batch_size, validation_split=0.1,
                               evaluated=size.test)]


def plan(settings) -> Plan:
    """The chapter's plan for `settings` (`imgclf.plans.chapter`)."""
    return Plan(NAME, settings, epochs=plans.by_profile(settings, {"quick": 2}, settings.epochs))


def _top_k_function(answer) -> Verdict:
    from imgclf.metrics import top_k_accuracy

    cases = [(f"{n} images, {c} classes and k={k}", (y, p, k), top_k_accuracy(y, p, k))
             for (n, c, y, p), k in zip(random_cases(1, ((4, 3), (9, 5), (50, 10))), (1, 2, 5),
                                       strict=True)]
    return function_check(answer, "top_k(y_true, probabilities, k)", cases,
                           "imgclf.metrics.top_k_accuracy")


def _random_top5(answer) -> Verdict:
    value = number(answer)
    if value is None:
        return Verdict(False, f"expected a number (a fraction), got {got(answer)}.")
    if np.isclose(value, 5 / 1000):
        return Verdict(True, "5 guesses out of 1000 classes: 0.5%.")
    if np.isclose(value, 0.5):
        return Verdict(False, "0.5 as a fraction is 50%, the answer for 10 classes. If you "
                              "meant 0.5%, give it as a fraction: 0.005.")
    if value > 1:
        return Verdict(False, f"{value:g} is not a fraction (0 to 1): give a percentage p as "
                              f"p / 100.")
    return Verdict(False, "a random guess names 5 of the classes; how likely is the true "
                          "one among them?")


def _class_list(name: str, classes, num_classes: int) -> list[int]:
    if isinstance(classes, (int, float, np.number)) or not hasattr(classes, "__iter__"):
        raise NotTheRun(f"{name} must be a list of class indices, got {classes!r}.")
    found = [int(c) for c in classes if isinstance(c, (int, np.integer))]
    if len(found) != len(list(classes)) or len(found) < 2 or len(set(found)) != len(found) \
            or not all(0 <= c < num_classes for c in found):
        raise NotTheRun(f"{name} must be two or more different class indices in "
                         f"0..{num_classes - 1}, got {list(classes)!r}.")
    return found


#: The top-1 accuracy on the compared classes' test images below which the network's confusions
#: are not yet about resemblance: most of its first guesses are still wrong.
MIN_TOP1_FOR_CONFUSIONS = 0.5


def _alike_classes(model, data, alike, distinct) -> Measured:
    from imgclf.data import Dataset
    from imgclf.metrics import top_k_accuracy

    keras = keras_module()
    if not isinstance(model, keras.Model):
        raise NotTheRun(f"model must be the trained Keras model (trained.model), got "
                         f"{type(model).__name__}.")
    if not isinstance(data, Dataset):
        raise NotTheRun(f"data must be the imgclf.data.Dataset the model was tested on, got "
                         f"{type(data).__name__}.")
    if model.output_shape[-1] != data.num_classes:
        raise NotTheRun(f"the model tells {model.output_shape[-1]} classes apart, the data "
                         f"has {data.num_classes}: pass the data it was trained for.")
    alike = _class_list("alike", alike, data.num_classes)
    distinct = _class_list("distinct", distinct, data.num_classes)
    if set(alike) & set(distinct) or len(alike) != len(distinct):
        raise NotTheRun("alike and distinct must be as many classes each, none in both, so "
                         "that only how alike they are differs.")
    probabilities = np.asarray(model.predict(data.x_test, verbose=0))
    grouped = np.isin(data.y_test, alike + distinct)
    top1 = top_k_accuracy(data.y_test[grouped], probabilities[grouped], 1)
    forgiven, images = {}, {}
    for name, classes in (("alike", alike), ("distinct", distinct)):
        chosen = np.isin(data.y_test, classes)
        y, p = data.y_test[chosen], probabilities[chosen]
        forgiven[name] = top_k_accuracy(y, p, 5) - top_k_accuracy(y, p, 1)
        images[name] = int(chosen.sum())
    noise = 2 * math.sqrt(sum(max(f, 1e-3) * (1 - f) / images[n]
                              for n, f in forgiven.items()))
    weak = "" if top1 >= MIN_TOP1_FOR_CONFUSIONS else (
        f"the network is right at once on only {top1:.0%} of these classes' test images, so "
        f"most of its guesses are still wrong and its confusions do not yet say which "
        f"classes look alike: this run cannot tell. Train it for longer (at least "
        f"{MIN_TOP1_FOR_CONFUSIONS:.0%} top-1) and check again.")
    return Measured(forgiven, forgiven["alike"] - forgiven["distinct"], noise,
                    f"twice the standard error of the two shares on {images['alike']:,} and "
                    f"{images['distinct']:,} test images", cannot_decide=weak)


ANSWERS: dict[str, Callable[[object], Verdict]] = {
    "02-top-k-function": _top_k_function,
    "02-random-top5": _random_top5,
}


EXPERIMENTS: dict[str, RunExperiment] = {
    "02-alike-classes": RunExperiment(
        ("model", "data", "alike", "distinct"), _alike_classes,
        lambda alike, distinct: alike > distinct,
        lambda alike, distinct: f"top-5 forgives more among classes that look alike: it turns "
                                f"{alike:.1%} of the alike classes' test images from wrong to "
                                f"right, against {distinct:.1%} of the distinct ones': beside "
                                f"the images of several objects it was meant for, five guesses "
                                f"also forgive confusions between look-alike classes.",
        "the top-5 share of the alike classes is expected higher: their errors go to classes "
        "the network still ranks high. Pick `alike` from the confusion matrix's largest "
        "off-diagonal entries and `distinct` from classes it rarely confuses."),
}


EXPECTED = """\
["quick/fashion_mnist"]
top1_accuracy = [0.89, 0.95]  # 0.9227
top5_accuracy = [0.995, 1.0]  # 0.9993

["full/fashion_mnist"]
top1_accuracy = [0.90, 0.95]  # 0.9222
top5_accuracy = [0.995, 1.0]  # 0.9986
"""
