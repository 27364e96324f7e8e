"""Self-checks for the exercises: `check.answer("01-conv-parameters", x)` says if x is right.

The expected values are computed (by Keras, from the chapter's own model), not typed in.
`check.experiment("05-deeper-plain", ...)` checks an experiment's measured results, which no
one can compute in advance, against what the sources predict of them, with a hint when they
disagree.
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


def _integer(answer) -> int | None:
    """A whole number given as a number (Python's or NumPy's, 42.0 too); None otherwise,
    text included: every check takes numbers, never their text."""
    value = _number(answer)
    return int(value) if value is not None and value == int(value) else None


def _got(answer) -> str:
    """How a check's "expected a number" message quotes what it got."""
    if isinstance(answer, str):
        return f"{answer!r}, text: pass the number itself, without quotes"
    return repr(answer)


def _count(answer, expected: int, hint: str) -> Verdict:
    value = _integer(answer)
    if value is None:
        return Verdict(False, f"expected a whole number of parameters, got {_got(answer)}.")
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
        return Verdict(False, f"expected a function {signature}, got {_got(answer)}.")
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
    """A finite number (any `numbers.Real` but a bool); None for anything else, text
    included, as `_integer`."""
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, numbers.Real):
        return None
    value = float(answer)
    return value if math.isfinite(value) else None


def _random_top5(answer) -> Verdict:
    value = _number(answer)
    if value is None:
        return Verdict(False, f"expected a number (a fraction), got {_got(answer)}.")
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
        return Verdict(False, f"expected a number, got {_got(answer)}.")
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
        return Verdict(False, f"expected a number, got {_got(answer)}.")
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
        return Verdict(False, f"expected a number (a ratio), got {_got(answer)}.")
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


class _NotTheRun(Exception):
    """A run that is not the one an experiment asks for; the message says what to pass."""


@dataclass(frozen=True)
class _RunExperiment:
    """An experiment checked from the runs themselves: `read(**runs)` verifies that they are
    the runs asked for (raising `_NotTheRun` otherwise) and returns the measured values and
    the noise of their difference (`_Measured`). Unless the difference is within the noise,
    `holds(**values)` says whether the sources' prediction held, `right(**values)` what the
    learner saw, and `hint` where to look when it did not."""

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
    return gradients.first_over_last(gradients.kernel_gradient_norms(model, *batch))


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


TIMING_BATCH = 16  # images per timed forward pass, as in chapter 6's timing


def _module(name: str, model, channels: int, convolutions: int):
    """`model` if it is one Inception module on (28, 28, `channels`) maps with
    `convolutions` convolutions (3 naive, 6 reduced)."""
    keras = _keras()
    if isinstance(model, (int, float, np.number)) and not isinstance(model, bool):
        raise _NotTheRun(f"{name} must be the module's Keras model, not a number: the check "
                         f"times it itself.")
    if not isinstance(model, keras.Model):
        raise _NotTheRun(f"{name} must be a Keras model (module_model(...)), got "
                         f"{type(model).__name__}.")
    if tuple(model.input_shape[1:]) != (28, 28, channels):
        raise _NotTheRun(f"{name} must take 28x28 maps of {channels} channels, it takes "
                         f"{tuple(model.input_shape[1:])}.")
    found = sum(isinstance(layer, keras.layers.Conv2D) for layer in model.layers)
    if found != convolutions:
        raise _NotTheRun(f"{name} has {found} convolutions; the "
                         f"{'naive' if convolutions == 3 else 'reduced'} module has "
                         f"{convolutions}.")
    return model


def _time_ratios(naive, reduced, rounds: int = 2) -> list[float]:
    """Naive over reduced forward time, once per round (each the median of 5 calls)."""
    from imgclf.timing import forward_seconds

    batch = np.random.default_rng(0).random((TIMING_BATCH, *naive.input_shape[1:]),
                                            dtype="float32")
    return [forward_seconds(naive, batch) / forward_seconds(reduced, batch)
            for _ in range(rounds)]


def _reduction_saving(naive_192, reduced_192, naive_480, reduced_480) -> _Measured:
    modules = {channels: (_module(f"naive_{channels}", naive, channels, 3),
                          _module(f"reduced_{channels}", reduced, channels, 6))
               for channels, naive, reduced in ((192, naive_192, reduced_192),
                                                (480, naive_480, reduced_480))}
    widths = {channels: (naive.output_shape[-1] - channels, reduced.output_shape[-1])
              for channels, (naive, reduced) in modules.items()}
    if widths[192] != widths[480]:
        raise _NotTheRun(f"the modules must have the same branch widths at both input widths; "
                         f"their convolutions give {widths[192]} and {widths[480]} channels.")
    rounds = {channels: _time_ratios(*pair) for channels, pair in modules.items()}
    ratios = {f"at_{channels}": float(np.mean(r)) for channels, r in rounds.items()}
    noise = sum(max(r) - min(r) for r in rounds.values())
    return _Measured(ratios, ratios["at_480"] - ratios["at_192"], noise,
                     "how much the ratios moved between two timings of the same modules")


MATCHED_PARAMETERS = 0.15  # how far apart two parameter counts may be and still be matched


def _trained(name: str, run):
    """`run` if it is what imgclf.train.fit returned."""
    from imgclf.train import Trained

    if isinstance(run, (int, float, np.number)) and not isinstance(run, bool):
        raise _NotTheRun(f"{name} must be what train.fit returned, not a number: the check "
                         f"reads the run's record and network.")
    if not isinstance(run, Trained) or "test_accuracy" not in run.record:
        raise _NotTheRun(f"{name} must be what train.fit(...) returned, with test images, got "
                         f"{type(run).__name__}.")
    return run


def _separable_count(run) -> int:
    keras = _keras()
    return sum(isinstance(layer, keras.layers.SeparableConv2D) for layer in run.network.layers)


def _matched_parameters(separable, regular, matched) -> _Measured:
    runs = {"separable": _trained("separable", separable), "regular": _trained("regular", regular),
            "matched": _trained("matched", matched)}
    kinds = {name: _separable_count(run) for name, run in runs.items()}
    if not kinds["separable"] or kinds["regular"] or kinds["matched"]:
        raise _NotTheRun(f"`separable` must use separable convolutions, `regular` and `matched` "
                         f"none; they have {kinds['separable']}, {kinds['regular']} and "
                         f"{kinds['matched']}.")
    counts = {name: run.record["parameters"] for name, run in runs.items()}
    if abs(counts["matched"] - counts["separable"]) > MATCHED_PARAMETERS * counts["separable"]:
        raise _NotTheRun(f"`matched` has {counts['matched']:,} parameters and `separable` "
                         f"{counts['separable']:,}: choose its widths so that the counts are "
                         f"within {MATCHED_PARAMETERS:.0%} of each other.")
    if counts["regular"] <= counts["matched"]:
        raise _NotTheRun(f"`regular` must be the chapter's regular network, wider than "
                         f"`matched`; they have {counts['regular']:,} and "
                         f"{counts['matched']:,} parameters.")
    same = ("dataset", "epochs", "config", "test_images")
    differ = sorted({key for run in runs.values() for key in same
                     if run.record.get(key) != runs["separable"].record.get(key)})
    if differ:
        raise _NotTheRun(f"the runs differ in {', '.join(differ)}: train all three on the same "
                         f"data with the same config.")
    accuracy = {name: run.record["test_accuracy"] for name, run in runs.items()}
    leads = {"wide_lead": accuracy["regular"] - accuracy["separable"],
             "matched_lead": accuracy["matched"] - accuracy["separable"]}
    images = runs["separable"].record["test_images"]
    return _Measured(leads, leads["wide_lead"] - leads["matched_lead"],
                     _accuracy_noise(accuracy["regular"], accuracy["matched"], images),
                     f"twice the standard error of two accuracies on {images:,} test images")


def _more_labels(few, more, test) -> _Measured:
    from imgclf.transfer import HeadRun, extract

    for name, run in (("few", few), ("more", more)):
        if isinstance(run, (int, float, np.number)) and not isinstance(run, bool):
            raise _NotTheRun(f"{name} must be what transfer.head_run returned, not a number: "
                             f"the check scores the heads itself.")
        if not isinstance(run, HeadRun):
            raise _NotTheRun(f"{name} must be what transfer.head_run(extractor, labelled) "
                             f"returned, got {type(run).__name__}.")
    test = _test_set("test", test)
    if few.extractor is not more.extractor:
        raise _NotTheRun("the two heads must be trained on the same extractor's features.")
    if few.seed != more.seed:
        raise _NotTheRun(f"the two heads were trained with seeds {few.seed} and {more.seed}: "
                         f"use the same one, so that only the labels differ.")
    if few.labels_per_class >= more.labels_per_class:
        raise _NotTheRun(f"`few` must have fewer labelled images per class than `more`; they "
                         f"have {few.labels_per_class} and {more.labels_per_class}.")
    features = extract(few.extractor, test.x_test)
    accuracy = {name: float(np.mean(extract(run.head, features).argmax(axis=1) == test.y_test))
                for name, run in (("few", few), ("more", more))}
    return _Measured(accuracy, accuracy["more"] - accuracy["few"],
                     _accuracy_noise(*accuracy.values(), len(test.x_test)),
                     f"twice the standard error of two accuracies on {len(test.x_test):,} "
                     f"test images")


def _class_list(name: str, classes, num_classes: int) -> list[int]:
    if isinstance(classes, (int, float, np.number)) or not hasattr(classes, "__iter__"):
        raise _NotTheRun(f"{name} must be a list of class indices, got {classes!r}.")
    found = [int(c) for c in classes if isinstance(c, (int, np.integer))]
    if len(found) != len(list(classes)) or len(found) < 2 or len(set(found)) != len(found) \
            or not all(0 <= c < num_classes for c in found):
        raise _NotTheRun(f"{name} must be two or more different class indices in "
                         f"0..{num_classes - 1}, got {list(classes)!r}.")
    return found


def _alike_classes(model, data, alike, distinct) -> _Measured:
    from imgclf.data import Dataset
    from imgclf.metrics import top_k_accuracy

    keras = _keras()
    if not isinstance(model, keras.Model):
        raise _NotTheRun(f"model must be the trained Keras model (trained.model), got "
                         f"{type(model).__name__}.")
    if not isinstance(data, Dataset):
        raise _NotTheRun(f"data must be the imgclf.data.Dataset the model was tested on, got "
                         f"{type(data).__name__}.")
    if model.output_shape[-1] != data.num_classes:
        raise _NotTheRun(f"the model tells {model.output_shape[-1]} classes apart, the data "
                         f"has {data.num_classes}: pass the data it was trained for.")
    alike = _class_list("alike", alike, data.num_classes)
    distinct = _class_list("distinct", distinct, data.num_classes)
    if set(alike) & set(distinct) or len(alike) != len(distinct):
        raise _NotTheRun("alike and distinct must be as many classes each, none in both, so "
                         "that only how alike they are differs.")
    probabilities = np.asarray(model.predict(data.x_test, verbose=0))
    forgiven, images = {}, {}
    for name, classes in (("alike", alike), ("distinct", distinct)):
        chosen = np.isin(data.y_test, classes)
        y, p = data.y_test[chosen], probabilities[chosen]
        forgiven[name] = top_k_accuracy(y, p, 5) - top_k_accuracy(y, p, 1)
        images[name] = int(chosen.sum())
    noise = 2 * math.sqrt(sum(max(f, 1e-3) * (1 - f) / images[n]
                              for n, f in forgiven.items()))
    return _Measured(forgiven, forgiven["alike"] - forgiven["distinct"], noise,
                     f"twice the standard error of the two shares on {images['alike']:,} and "
                     f"{images['distinct']:,} test images")


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


EXPERIMENTS: dict[str, _RunExperiment] = {
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
    "02-alike-classes": _RunExperiment(
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
    "06-reduction-saving": _RunExperiment(
        ("naive_192", "reduced_192", "naive_480", "reduced_480"), _reduction_saving,
        lambda at_192, at_480: at_480 > at_192 > 1,
        lambda at_192, at_480: f"the 1x1 reductions save more time on wider input (the naive "
                               f"module took {at_480:.2f}x the reduced one's time at 480 "
                               f"channels, {at_192:.2f}x at 192): the naive module's 3x3 and "
                               f"5x5 convolutions see every input channel, the reduced ones "
                               f"only the few the 1x1s leave.",
        "the reductions are expected to save more time on wider input, as they save more "
        "multiply-adds there. On a busy machine the timings move: run the check again."),
    "07-matched-parameters": _RunExperiment(
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
    "08-more-labels": _RunExperiment(
        ("few", "more", "test"), _more_labels, lambda few, more: more > few,
        lambda few, more: f"the head trained on the same features scores higher with more "
                          f"labelled images ({more:.1%} against {few:.1%}).",
        "a classifier is expected to do better from more labelled images. A small gap can "
        "come from which images were picked: try another seed for labels_per_class."),
}


def experiment(name: str, **runs) -> Verdict:
    """Check an experiment from the runs it names (keyword arguments, see `EXPERIMENTS`: a
    Keras History, a model, a `train.fit` result, a data set) against what the sources
    predict: "Correct." when the outcome agrees, "Not yet." with a hint when it disagrees,
    "Cannot tell yet." when the difference is within the noise the check can measure. A
    number in place of a run, or a run of another setting than asked, is refused with a
    message that says what to pass.

    Raises:
        ValueError: an unknown experiment, or measurements named other than it expects.
    """
    if name not in EXPERIMENTS:
        raise ValueError(f"Unknown experiment {name!r}. Experiments with a check: "
                         f"{', '.join(EXPERIMENTS)}.")
    spec = EXPERIMENTS[name]
    if set(runs) != set(spec.measured):
        raise ValueError(f"check.experiment({name!r}, ...) takes the measurements "
                         f"{', '.join(f'{m}=...' for m in spec.measured)}, got "
                         f"{', '.join(f'{m}=...' for m in runs) or 'none'}")
    try:
        seen = spec.read(**runs)
    except _NotTheRun as refused:
        return Verdict(False, str(refused))
    if abs(seen.gap) <= seen.noise:
        shown = ", ".join(f"{key} = {value:.4g}" for key, value in seen.values.items())
        return Verdict(False, f"{shown}: the difference, {seen.gap:+.3g}, is within "
                              f"{seen.noise:.3g} ({seen.noise_is}), so this run cannot tell. "
                              f"Run it on more images or for more steps.", undecided=True)
    return _judged(spec, seen.values)


def _judged(spec: _RunExperiment, values: dict[str, float]) -> Verdict:
    """The verdict on measured `values`: what was seen when it agrees with the prediction, the
    values and the hint when not."""
    if spec.holds(**values):
        seen = spec.right(**values)
        return Verdict(True, seen[0].upper() + seen[1:])
    shown = ", ".join(f"{key} = {value:.4g}" for key, value in values.items())
    return Verdict(False, f"{shown}: {spec.hint}")
