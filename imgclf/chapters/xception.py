"""Chapter 7, Xception: its plan, its checks and its expected results."""

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
    accuracy_noise,
    count,
    got,
    integer,
    keras_module,
    number,
    trained,
)

NAME = "07-xception"


@dataclass(frozen=True)
class Plan(plans.TwoNetworkPlan):
    """MiniXception with separable convolutions against its regular twin, trained alike; the
    exercise trains a regular network of `matched_widths`, with about the separable one's
    parameters."""

    matched_widths: tuple[int, int]

    def builders(self) -> dict[str, Callable]:
        from imgclf import models

        return {"separable": models.MiniXception,
                "regular": lambda shape, classes: models.MiniXception(shape, classes,
                                                                      separable=False)}

    def exercise_builders(self) -> dict[str, Callable]:
        from imgclf import models

        return {"regular, matched": lambda shape, classes: models.MiniXception(
            shape, classes, widths=self.matched_widths, separable=False)}


def plan(settings) -> Plan:
    """The chapter's plan for `settings` (`imgclf.plans.chapter`)."""
    # The regular network's widths with about the separable one's parameters.
    return Plan(NAME, settings, **plans.TwoNetworkPlan.sizes(settings), matched_widths=(24, 48))


def _separable_parameters(answer) -> Verdict:
    import keras

    layer = keras.layers.SeparableConv2D(64, 3)
    layer.build((None, 16, 16, 32))
    expected = layer.count_params()
    if integer(answer) == expected + 32:
        return Verdict(False, f"{expected + 32:,} counts a bias for each of the 32 depthwise "
                              f"filters too, as the lecture does; Keras's SeparableConv2D has "
                              f"biases only after the pointwise step.")
    return count(answer, expected,
                  "a 3x3 depthwise kernel per input channel, a 1x1 pointwise weight per input "
                  "and output channel, and one bias per output channel.")


def _separable_ratio(answer) -> Verdict:
    import keras

    from imgclf.analysis import multiply_adds

    inputs = keras.Input((16, 16, 128))
    regular = keras.layers.Conv2D(128, 3, padding="same")
    separable = keras.layers.SeparableConv2D(128, 3, padding="same")
    keras.Model(inputs, [regular(inputs), separable(inputs)])
    expected = multiply_adds(regular) / multiply_adds(separable)
    value = number(answer)
    if value is None:
        return Verdict(False, f"expected a number (a ratio), got {got(answer)}.")
    if np.isclose(value, expected, rtol=0.01):
        return Verdict(True, f"9 x 128 / (9 + 128) = {expected:.2f}: per output pixel, "
                             f"9 x 128 x 128 against 9 x 128 + 128 x 128 multiply-adds.")
    return Verdict(False, "per output pixel and output channel the regular convolution does "
                          "3 x 3 x 128 multiply-adds; count the separable one's two steps.")


MATCHED_PARAMETERS = 0.15  # how far apart two parameter counts may be and still be matched


def _separable_count(run) -> int:
    keras = keras_module()
    return sum(isinstance(layer, keras.layers.SeparableConv2D) for layer in run.network.layers)


def _matched_parameters(separable, regular, matched) -> Measured:
    runs = {"separable": trained("separable", separable), "regular": trained("regular", regular),
            "matched": trained("matched", matched)}
    kinds = {name: _separable_count(run) for name, run in runs.items()}
    if not kinds["separable"] or kinds["regular"] or kinds["matched"]:
        raise NotTheRun(f"`separable` must use separable convolutions, `regular` and `matched` "
                         f"none; they have {kinds['separable']}, {kinds['regular']} and "
                         f"{kinds['matched']}.")
    counts = {name: run.record["parameters"] for name, run in runs.items()}
    if abs(counts["matched"] - counts["separable"]) > MATCHED_PARAMETERS * counts["separable"]:
        raise NotTheRun(f"`matched` has {counts['matched']:,} parameters and `separable` "
                         f"{counts['separable']:,}: choose its widths so that the counts are "
                         f"within {MATCHED_PARAMETERS:.0%} of each other.")
    if counts["regular"] <= counts["matched"]:
        raise NotTheRun(f"`regular` must be the chapter's regular network, wider than "
                         f"`matched`; they have {counts['regular']:,} and "
                         f"{counts['matched']:,} parameters.")
    same = ("dataset", "epochs", "config", "test_images")
    differ = sorted({key for run in runs.values() for key in same
                     if run.record.get(key) != runs["separable"].record.get(key)})
    if differ:
        raise NotTheRun(f"the runs differ in {', '.join(differ)}: train all three on the same "
                         f"data with the same config.")
    accuracy = {name: run.record["test_accuracy"] for name, run in runs.items()}
    leads = {"wide_lead": accuracy["regular"] - accuracy["separable"],
             "matched_lead": accuracy["matched"] - accuracy["separable"]}
    images = runs["separable"].record["test_images"]
    return Measured(leads, leads["wide_lead"] - leads["matched_lead"],
                     accuracy_noise(accuracy["regular"], accuracy["matched"], images),
                     f"twice the standard error of two accuracies on {images:,} test images")


ANSWERS: dict[str, Callable[[object], Verdict]] = {
    "07-separable-parameters": _separable_parameters,
    "07-separable-ratio": _separable_ratio,
}


EXPERIMENTS: dict[str, RunExperiment] = {
    "07-matched-parameters": RunExperiment(
        ("separable", "regular", "matched"), _matched_parameters,
        lambda wide_lead, matched_lead: matched_lead < wide_lead,
        lambda wide_lead, matched_lead: f"matched to the separable network's parameters, the "
                                        f"regular network's lead over it fell from "
                                        f"{100 * wide_lead:+.1f} to {100 * matched_lead:+.1f} "
                                        f"points: part of its advantage was its extra "
                                        f"parameters, which the separable convolutions do "
                                        f"without, the efficiency the Xception paper credits "
                                        f"them with.",
        "the Xception paper credits separable convolutions with a more efficient use of "
        "parameters, so taking the regular network down to the separable one's parameter "
        "count is expected to cut its lead. A small gap can come from the random start: try "
        "another seed."),
}


EXPECTED = """\
["quick/fashion_mnist"]
separable_test_accuracy = [0.83, 0.91]  # 0.8700
regular_test_accuracy = [0.84, 0.92]  # 0.8765
separable_parameters = [101706, 101706]  # counted
regular_parameters = [734634, 734634]  # counted
compare = ["separable_test_accuracy vs regular_test_accuracy"]

["full/fashion_mnist"]
separable_test_accuracy = [0.88, 0.94]  # 0.9147, 0.9155
regular_test_accuracy = [0.90, 0.95]  # 0.9307, 0.9294
separable_parameters = [101706, 101706]  # counted
regular_parameters = [734634, 734634]  # counted
compare = ["separable_test_accuracy vs regular_test_accuracy"]
"""
