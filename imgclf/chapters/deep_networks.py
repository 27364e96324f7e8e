"""Chapter 4, why deep networks fail to train: its plan, its checks and its expected results."""

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
    at_initialisation,
    first_over_last,
    got,
    keras_module,
    number,
)

NAME = "04-deep-networks"


@dataclass(frozen=True)
class Plan(plans.Plan):
    """A `depth`-layer dense network of `width` units trained in `variants` variants (two
    activations with two initialisations each, and ReLU with He's; the notebook names them)."""

    train_images: tuple[int | None, int | None]
    epochs: int
    variants: int
    depth: int
    width: int

    def pending(self, size: plans.Size):
        from imgclf import models

        n = plans.count(self.train_images[0], size.train)
        return [
            plans.training(f"deep_mlp, variant {i + 1}", "deep_mlp",
                           lambda: models.deep_mlp(size.image_shape, size.classes,
                                                   depth=self.depth, width=self.width),
                           n, self.epochs, 128, validation_split=0.1)
            for i in range(self.variants)]


def plan(settings) -> Plan:
    """The chapter's plan for `settings` (`imgclf.plans.chapter`)."""
    by = plans.by_profile
    return Plan(NAME, settings,
                train_images=by(settings, {"quick": (20_000, 2_000)}, (None, None)),
                epochs=by(settings, {"smoke": 2, "quick": 5}, 10), variants=5, depth=15,
                width=128)


def _sigmoid_bound(answer) -> Verdict:
    value = number(answer)
    if value is None:
        return Verdict(False, f"expected a number, got {got(answer)}.")
    if np.isclose(value, 0.25**10, rtol=1e-3):
        return Verdict(True, f"0.25 ** 10 = {0.25**10:.2e}: the gradient shrinks by at least "
                             f"4 ** 10 = {4**10:,}, about a millionth, before the weights.")
    if np.isclose(value, 4**10, rtol=1e-3):
        return Verdict(False, f"{4**10:,} is how much the gradient shrinks at least; the "
                              f"question asks for the factor it is multiplied by at most, "
                              f"the inverse.")
    return Verdict(False, "the sigmoid's slope is largest at 0, where it is s(0)(1 - s(0)); "
                          "each layer multiplies the gradient by at most that.")


def _init_std(answer) -> Verdict:
    value = number(answer)
    if value is None:
        return Verdict(False, f"expected a number, got {got(answer)}.")
    if np.isclose(value, 1 / np.sqrt(256)):
        return Verdict(True, "1/sqrt(256) = 0.0625: the sum of 256 inputs then has variance 1.")
    if np.isclose(value, np.sqrt(2 / 256)):
        return Verdict(False, "that is He's choice, for ReLU, which zeroes half the inputs; "
                              "for inputs of variance 1, what keeps the sum at variance 1?")
    return Verdict(False, "the variance of a sum of n independent terms w*x is "
                          "n * var(w) * var(x).")


def _hidden_dense(model) -> list:
    keras = keras_module()
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)][:-1]


def _deeper_sigmoid(shallow, deep, batch) -> Measured:
    shallow, deep = at_initialisation("shallow", shallow), at_initialisation("deep", deep)
    keras = keras_module()
    layers = {"shallow": _hidden_dense(shallow), "deep": _hidden_dense(deep)}
    for name, hidden in layers.items():
        if not hidden or any(layer.activation is not keras.activations.sigmoid
                             for layer in hidden):
            raise NotTheRun(f"{name} must be a stack of sigmoid dense layers "
                             f"(models.deep_mlp(..., activation='sigmoid')).")
    if len(layers["deep"]) != 2 * len(layers["shallow"]):
        raise NotTheRun(f"deep must have twice shallow's hidden layers; they have "
                         f"{len(layers['deep'])} and {len(layers['shallow'])}.")
    kinds = {name: {(type(layer.kernel_initializer).__name__,
                     str(layer.kernel_initializer.get_config()), layer.units)
                    for layer in hidden} for name, hidden in layers.items()}
    if kinds["shallow"] != kinds["deep"]:
        raise NotTheRun("the two networks must differ only in depth: the same width and "
                         "the same initializer (std 1/sqrt(n)) in every layer.")
    ratios = {"shallow": first_over_last(shallow, batch), "deep": first_over_last(deep, batch)}
    return Measured(ratios, ratios["shallow"] - ratios["deep"], 0.0, "")


ANSWERS: dict[str, Callable[[object], Verdict]] = {
    "04-sigmoid-bound": _sigmoid_bound,
    "04-init-std": _init_std,
}


EXPERIMENTS: dict[str, RunExperiment] = {
    "04-deeper-sigmoid": RunExperiment(
        ("shallow", "deep", "batch"), _deeper_sigmoid, lambda shallow, deep: 0 < deep < shallow,
        lambda shallow, deep: f"twice the depth, a far smaller first-to-last ratio ({deep:.1e} "
                              f"against {shallow:.1e}): each extra sigmoid layer multiplies "
                              f"the gradient by a factor below one.",
        "the sigmoid's slope is at most 0.25, so with weights of std 1/sqrt(n) the gradient "
        "reaching the first layer is expected to shrink further with every extra sigmoid "
        "layer. The check measured both networks' first-over-last ratios on `batch` itself."),
}


EXPECTED = """\
["quick/fashion_mnist"]
relu_he_first_over_last = [0.3, 3.0]  # 1.047: He initialisation keeps the gradient level
sigmoid_lecun_first_over_last = [1e-12, 1e-6]  # 3.7e-9: it vanishes
relu_he_training_error = [0.08, 0.25]  # 0.1575
# ReLU with std 1: every layer's gradient about 8^14 (4e12) times He's, 15 layers of 128.
relu_std1_over_he_gradient = [1e10, 1e15]  # 5.7e12

["full/fashion_mnist"]
relu_he_first_over_last = [0.3, 3.0]  # 1.348, 1.348
sigmoid_lecun_first_over_last = [1e-12, 1e-6]  # 2.1e-9, 2.1e-9
relu_he_training_error = [0.05, 0.20]  # 0.1120, 0.1158
"""
