"""Self-checks for the exercises: `check.answer("01-conv-parameters", x)` says if x is right.

The expected values are computed (by Keras, from the chapter's own model), not typed in.
`check.experiment("05-deeper-plain", ...)` checks an experiment's measured results, which no
one can compute in advance, against what the sources predict of them, with a hint when they
disagree.
"""

from __future__ import annotations

import math
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


def _whole(answer, expected: int, right: str, hint: str) -> Verdict:
    """A whole-number answer: `right` explains the expected value, `hint` guides a wrong one."""
    if _integer(answer) == expected:
        return Verdict(True, right)
    return Verdict(False, hint)


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


def _function_check(answer, signature: str, cases, reference: str) -> Verdict:
    """Run the learner's function on `cases`, [(description, arguments, expected value)]."""
    if not callable(answer):
        return Verdict(False, f"expected a function {signature}, got {answer!r}.")
    for description, arguments, expected in cases:
        try:
            got = float(answer(*arguments))
        except Exception as error:
            return Verdict(False, f"it raised {error!r} for {description}.")
        if not np.isclose(got, expected):
            return Verdict(False, f"for {description} it gave {got:.4f}, the right value is "
                                  f"{expected:.4f}.")
    return Verdict(True, f"it agrees with {reference} on {len(cases)} test cases.")


def _random_cases(seed: int, shapes):
    """(labels, probabilities) for each (images, classes) in `shapes`, reproducibly."""
    rng = np.random.default_rng(seed)
    return [(n, c, rng.integers(0, c, n), rng.dirichlet(np.ones(c), n).astype("float32"))
            for n, c in shapes]


def _accuracy_function(answer) -> Verdict:
    cases = [(f"{n} images of {c} classes", (y, p), float(np.mean(p.argmax(axis=1) == y)))
             for n, c, y, p in _random_cases(0, ((1, 2), (7, 3), (100, 10)))]
    return _function_check(answer, "accuracy(y_true, probabilities)", cases,
                           "the argmax rule")


def _top_k_function(answer) -> Verdict:
    from imgclf.metrics import top_k_accuracy

    cases = [(f"{n} images, {c} classes and k={k}", (y, p, k), top_k_accuracy(y, p, k))
             for (n, c, y, p), k in zip(_random_cases(1, ((4, 3), (9, 5), (50, 10))), (1, 2, 5),
                                       strict=True)]
    return _function_check(answer, "top_k(y_true, probabilities, k)", cases,
                           "imgclf.metrics.top_k_accuracy")


def _number(answer) -> float | None:
    try:
        return float(answer)
    except (TypeError, ValueError):
        return None


def _random_top5(answer) -> Verdict:
    value = _number(answer)
    if value is None:
        return Verdict(False, f"expected a number (a fraction), got {answer!r}.")
    if np.isclose(value, 5 / 1000):
        return Verdict(True, "5 guesses out of 1000 classes: 0.5%.")
    if np.isclose(value, 0.5):
        return Verdict(False, "0.5 as a fraction is 50%, the answer for 10 classes. If you "
                              "meant 0.5%, give it as a fraction: 0.005.")
    return Verdict(False, "a random guess names 5 of the classes; how likely is the true "
                          "one among them?")


def _alexnet_conv1_size(answer) -> Verdict:
    from imgclf.models import AlexNet

    expected = AlexNet().get_layer("conv1").output.shape[1]
    return _whole(answer, expected, f"(227 - 11) / 4 + 1 = {expected}: conv1's maps are "
                                    f"{expected}x{expected}.",
                  "without padding, a k-wide kernel at stride s leaves (n - k) / s + 1 "
                  "positions of n.")


def _alexnet_fc6(answer) -> Verdict:
    from imgclf.models import AlexNet

    return _count(answer, AlexNet().get_layer("fc6").count_params(),
                  "fc6 sees the flattened 6x6x256 maps of conv5's pooling; one weight per "
                  "input and unit, plus a bias per unit.")


def _sigmoid_bound(answer) -> Verdict:
    value = _number(answer)
    if value is None:
        return Verdict(False, f"expected a number, got {answer!r}.")
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
    value = _number(answer)
    if value is None:
        return Verdict(False, f"expected a number, got {answer!r}.")
    if np.isclose(value, 1 / np.sqrt(256)):
        return Verdict(True, "1/sqrt(256) = 0.0625: the sum of 256 inputs then has variance 1.")
    if np.isclose(value, np.sqrt(2 / 256)):
        return Verdict(False, "that is He's choice, for ReLU, which zeroes half the inputs; "
                              "for inputs of variance 1, what keeps the sum at variance 1?")
    return Verdict(False, "the variance of a sum of n independent terms w*x is "
                          "n * var(w) * var(x).")


def _cifar_depth(answer) -> Verdict:
    from imgclf.analysis import weighted_depth
    from imgclf.models import CifarResNet

    expected = weighted_depth(CifarResNet(56))
    return _whole(answer, expected, f"6 x 9 + 2 = {expected} layers: ResNet-56.",
                  "three stages of n blocks, two convolutions each, plus the first "
                  "convolution and the classifier.")


def _bottleneck_weights(answer) -> Verdict:
    import keras

    from imgclf.models import bottleneck_block

    inputs = keras.Input((14, 14, 256))
    block = keras.Model(inputs, bottleneck_block(inputs, 64, name="b"))
    expected = sum(int(np.prod(block.get_layer(f"b_{i}_conv").kernel.shape)) for i in (1, 2, 3))
    return _count(answer, expected, "count the kernels only: 1x1 from 256 to 64, 3x3 from 64 "
                                    "to 64, 1x1 from 64 to 256.")


def _naive_channels(answer) -> Verdict:
    import keras

    from imgclf.models import naive_module

    inputs = keras.Input((28, 28, 192))
    expected = naive_module(inputs, 64, 128, 32, name="n").shape[-1]
    hint = ("the three convolutions are counted; what does the pooling branch pass on?"
            if _integer(answer) == 64 + 128 + 32
            else "the module concatenates its branches along the channels.")
    return _whole(answer, expected, f"64 + 128 + 32 + 192 = {expected}: the pooling branch "
                                    f"passes all 192 input channels on, so every naive module "
                                    f"widens the maps.", hint)


def _factorised_weights(answer) -> Verdict:
    import keras

    inputs = keras.Input((17, 17, 64))
    x = keras.layers.Conv2D(64, 3, padding="same", use_bias=False)(inputs)
    x = keras.layers.Conv2D(64, 3, padding="same", use_bias=False)(x)
    return _count(answer, keras.Model(inputs, x).count_params(),
                  "each 3x3 convolution from 64 to 64 channels has 3 x 3 x 64 x 64 weights.")


def _separable_parameters(answer) -> Verdict:
    import keras

    layer = keras.layers.SeparableConv2D(64, 3)
    layer.build((None, 16, 16, 32))
    expected = layer.count_params()
    if _integer(answer) == expected + 32:
        return Verdict(False, f"{expected + 32:,} counts a bias for each of the 32 depthwise "
                              f"filters too, as the lecture does; Keras's SeparableConv2D has "
                              f"biases only after the pointwise step.")
    return _count(answer, expected,
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
    value = _number(answer)
    if value is None:
        return Verdict(False, f"expected a number (a ratio), got {answer!r}.")
    if np.isclose(value, expected, rtol=0.01):
        return Verdict(True, f"9 x 128 / (9 + 128) = {expected:.2f}: per output pixel, "
                             f"9 x 128 x 128 against 9 x 128 + 128 x 128 multiply-adds.")
    return Verdict(False, "per output pixel and output channel the regular convolution does "
                          "3 x 3 x 128 multiply-adds; count the separable one's two steps.")


def _head_parameters(answer) -> Verdict:
    from imgclf.models import MobileNet

    features = MobileNet(include_top=False, pooling="avg").output_shape[-1]
    return _count(answer, features * 5 + 5,
                  f"MobileNet gives {features} features per image; a dense layer to 5 classes "
                  f"has a weight per feature and class, and a bias per class.")


def _xception_features(answer) -> Verdict:
    from imgclf.models import Xception

    expected = Xception(include_top=False, pooling="avg").output_shape[-1]
    return _whole(answer, expected, f"{expected}: the channels of Xception's last separable "
                                    f"convolution, one average per channel.",
                  "global average pooling keeps one number per channel of the last feature "
                  "maps; how many channels has Xception's last convolution?")


CHECKS: dict[str, Callable[[object], Verdict]] = {
    "01-conv-parameters": _conv_with_bias,
    "01-dense-parameters": _hidden_dense,
    "01-accuracy-function": _accuracy_function,
    "02-top-k-function": _top_k_function,
    "02-random-top5": _random_top5,
    "03-conv1-size": _alexnet_conv1_size,
    "03-fc6-parameters": _alexnet_fc6,
    "04-sigmoid-bound": _sigmoid_bound,
    "04-init-std": _init_std,
    "05-cifar-depth": _cifar_depth,
    "05-bottleneck-weights": _bottleneck_weights,
    "06-naive-channels": _naive_channels,
    "06-factorised-weights": _factorised_weights,
    "07-separable-parameters": _separable_parameters,
    "07-separable-ratio": _separable_ratio,
    "08-head-parameters": _head_parameters,
    "08-xception-features": _xception_features,
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


@dataclass(frozen=True)
class _Experiment:
    """What the sources predict of an experiment's measurements: `holds(**measured)`;
    `right(**measured)` says what the learner saw, `hint` where to look when it disagrees."""

    measured: tuple[str, ...]
    holds: Callable[..., bool]
    right: Callable[..., str]
    hint: str


class _NotTheRun(Exception):
    """A run that is not the one an experiment asks for; the message says what to pass."""


@dataclass(frozen=True)
class _RunExperiment:
    """An experiment checked from the runs themselves: `read(**runs)` verifies that they are
    the runs asked for (raising `_NotTheRun` otherwise) and returns the measured values and
    the noise of their difference (`_Measured`); `holds`, `right` and `hint` then judge the
    values as in `_Experiment`, unless the difference is within the noise."""

    measured: tuple[str, ...]
    read: Callable[..., _Measured]
    holds: Callable[..., bool]
    right: Callable[..., str]
    hint: str


@dataclass(frozen=True)
class _Measured:
    """What an experiment's runs measured: `values`, and `gap` (the difference the
    prediction is about) with `noise`, the gap that chance alone can make, and what it is."""

    values: dict[str, float]
    gap: float
    noise: float
    noise_is: str


def _accuracy_noise(first: float, second: float, images: int) -> float:
    """Twice the standard error of the difference of two accuracies on `images` test images
    each: a gap below it can come from which images happen to be tested alone."""
    return 2 * math.sqrt((first * (1 - first) + second * (1 - second)) / images)


def _test_accuracy(model, data) -> float:
    """`model`'s accuracy on `data`'s test images (scaled to [0, 1] as the networks take them)."""
    from imgclf.data import scale

    predicted = np.asarray(model.predict(scale(data.x_test), verbose=0)).argmax(axis=1)
    return float(np.mean(predicted == data.y_test))


def _test_set(name: str, data):
    from imgclf.data import Dataset

    if not isinstance(data, Dataset):
        raise _NotTheRun(f"{name} must be the imgclf.data.Dataset whose test images both runs "
                         f"are scored on, got {type(data).__name__}.")
    return data


def _history(name: str, run):
    """`run` if it is the History that model.fit returned, with a model and epochs."""
    import keras

    if isinstance(run, (int, float, np.number)) and not isinstance(run, bool):
        raise _NotTheRun(f"{name} must be the History that model.fit returned (history = "
                         f"model.fit(...)), not a number: the check reads what was run.")
    if not isinstance(run, keras.callbacks.History) or not getattr(run, "history", None) \
            or getattr(run, "model", None) is None:
        raise _NotTheRun(f"{name} must be the History that model.fit returned (history = "
                         f"model.fit(...)), got {type(run).__name__}.")
    return run


def _steps(history) -> int:
    """The optimiser steps a History's fit took: epochs run x steps per epoch."""
    return len(history.epoch) * history.params["steps"]


def _model(name: str, run):
    """`run` if it is a Keras model that has been trained (its optimiser took steps)."""
    import keras

    if isinstance(run, (int, float, np.number)) and not isinstance(run, bool):
        raise _NotTheRun(f"{name} must be the trained Keras model, not a number: the check "
                         f"reads and scores what was run.")
    if not isinstance(run, keras.Model):
        raise _NotTheRun(f"{name} must be the trained Keras model, got {type(run).__name__}.")
    if getattr(run, "optimizer", None) is None or int(run.optimizer.iterations) == 0:
        raise _NotTheRun(f"{name} has not been trained: compile and fit it first.")
    return run


def _dropout_rate(name: str, model) -> float:
    rates = [layer.rate for layer in model.layers if isinstance(layer, _keras().layers.Dropout)]
    if len(rates) != 1:
        raise _NotTheRun(f"{name} must be the chapter's small_cnn, with one dropout layer; it "
                         f"has {len(rates)}.")
    return float(rates[0])


def _keras():
    import keras

    return keras


TRAINED_SHARE = 0.8  # the dropout experiment fits with validation_split=0.2: the first 80%


def _heavy_dropout(without, heavy, data) -> _Measured:
    without, heavy = _model("without", without), _model("heavy", heavy)
    from imgclf.data import Dataset, scale

    if not isinstance(data, Dataset):
        raise _NotTheRun(f"data must be the imgclf.data.Dataset both networks trained on "
                         f"(`few`), got {type(data).__name__}.")
    rates = _dropout_rate("without", without), _dropout_rate("heavy", heavy)
    if rates[0] != 0.0 or rates[1] < 0.8:
        raise _NotTheRun(f"`without` must have no dropout and `heavy` a rate of 0.9; their "
                         f"dropout layers have rates {rates[0]:g} and {rates[1]:g}.")
    if without.count_params() != heavy.count_params():
        raise _NotTheRun("the two networks differ in more than dropout: build both with "
                         "models.small_cnn for the same images and classes.")
    steps = int(without.optimizer.iterations), int(heavy.optimizer.iterations)
    if steps[0] != steps[1]:
        raise _NotTheRun(f"the two networks trained for {steps[0]} and {steps[1]} steps: "
                         f"train `heavy` for as many epochs, on the same images and batch.")
    trained = int(len(data.x_train) * TRAINED_SHARE)
    x, y = scale(data.x_train[:trained]), data.y_train[:trained]
    accuracy = {name: float(np.mean(np.asarray(model.predict(x, verbose=0)).argmax(axis=1)
                                    == y))  # predict runs with dropout off
                for name, model in (("without", without), ("heavy", heavy))}
    return _Measured(accuracy, accuracy["without"] - accuracy["heavy"],
                     _accuracy_noise(*accuracy.values(), trained),
                     f"twice the standard error of two accuracies on {trained:,} training "
                     f"images")


def _at_initialisation(name: str, run):
    """`run` if it is a Keras model that has not been trained."""
    keras = _keras()
    if isinstance(run, (int, float, np.number)) and not isinstance(run, bool):
        raise _NotTheRun(f"{name} must be the Keras model itself, not a number: the check "
                         f"measures its gradients.")
    if not isinstance(run, keras.Model):
        raise _NotTheRun(f"{name} must be a Keras model, got {type(run).__name__}.")
    if getattr(run, "optimizer", None) is not None and int(run.optimizer.iterations) > 0:
        raise _NotTheRun(f"{name} has been trained: the experiment is about the gradient at "
                         f"initialisation, so build it anew.")
    return run


def _first_over_last(model, batch) -> float:
    """The gradient norm of the first layer with a kernel over that of the last hidden one
    (the classifier left out), for one batch (x, y)."""
    from imgclf import gradients

    if not isinstance(batch, tuple) or len(batch) != 2:
        raise _NotTheRun(f"batch must be the (images, labels) pair the chapter measured with, "
                         f"got {type(batch).__name__}.")
    norms = list(gradients.kernel_gradient_norms(model, *batch).values())[:-1]
    return norms[0] / norms[-1]


def _hidden_dense(model) -> list:
    keras = _keras()
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)][:-1]


def _deeper_sigmoid(shallow, deep, batch) -> _Measured:
    shallow, deep = _at_initialisation("shallow", shallow), _at_initialisation("deep", deep)
    keras = _keras()
    layers = {"shallow": _hidden_dense(shallow), "deep": _hidden_dense(deep)}
    for name, hidden in layers.items():
        if not hidden or any(layer.activation is not keras.activations.sigmoid
                             for layer in hidden):
            raise _NotTheRun(f"{name} must be a stack of sigmoid dense layers "
                             f"(models.deep_mlp(..., activation='sigmoid')).")
    if len(layers["deep"]) != 2 * len(layers["shallow"]):
        raise _NotTheRun(f"deep must have twice shallow's hidden layers; they have "
                         f"{len(layers['deep'])} and {len(layers['shallow'])}.")
    kinds = {name: {(type(layer.kernel_initializer).__name__,
                     str(layer.kernel_initializer.get_config()), layer.units)
                    for layer in hidden} for name, hidden in layers.items()}
    if kinds["shallow"] != kinds["deep"]:
        raise _NotTheRun("the two networks must differ only in depth: the same width and "
                         "the same initializer (std 1/sqrt(n)) in every layer.")
    ratios = {"shallow": _first_over_last(shallow, batch), "deep": _first_over_last(deep, batch)}
    return _Measured(ratios, ratios["shallow"] - ratios["deep"], 0.0, "")


def _deeper_plain(plain56, plain110, batch) -> _Measured:
    from imgclf.analysis import weighted_depth

    keras = _keras()
    nets = {"plain56": _at_initialisation("plain56", plain56),
            "plain110": _at_initialisation("plain110", plain110)}
    for name, net in nets.items():
        depth = int(name[5:])
        if any(isinstance(layer, keras.layers.Add) for layer in net.layers):
            raise _NotTheRun(f"{name} has shortcuts: build it with shortcut=\"plain\".")
        if weighted_depth(net) != depth:
            raise _NotTheRun(f"{name} must have {depth} layers with weights, it has "
                             f"{weighted_depth(net)} (models.CifarResNet({depth}, ...)).")
    ratios = {name: _first_over_last(net, batch) for name, net in nets.items()}
    return _Measured(ratios, ratios["plain110"] - ratios["plain56"], 0.0, "")


def _more_images(fewer, more, test) -> _Measured:
    fewer, more, test = _history("fewer", fewer), _history("more", more), _test_set("test", test)
    if fewer.model.count_params() != more.model.count_params():
        raise _NotTheRun(f"the two runs trained different networks ({fewer.model.count_params():,}"
                         f" and {more.model.count_params():,} parameters): train the same one.")
    if fewer.params["steps"] >= more.params["steps"]:
        raise _NotTheRun(f"`fewer` must be the run on fewer images: its epochs took "
                         f"{fewer.params['steps']} steps, the other's {more.params['steps']}.")
    if _steps(fewer) != _steps(more):
        raise _NotTheRun(f"the two runs took {_steps(fewer)} and {_steps(more)} optimiser steps: "
                         f"more images also means more steps per epoch. Train the smaller set "
                         f"for more epochs, so that both take the same number of steps and only "
                         f"the number of different images differs.")
    accuracy = {"fewer": _test_accuracy(fewer.model, test),
                "more": _test_accuracy(more.model, test)}
    return _Measured(accuracy, accuracy["more"] - accuracy["fewer"],
                     _accuracy_noise(*accuracy.values(), len(test.x_test)),
                     f"twice the standard error of two accuracies on {len(test.x_test):,} "
                     f"test images")


EXPERIMENTS: dict[str, _Experiment | _RunExperiment] = {
    "01-more-images": _RunExperiment(
        ("fewer", "more", "test"), _more_images, lambda fewer, more: more > fewer,
        lambda fewer, more: f"with the same number of steps, more different training images "
                            f"gave a higher test accuracy ({more:.1%} against {fewer:.1%}): "
                            f"the reason ever larger labelled data sets were built. The gap "
                            f"is beyond what the test images alone make; another seed tells "
                            f"whether it is beyond what the random start makes too.",
        "more labelled images are expected to give a higher test accuracy at the same number "
        "of steps. A small gap can come from the random start: run both again with another "
        "seed (keras.utils.set_random_seed) before you conclude."),
    "02-confused-pair": _Experiment(
        ("top1", "merged"), lambda top1, merged: merged > top1,
        lambda top1, merged: f"top-1 accuracy rises from {top1:.1%} to {merged:.1%} when one "
                             f"pair of classes counts as one: {(merged - top1) / (1 - top1):.0%} "
                             f"of the errors are that one confusion, the kind top-5 forgives.",
        "counting the most-confused pair as one class can only turn errors into hits: pass "
        "the plain top-1 accuracy as `top1` and the one with the pair merged as `merged`, and "
        "pick the pair (true, predicted) with the most test images off the diagonal."),
    "03-heavy-dropout": _RunExperiment(
        ("without", "heavy", "data"), _heavy_dropout, lambda without, heavy: heavy < without,
        lambda without, heavy: f"with 90% dropout the network fits its training images less "
                               f"well after the same epochs ({heavy:.1%} against "
                               f"{without:.1%}, both measured with dropout off): dropout "
                               f"this heavy holds back what the network can learn.",
        "heavy dropout is expected to lower the training accuracy, measured with dropout off "
        "(as the check measures it: history['accuracy'] is measured with dropout on, and so "
        "is lower for heavy dropout whatever the network learned). A small gap can come from "
        "the random start: try another seed."),
    "04-deeper-sigmoid": _RunExperiment(
        ("shallow", "deep", "batch"), _deeper_sigmoid, lambda shallow, deep: 0 < deep < shallow,
        lambda shallow, deep: f"twice the depth, a far smaller first-to-last ratio ({deep:.1e} "
                              f"against {shallow:.1e}): each extra sigmoid layer multiplies "
                              f"the gradient by a factor below one.",
        "the sigmoid's slope is at most 0.25, so with weights of std 1/sqrt(n) the gradient "
        "reaching the first layer is expected to shrink further with every extra sigmoid "
        "layer. The check measured both networks' first-over-last ratios on `batch` itself."),
    "05-deeper-plain": _RunExperiment(
        ("plain56", "plain110", "batch"), _deeper_plain,
        lambda plain56, plain110: plain110 > plain56 > 0,
        lambda plain56, plain110: f"the plain network's first-over-last gradient ratio grows "
                                  f"with depth ({plain110:.3g} at 110 layers against "
                                  f"{plain56:.3g} at 56): with batch normalisation the "
                                  f"gradient explodes further through every extra layer, as "
                                  f"Yang et al. (2019) predict at initialisation.",
        "the chapter measured the plain network's gradient growing on its way back; with more "
        "layers there is more to grow through. The check measured both networks' "
        "first-over-last ratios on `batch` itself."),
    "06-reduction-saving": _Experiment(
        ("at_192", "at_480"), lambda at_192, at_480: at_480 > at_192 > 1,
        lambda at_192, at_480: f"the 1x1 reductions save more on wider input ({at_480:.2f}x "
                               f"fewer multiply-adds at 480 channels against {at_192:.2f}x at "
                               f"192): the naive module's 3x3 and 5x5 convolutions see every "
                               f"input channel, the reduced ones only the few the 1x1s leave.",
        "pass the naive module's multiply-adds divided by the reduced module's (same widths), "
        "with 192 input channels as `at_192` and 480 as `at_480`."),
    "07-separable-width": _Experiment(
        ("at_32", "at_256"), lambda at_32, at_256: 9 > at_256 > at_32 > 1,
        lambda at_32, at_256: f"the saving grows with the width ({at_256:.2f}x fewer parameters "
                              f"at 256 channels, {at_32:.2f}x at 32) towards 9x, the 3x3 "
                              f"kernel's size: k²C² weights against k²C + C².",
        "pass the regular 3x3 convolution's parameters divided by the separable one's, from C "
        "to C channels, at C = 32 as `at_32` and C = 256 as `at_256`; it cannot exceed 9, the "
        "number of weights of a 3x3 kernel."),
    "08-more-labels": _Experiment(
        ("few", "more"), lambda few, more: more > few,
        lambda few, more: f"the head trained on the same features scores higher with more "
                          f"labelled images ({more:.1%} against {few:.1%}).",
        "a classifier is expected to do better from more labelled images. Pass the test "
        "accuracy of the head trained with fewer labels per class as `few`, both heads trained "
        "on features from the same extractor and tested on the same images."),
}


def experiment(name: str, **measured) -> Verdict:
    """Check an experiment's measured results (keyword arguments, see `EXPERIMENTS`) against
    what the sources predict of them. Where the experiment reads runs (a Keras History, a
    model), a number in their place, or a run of another setting than asked, is refused with
    a message that says what to pass.

    Raises:
        ValueError: an unknown experiment, or measurements named other than it expects.
    """
    if name not in EXPERIMENTS:
        raise ValueError(f"Unknown experiment {name!r}. Experiments with a check: "
                         f"{', '.join(EXPERIMENTS)}.")
    spec = EXPERIMENTS[name]
    if set(measured) != set(spec.measured):
        raise ValueError(f"check.experiment({name!r}, ...) takes the measurements "
                         f"{', '.join(f'{m}=...' for m in spec.measured)}, got "
                         f"{', '.join(f'{m}=...' for m in measured) or 'none'}")
    if isinstance(spec, _RunExperiment):
        try:
            seen = spec.read(**measured)
        except _NotTheRun as refused:
            return Verdict(False, str(refused))
        if abs(seen.gap) <= seen.noise:
            shown = ", ".join(f"{key} = {value:.4g}" for key, value in seen.values.items())
            return Verdict(False, f"{shown}: the difference, {seen.gap:+.3g}, is within "
                                  f"{seen.noise:.3g} ({seen.noise_is}), so this run cannot "
                                  f"tell. Run it on more images or for more steps.",
                           undecided=True)
        return _judged(spec, seen.values)
    values = {}
    for key in spec.measured:
        try:
            values[key] = float(measured[key])
        except (TypeError, ValueError):
            return Verdict(False, f"{key} must be a number you measured, got {measured[key]!r}.")
        if not math.isfinite(values[key]):
            return Verdict(False, f"{key} = {values[key]} is not a finite number: did the run "
                                  f"diverge?")
    return _judged(spec, values)


def _judged(spec: _Experiment | _RunExperiment, values: dict[str, float]) -> Verdict:
    """The verdict on measured `values`: what was seen when it agrees with the prediction, the
    values and the hint when not."""
    if spec.holds(**values):
        seen = spec.right(**values)
        return Verdict(True, seen[0].upper() + seen[1:])
    shown = ", ".join(f"{key} = {value:.4g}" for key, value in values.items())
    return Verdict(False, f"{shown}: {spec.hint}")
