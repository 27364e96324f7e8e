"""Xception (Chollet, 2016): Inception taken to the extreme with depthwise separable convolutions.

A regular convolution looks for patterns across space and across channels at once. A
depthwise separable convolution splits the two: a depthwise convolution filters each channel
on its own (spatial correlations), then a 1x1 pointwise convolution mixes the channels
(cross-channel correlations). Xception is a linear stack of such convolutions with residual
shortcuts, in three flows: entry (downsampling to 19x19 for 299x299 input), middle (eight
identical residual blocks) and exit. `Xception` is laid out exactly as
`keras.applications.Xception`, so its weights load into it.
"""

from __future__ import annotations

import keras
from keras import layers

from imgclf.models.batchnorm import BatchNormalization
from imgclf.models.common import check_arguments, check_block, pooled_classifier


def depthwise_pointwise(x, filters: int, kernel: int = 3, name: str = "separable"):
    """The lecture's pair: a depthwise convolution and a 1x1 pointwise one, each with biases.

    Shapes: (N, H, W, C) -> (N, H, W, filters). Parameters: (k*k + 1)*C + (C + 1)*filters;
    Keras's SeparableConv2D keeps only the pointwise biases: k*k*C + C*filters + filters.
    """
    check_block("depthwise_pointwise", x, filters=filters, kernel=kernel)
    x = layers.DepthwiseConv2D(kernel, padding="same", name=f"{name}_depthwise")(x)
    return layers.Conv2D(filters, 1, name=f"{name}_pointwise")(x)


def separable_bn(x, filters: int, name: str, relu_before: bool, separable: bool = True):
    """(ReLU,) 3x3 SeparableConv2D without bias, batch normalisation: Xception's unit.

    With `separable=False` the convolution is a regular 3x3 Conv2D of the same width: the
    same network without the separation, to compare with.
    """
    if relu_before:
        x = layers.Activation("relu", name=f"{name}_act")(x)
    conv = layers.SeparableConv2D if separable else layers.Conv2D
    x = conv(filters, 3, padding="same", use_bias=False, name=name)(x)
    return BatchNormalization(name=f"{name}_bn")(x)


def downsampling_block(x, filters: tuple[int, int], name: str, relu_first: bool = True,
                       separable: bool = True):
    """Two separable units and 3x3/2 max-pooling, plus a strided 1x1 projection shortcut.

    Shapes: (N, H, W, C) -> (N, H/2, W/2, filters[1]).
    """
    shortcut = layers.Conv2D(filters[1], 1, strides=2, padding="same", use_bias=False,
                             name=f"{name}_shortcut")(x)
    shortcut = BatchNormalization(name=f"{name}_shortcut_bn")(shortcut)
    x = separable_bn(x, filters[0], f"{name}_sepconv1", relu_first, separable)
    x = separable_bn(x, filters[1], f"{name}_sepconv2", True, separable)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"{name}_pool")(x)
    return layers.Add(name=f"{name}_add")([x, shortcut])


def middle_block(x, filters: int, name: str, separable: bool = True):
    """Three ReLU-separable units with an identity shortcut: (N, H, W, C) -> same shape."""
    shortcut = x
    for i in (1, 2, 3):
        x = separable_bn(x, filters, f"{name}_sepconv{i}", True, separable)
    return layers.Add(name=f"{name}_add")([x, shortcut])


#: Entry flow: (block name, (filters of the two separable units)).
ENTRY = (("block2", (128, 128)), ("block3", (256, 256)), ("block4", (728, 728)))
MIDDLE_BLOCKS, MIDDLE_FILTERS = 8, 728
EXIT = ("block13", (728, 1024))
EXIT_SEPARABLE = (1536, 2048)


def Xception(input_shape=(299, 299, 3), num_classes=1000, include_top=True, pooling=None):
    """Xception: 36 convolutions in 14 blocks; images (N, H, W, 3) of at least 71x71 pixels."""
    input_shape = check_arguments("xception", input_shape, num_classes, 71, pooling=pooling)
    inputs = keras.Input(input_shape, name="images")
    x = layers.Conv2D(32, 3, strides=2, use_bias=False, name="block1_conv1")(inputs)
    x = BatchNormalization(name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, 3, use_bias=False, name="block1_conv2")(x)
    x = BatchNormalization(name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    for i, (name, filters) in enumerate(ENTRY):
        x = downsampling_block(x, filters, name, relu_first=i > 0)
    for i in range(MIDDLE_BLOCKS):
        x = middle_block(x, MIDDLE_FILTERS, name=f"block{5 + i}")
    x = downsampling_block(x, EXIT[1], EXIT[0])
    for i, filters in enumerate(EXIT_SEPARABLE, start=1):
        x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False,
                                   name=f"block14_sepconv{i}")(x)
        x = BatchNormalization(name=f"block14_sepconv{i}_bn")(x)
        x = layers.Activation("relu", name=f"block14_sepconv{i}_act")(x)
    return pooled_classifier(inputs, x, "xception", num_classes, include_top, pooling)


def MiniXception(input_shape=(28, 28, 1), num_classes: int = 10, widths=(64, 128),
                 middle_blocks: int = 1, separable: bool = True, include_top: bool = True,
                 pooling=None):
    """Xception in miniature for 28-32 px images: a regular 3x3 stem convolution (32 filters,
    stride 2, as Xception's first), one downsampling block per width, `middle_blocks`
    residual blocks at the last width, ReLU, global average pooling and a softmax classifier.

    `separable=False` builds the same-width network with regular 3x3 convolutions instead of
    separable ones. Images (N, H, W, C) scaled by the caller, at least 2**(len(widths) + 1) pixels.
    """
    widths = tuple(widths)
    if not widths or not all(isinstance(w, int) and w > 0 for w in widths):
        raise ValueError(f"mini_xception: widths must be positive integers, got {widths!r}")
    if not isinstance(middle_blocks, int) or middle_blocks < 0:
        raise ValueError(f"mini_xception: middle_blocks must be an integer >= 0, "
                         f"got {middle_blocks!r}")
    name = "mini_xception" if separable else "mini_xception_regular"
    input_shape = check_arguments(name, input_shape, num_classes, 2 ** (len(widths) + 1),
                                  pooling=pooling)
    inputs = keras.Input(input_shape, name="images")
    x = layers.Conv2D(32, 3, strides=2, padding="same", use_bias=False, name="stem")(inputs)
    x = BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("relu", name="stem_act")(x)
    for i, width in enumerate(widths, start=1):
        x = downsampling_block(x, (width, width), f"block{i}", separable=separable)
    for i in range(middle_blocks):
        x = middle_block(x, widths[-1], f"middle{i + 1}", separable=separable)
    x = layers.Activation("relu", name="exit_act")(x)
    return pooled_classifier(inputs, x, name, num_classes, include_top, pooling)
