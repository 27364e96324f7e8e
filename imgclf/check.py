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
