"""Self-checks for the exercises: `check.answer("01-conv-parameters", x)` says if x is right.

The expected values are computed (by Keras, from the chapter's own model), not typed in.
`check.experiment("05-deeper-plain", ...)` checks an experiment's measured results, which no
one can compute in advance, against what the lecture predicts of them, with a hint when they
disagree.
"""

from __future__ import annotations

import math
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


@dataclass(frozen=True)
class _Experiment:
    """What the lecture predicts of an experiment's measurements: `holds(**measured)`;
    `right(**measured)` says what the learner saw, `hint` where to look when it disagrees."""

    measured: tuple[str, ...]
    holds: Callable[..., bool]
    right: Callable[..., str]
    hint: str


EXPERIMENTS: dict[str, _Experiment] = {
    "01-more-images": _Experiment(
        ("fewer", "more"), lambda fewer, more: more > fewer,
        lambda fewer, more: f"more training images, higher test accuracy ({more:.1%} against "
                            f"{fewer:.1%}): the reason the data sets of the lecture grew.",
        "the lecture predicts higher test accuracy from more labelled images. Pass the test "
        "accuracy of the run on fewer images as `fewer`, and train both runs the same way "
        "(epochs, batch size, seed) and evaluate them on the same test images."),
    "02-confused-pair": _Experiment(
        ("top1", "merged"), lambda top1, merged: merged > top1,
        lambda top1, merged: f"top-1 accuracy rises from {top1:.1%} to {merged:.1%} when one "
                             f"pair of classes counts as one: {(merged - top1) / (1 - top1):.0%} "
                             f"of the errors are that one confusion, the kind top-5 forgives.",
        "counting the most-confused pair as one class can only turn errors into hits: pass "
        "the plain top-1 accuracy as `top1` and the one with the pair merged as `merged`, and "
        "pick the pair (true, predicted) with the most test images off the diagonal."),
    "03-heavy-dropout": _Experiment(
        ("without", "heavy"), lambda without, heavy: heavy < without,
        lambda without, heavy: f"with 90% dropout the training accuracy after the same epochs "
                               f"is lower ({heavy:.1%} against {without:.1%}): dropout holds "
                               f"back how well the network can fit its training images.",
        "the lecture predicts a lower training accuracy with heavy dropout. Compare the final "
        "training accuracy (history['accuracy'][-1], not the validation accuracy), `without` "
        "from the run without dropout, after the same number of epochs."),
    "04-deeper-sigmoid": _Experiment(
        ("shallow", "deep"), lambda shallow, deep: 0 < deep < shallow,
        lambda shallow, deep: f"twice the depth, a far smaller first-to-last ratio ({deep:.1e} "
                              f"against {shallow:.1e}): each extra sigmoid layer multiplies "
                              f"the gradient by a factor below one.",
        "the lecture predicts that the gradient reaching the first layer shrinks further with "
        "every extra sigmoid layer. Pass the first layer's gradient norm over the last hidden "
        "layer's, for the same initialisation (std 1/sqrt(n)), at 15 layers as `shallow`."),
    "05-deeper-plain": _Experiment(
        ("plain56", "plain110"), lambda plain56, plain110: plain110 > plain56 > 0,
        lambda plain56, plain110: f"the plain network's first-over-last gradient ratio grows "
                                  f"with depth ({plain110:.3g} at 110 layers against "
                                  f"{plain56:.3g} at 56): the deeper the plain network, the "
                                  f"more its first layers' steps outsize its last ones'.",
        "the chapter measured the plain network's gradient growing on its way back; with more "
        "layers there is more to grow through. Build the network with shortcut=\"plain\", "
        "and divide the first convolution's gradient norm by the last one's."),
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
        "the lecture predicts a better classifier from more labelled images. Pass the test "
        "accuracy of the head trained with fewer labels per class as `few`, both heads trained "
        "on features from the same extractor and tested on the same images."),
}


def experiment(name: str, **measured) -> Verdict:
    """Check an experiment's measured results (keyword arguments, see `EXPERIMENTS`) against
    what the lecture predicts of them.

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
    values = {}
    for key in spec.measured:
        try:
            values[key] = float(measured[key])
        except (TypeError, ValueError):
            return Verdict(False, f"{key} must be a number you measured, got {measured[key]!r}.")
        if not math.isfinite(values[key]):
            return Verdict(False, f"{key} = {values[key]} is not a finite number: did the run "
                                  f"diverge?")
    if spec.holds(**values):
        seen = spec.right(**values)
        return Verdict(True, seen[0].upper() + seen[1:])
    shown = ", ".join(f"{key} = {value:.4g}" for key, value in values.items())
    return Verdict(False, f"{shown}: {spec.hint}")
