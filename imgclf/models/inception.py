"""Inception (Szegedy et al.): let the network choose between kernel sizes and pooling.

An Inception module runs 1x1, 3x3 and 5x5 convolutions and a 3x3 max-pooling side by side on
the same input and concatenates their maps. In the naive module every branch sees all input
channels, so its cost grows with the input's width; the module with reductions puts 1x1
convolutions in front of the 3x3 and 5x5 ones (and behind the pooling) to narrow them first.

- `naive_module` and `reduction_module`: the two modules of the GoogLeNet paper, by widths;
- `GoogLeNet`: Inception v1, 22 layers with weights, optional auxiliary classifiers;
- `InceptionV3`: Inception v3 with factorised convolutions and batch normalisation, laid out
  exactly as `keras.applications.InceptionV3` so its weights load into it.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from imgclf.models.common import (
    check_arguments,
    check_block,
    conv_bn_relu,
    headless_ending,
    pooled_classifier,
    softmax_classifier,
)
from imgclf.models.lrn import LocalResponseNormalization


def _conv_relu(x, filters, kernel, name, stride=1, batch_norm=False):
    """GoogLeNet's unit, a convolution with bias and ReLU; with `batch_norm`, the unit of
    Inception from v2 on (`conv_bn_relu` without the normalisation's scale)."""
    if batch_norm:
        return conv_bn_relu(x, filters, kernel, name, stride=stride, bn_scale=False)
    return layers.Conv2D(filters, kernel, strides=stride, padding="same", activation="relu",
                         name=name)(x)


def naive_module(x, n1x1: int, n3x3: int, n5x5: int, name: str = "naive"):
    """1x1, 3x3 and 5x5 convolutions and 3x3 max-pooling of the same input, concatenated.

    Shapes: (N, H, W, C) -> (N, H, W, n1x1 + n3x3 + n5x5 + C): the pooling branch keeps all
    C input channels, so stacking these modules widens the maps at every step.
    """
    check_block(name, x)
    _check_widths(name, n1x1=n1x1, n3x3=n3x3, n5x5=n5x5)
    branches = [
        _conv_relu(x, n1x1, 1, f"{name}_1x1"),
        _conv_relu(x, n3x3, 3, f"{name}_3x3"),
        _conv_relu(x, n5x5, 5, f"{name}_5x5"),
        layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x),
    ]
    return layers.Concatenate(name=f"{name}_concat")(branches)


def reduction_module(x, n1x1: int, n3x3_reduce: int, n3x3: int, n5x5_reduce: int, n5x5: int,
                     pool_proj: int, name: str = "inception", batch_norm: bool = False):
    """The module with dimension reductions: 1x1 convolutions before the 3x3 and 5x5 ones and
    after the pooling, each followed by ReLU (GoogLeNet, Figure 2b; widths as in its Table 1).
    With `batch_norm`, every convolution is followed by batch normalisation (as from v3 on).

    Shapes: (N, H, W, C) -> (N, H, W, n1x1 + n3x3 + n5x5 + pool_proj).
    """
    check_block(name, x)
    _check_widths(name, n1x1=n1x1, n3x3_reduce=n3x3_reduce, n3x3=n3x3,
                  n5x5_reduce=n5x5_reduce, n5x5=n5x5, pool_proj=pool_proj)
    bn = batch_norm
    branch1 = _conv_relu(x, n1x1, 1, f"{name}_1x1", batch_norm=bn)
    branch2 = _conv_relu(x, n3x3_reduce, 1, f"{name}_3x3_reduce", batch_norm=bn)
    branch2 = _conv_relu(branch2, n3x3, 3, f"{name}_3x3", batch_norm=bn)
    branch3 = _conv_relu(x, n5x5_reduce, 1, f"{name}_5x5_reduce", batch_norm=bn)
    branch3 = _conv_relu(branch3, n5x5, 5, f"{name}_5x5", batch_norm=bn)
    branch4 = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    branch4 = _conv_relu(branch4, pool_proj, 1, f"{name}_pool_proj", batch_norm=bn)
    return layers.Concatenate(name=f"{name}_concat")([branch1, branch2, branch3, branch4])


def _check_widths(name, **widths):
    """Every branch width a positive integer (Python's or NumPy's); the message names the
    argument that is not."""
    for argument, width in widths.items():
        if (isinstance(width, (bool, np.bool_)) or not isinstance(width, numbers.Integral)
                or width < 1):
            raise ValueError(f"{name}: every branch width must be a positive integer, got "
                             f"{argument}={width!r}")


def residual_module(x, width: int, scale: float = 0.2, name: str = "inception_resnet"):
    """An Inception-ResNet module (Inception v4 paper, Figure 16, narrowed to `width`): three
    branches (1x1; 1x1-3x3; 1x1-3x3-3x3, the 5x5 factorised), concatenated, a linear 1x1
    convolution back to the input's C channels, added to the input scaled by `scale`, ReLU.

    Shapes: (N, H, W, C) -> (N, H, W, C).
    """
    check_block("residual_module", x, width=width)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale <= 1:
        raise ValueError(f"{name}: scale must be a number in (0, 1], got {scale!r}")
    branch1 = _conv_relu(x, width, 1, f"{name}_1x1", batch_norm=True)
    branch2 = _conv_relu(x, width, 1, f"{name}_3x3_reduce", batch_norm=True)
    branch2 = _conv_relu(branch2, width, 3, f"{name}_3x3", batch_norm=True)
    branch3 = _conv_relu(x, width, 1, f"{name}_5x5_reduce", batch_norm=True)
    branch3 = _conv_relu(branch3, width, 3, f"{name}_5x5_a", batch_norm=True)
    branch3 = _conv_relu(branch3, width, 3, f"{name}_5x5_b", batch_norm=True)
    mixed = layers.Concatenate(name=f"{name}_concat")([branch1, branch2, branch3])
    change = layers.Conv2D(x.shape[-1], 1, name=f"{name}_linear")(mixed)
    # Scaling the residual down kept very wide Inception-ResNets from dying early in training.
    x = layers.Add(name=f"{name}_add")([x, layers.Rescaling(scale, name=f"{name}_scale")(change)])
    return layers.Activation("relu", name=name)(x)


def _modules(x, plan, pools: int, batch_norm: bool = False):
    """Run the modules of `plan` (GoogLeNet's Table 1 layout: (name, widths) or "pool" for
    3x3/2 max-pooling) on `x`; yield each module's name and output. `pools` numbers the
    poolings already in the network."""
    for step in plan:
        if step == "pool":
            pools += 1
            x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"pool{pools}")(x)
            continue
        module, widths = step
        x = reduction_module(x, *widths, name=f"inception_{module}", batch_norm=batch_norm)
        yield module, x


# --- A small Inception network for 28-32 px images -----------------------------------------

#: name -> (#1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj), as GoogLeNet's Table 1.
MINI_INCEPTION = (
    ("3a", (16, 16, 24, 8, 8, 8)), ("3b", (24, 24, 32, 8, 16, 16)), "pool",
    ("4a", (48, 32, 64, 8, 16, 16)), ("4b", (48, 32, 64, 8, 16, 16)), "pool",
    ("5a", (64, 48, 96, 16, 32, 32)),
)


def MiniInception(input_shape=(28, 28, 1), num_classes: int = 10, include_top: bool = True,
                  pooling=None):
    """A GoogLeNet in miniature for 28-32 px images: a 3x3 stem convolution (32 filters) and
    3x3/2 max-pooling, five Inception modules with reductions and batch normalisation in three
    grids (14, 7 and 4 for 28x28 input), global average pooling and a softmax classifier:
    about 0.17M parameters.
    Images (N, H, W, C) scaled by the caller, at least 8x8 pixels.
    """
    input_shape = check_arguments("mini_inception", input_shape, num_classes, 8,
                                  pooling=pooling)
    inputs = keras.Input(input_shape, name="images")
    x = _conv_relu(inputs, 32, 3, "stem", batch_norm=True)
    # Like GoogLeNet's stem, shrink the grid before the modules: they are the costly part.
    stem = layers.MaxPooling2D(3, strides=2, padding="same", name="stem_pool")(x)
    *_, (_, x) = _modules(stem, MINI_INCEPTION, pools=0, batch_norm=True)
    return pooled_classifier(inputs, x, "mini_inception", num_classes, include_top, pooling)


# --- GoogLeNet (Inception v1), Table 1 of arXiv:1409.4842 ---------------------------------

#: name -> (#1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj); "pool" is 3x3/2 max-pooling.
GOOGLENET = (
    ("3a", (64, 96, 128, 16, 32, 32)), ("3b", (128, 128, 192, 32, 96, 64)), "pool",
    ("4a", (192, 96, 208, 16, 48, 64)), ("4b", (160, 112, 224, 24, 64, 64)),
    ("4c", (128, 128, 256, 24, 64, 64)), ("4d", (112, 144, 288, 32, 64, 64)),
    ("4e", (256, 160, 320, 32, 128, 128)), "pool",
    ("5a", (256, 160, 320, 32, 128, 128)), ("5b", (384, 192, 384, 48, 128, 128)),
)
AUXILIARY_AFTER = ("4a", "4d")


def auxiliary_classifier(x, num_classes: int, name: str):
    """GoogLeNet's side classifier: 5x5/3 average pooling, 1x1 conv (128), FC 1024, 70% dropout."""
    x = layers.AveragePooling2D(5, strides=3, name=f"{name}_pool")(x)
    x = _conv_relu(x, 128, 1, f"{name}_conv")
    x = layers.Flatten(name=f"{name}_flatten")(x)
    x = layers.Dense(1024, activation="relu", name=f"{name}_fc")(x)
    x = layers.Dropout(0.7, name=f"{name}_dropout")(x)
    return softmax_classifier(x, num_classes, f"{name}_predictions")


def GoogLeNet(input_shape=(224, 224, 3), num_classes=1000, include_top=True, pooling=None,
              auxiliary: bool = False):
    """GoogLeNet: a stem of three convolutions, nine Inception modules, average pooling and one
    dense classifier (22 layers with weights). With `auxiliary`, the model has three outputs:
    the main classifier and the side classifiers after 4a and 4d (used only in training).
    Images (N, H, W, 3), at least 32x32 pixels (224x224 as published).
    """
    input_shape = check_arguments("googlenet", input_shape, num_classes, 32, pooling=pooling)
    if auxiliary and min(input_shape[:2]) < 112:
        raise ValueError(f"googlenet: the auxiliary classifiers need at least 112x112 pixels, "
                         f"got input_shape {input_shape}")
    inputs = keras.Input(input_shape, name="images")
    x = _conv_relu(inputs, 64, 7, "conv1_7x7", stride=2)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    x = LocalResponseNormalization(name="pool1_lrn")(x)
    x = _conv_relu(x, 64, 1, "conv2_3x3_reduce")
    x = _conv_relu(x, 192, 3, "conv2_3x3")
    x = LocalResponseNormalization(name="conv2_lrn")(x)
    stem = layers.MaxPooling2D(3, strides=2, padding="same", name="pool2")(x)
    side_outputs = []
    for module, x in _modules(stem, GOOGLENET, pools=2):
        if auxiliary and include_top and module in AUXILIARY_AFTER:
            side_outputs.append(auxiliary_classifier(x, num_classes, f"aux_{module}"))
    if not include_top:
        return keras.Model(inputs, headless_ending(x, pooling), name="googlenet")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    x = layers.Dropout(0.4, name="dropout")(x)
    outputs = softmax_classifier(x, num_classes)
    return keras.Model(inputs, [outputs, *side_outputs] if side_outputs else outputs,
                       name="googlenet")


# --- Inception v3 (arXiv:1512.00567), keras.applications' layout ---------------------------


@dataclass(frozen=True)
class ConvBN:
    """A convolution without bias, batch normalisation without scale, and ReLU."""

    filters: int
    kernel: tuple[int, int]
    stride: int = 1
    padding: str = "same"


@dataclass(frozen=True)
class Pool:
    """3x3 pooling: "avg" with stride 1 ('same'), or "max" with stride 2 ('valid')."""

    kind: str


@dataclass(frozen=True)
class Split:
    """The end of a branch that forks into parallel convolutions, concatenated (v3's 8x8 grid)."""

    convs: tuple[ConvBN, ...]


def _c(filters, rows, cols, stride=1, padding="same"):
    return ConvBN(filters, (rows, cols), stride, padding)


STEM = (_c(32, 3, 3, 2, "valid"), _c(32, 3, 3, 1, "valid"), _c(64, 3, 3), Pool("max"),
        _c(80, 1, 1, 1, "valid"), _c(192, 3, 3, 1, "valid"), Pool("max"))


def _module_35(pool_proj):
    return ((_c(64, 1, 1),), (_c(48, 1, 1), _c(64, 5, 5)),
            (_c(64, 1, 1), _c(96, 3, 3), _c(96, 3, 3)), (Pool("avg"), _c(pool_proj, 1, 1)))


def _module_17(width):
    return ((_c(192, 1, 1),),
            (_c(width, 1, 1), _c(width, 1, 7), _c(192, 7, 1)),
            (_c(width, 1, 1), _c(width, 7, 1), _c(width, 1, 7), _c(width, 7, 1),
             _c(192, 1, 7)),
            (Pool("avg"), _c(192, 1, 1)))


_MODULE_8 = ((_c(320, 1, 1),),
             (_c(384, 1, 1), Split((_c(384, 1, 3), _c(384, 3, 1)))),
             (_c(448, 1, 1), _c(384, 3, 3), Split((_c(384, 1, 3), _c(384, 3, 1)))),
             (Pool("avg"), _c(192, 1, 1)))

#: The modules mixed0..mixed10: each a tuple of branches, each branch a sequence of steps.
INCEPTION_V3 = (
    _module_35(32), _module_35(64), _module_35(64),
    ((_c(384, 3, 3, 2, "valid"),), (_c(64, 1, 1), _c(96, 3, 3), _c(96, 3, 3, 2, "valid")),
     (Pool("max"),)),
    _module_17(128), _module_17(160), _module_17(160), _module_17(192),
    ((_c(192, 1, 1), _c(320, 3, 3, 2, "valid")),
     (_c(192, 1, 1), _c(192, 1, 7), _c(192, 7, 1), _c(192, 3, 3, 2, "valid")),
     (Pool("max"),)),
    _MODULE_8, _MODULE_8,
)


def _v3_unit(x, spec: ConvBN, name: str):
    """Inception v3's unit, as `spec` gives it: `conv_bn_relu` without the BN's scale."""
    return conv_bn_relu(x, spec.filters, spec.kernel, name, stride=spec.stride,
                        padding=spec.padding, bn_scale=False)


def _step(x, step, name):
    if isinstance(step, ConvBN):
        return _v3_unit(x, step, name)
    if isinstance(step, Pool):
        if step.kind == "avg":
            return layers.AveragePooling2D(3, strides=1, padding="same", name=name)(x)
        return layers.MaxPooling2D(3, strides=2, name=name)(x)
    forks = [_v3_unit(x, conv, f"{name}_{i}") for i, conv in enumerate(step.convs)]
    return layers.Concatenate(name=f"{name}_concat")(forks)


def inception_module(x, branches, name: str):
    """Run each branch's steps on `x` and concatenate the branches' maps along the channels."""
    outputs = []
    for b, branch in enumerate(branches):
        y = x
        for s, step in enumerate(branch):
            y = _step(y, step, name=f"{name}_branch{b}_{s}")
        outputs.append(y)
    return layers.Concatenate(name=name)(outputs)


def InceptionV3(input_shape=(299, 299, 3), num_classes=1000, include_top=True, pooling=None):
    """Inception v3: a stem of five convolutions and eleven modules on 35x35, 17x17 and 8x8
    grids (for 299x299 input). Images (N, H, W, 3), at least 75x75 pixels.
    """
    input_shape = check_arguments("inception_v3", input_shape, num_classes, 75, pooling=pooling)
    inputs = keras.Input(input_shape, name="images")
    x = inputs
    for s, step in enumerate(STEM):
        x = _step(x, step, name=f"stem_{s}")
    for m, branches in enumerate(INCEPTION_V3):
        x = inception_module(x, branches, name=f"mixed{m}")
    return pooled_classifier(inputs, x, "inception_v3", num_classes, include_top, pooling)
