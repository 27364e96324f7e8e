"""ResNet (He, Zhang, Ren and Sun, 2015): residual blocks, their plain twins, and the networks.

A residual block computes relu(F(x) + shortcut(x)): its layers learn the change F(x) to their
input instead of the whole mapping, and the identity shortcut carries the signal (and the
gradient) past them. Where a block halves the resolution and widens the channels, the shortcut
must change shape too:

- option A: identity, subsampled (stride 2) and with the extra channels zero-padded: no weights;
- option B: a 1x1 convolution (projection) with stride 2, followed by batch normalisation.

`plain` blocks are the same layers without any shortcut, for the degradation experiment.
`preact_block` is the later pre-activation block (He et al., 2016): batch normalisation and ReLU
before each convolution and nothing after the addition, so the shortcut is a pure identity.

- `CifarResNet(depth)`: the paper's CIFAR-10 networks, 6n+2 layers with 16-32-64 filters
  (ResNet-20, 32, 44, 56, 110) built from basic blocks (two 3x3 convolutions).
- `ResNet50/101/152`: the ImageNet networks built from bottleneck blocks (1x1, 3x3, 1x1), laid
  out exactly as `keras.applications.ResNet50/101/152` (v1: stride on the first 1x1
  convolution, a bias on every convolution), so that their weights load into these.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from imgclf.models.batchnorm import BatchNormalization
from imgclf.models.common import check_arguments, check_block, pooled_classifier

BN_EPSILON = 1.001e-5  # as in keras.applications' ResNets
SHORTCUTS = ("A", "B", "plain")


@keras.saving.register_keras_serializable(package="imgclf")
class ZeroPadShortcut(keras.layers.Layer):
    """Option A shortcut: keep every `stride`-th pixel, zero-pad the channels up to `filters`.

    Shapes: (N, H, W, C) -> (N, ceil(H/stride), ceil(W/stride), filters). No weights.
    """

    def __init__(self, filters: int, stride: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.stride = filters, stride

    def call(self, inputs):
        x = inputs[:, ::self.stride, ::self.stride, :]
        extra = self.filters - inputs.shape[-1]
        return ops.pad(x, [[0, 0], [0, 0], [0, 0], [0, extra]]) if extra > 0 else x

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        def shrink(d):
            return None if d is None else -(-d // self.stride)
        return (n, shrink(h), shrink(w), self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "stride": self.stride}


def conv_bn(x, filters: int, kernel: int, stride: int, name: str, use_bias: bool = False):
    """Convolution ('same' padding) followed by batch normalisation."""
    x = layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=use_bias,
                      name=f"{name}_conv")(x)
    return BatchNormalization(epsilon=BN_EPSILON, name=f"{name}_bn")(x)


def basic_block(x, filters: int, stride: int = 1, shortcut: str = "A", name: str = "block"):
    """Two 3x3 convolutions with batch normalisation; ReLU after the addition.

    Shapes: (N, H, W, C) -> (N, H/stride, W/stride, filters). `shortcut` is "A" (zero-padding
    identity), "B" (1x1 projection where the shape changes) or "plain" (no shortcut at all).
    """
    check_block("basic_block", x, filters=filters, stride=stride)
    if shortcut not in SHORTCUTS:
        raise ValueError(f"shortcut must be one of {SHORTCUTS}, got {shortcut!r}")
    changes_shape = stride != 1 or x.shape[-1] != filters
    if shortcut == "plain":
        skip = None
    elif not changes_shape:
        skip = x
    elif shortcut == "A":
        skip = ZeroPadShortcut(filters, stride, name=f"{name}_0_pad")(x)
    else:
        skip = conv_bn(x, filters, 1, stride, name=f"{name}_0")
    y = conv_bn(x, filters, 3, stride, name=f"{name}_1")
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = conv_bn(y, filters, 3, 1, name=f"{name}_2")
    if skip is not None:
        y = layers.Add(name=f"{name}_add")([skip, y])
    return layers.Activation("relu", name=f"{name}_out")(y)


def bottleneck_block(x, filters: int, stride: int = 1, projection: bool = False,
                     name: str = "block"):
    """1x1 (reduce to `filters`), 3x3, 1x1 (expand to 4 x `filters`); ReLU after the addition.

    Shapes: (N, H, W, C) -> (N, H/stride, W/stride, 4*filters). The shortcut is the identity,
    or with `projection` a 1x1 convolution (option B). Keras's layout: the stride sits on the
    first 1x1 convolution and every convolution has a bias.
    """
    check_block("bottleneck_block", x, filters=filters, stride=stride)
    if projection:
        skip = conv_bn(x, 4 * filters, 1, stride, name=f"{name}_0", use_bias=True)
    else:
        skip = x
    y = conv_bn(x, filters, 1, stride, name=f"{name}_1", use_bias=True)
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = conv_bn(y, filters, 3, 1, name=f"{name}_2", use_bias=True)
    y = layers.Activation("relu", name=f"{name}_2_relu")(y)
    y = conv_bn(y, 4 * filters, 1, 1, name=f"{name}_3", use_bias=True)
    y = layers.Add(name=f"{name}_add")([skip, y])
    return layers.Activation("relu", name=f"{name}_out")(y)


def preact_block(x, filters: int, stride: int = 1, name: str = "preact"):
    """The full pre-activation residual block ("Identity mappings in deep residual networks",
    He, Zhang, Ren and Sun 2016, Figure 4e): batch normalisation and ReLU before each of two
    3x3 convolutions, and nothing after the addition, so that the shortcut adds `x` to the
    block's output unchanged (in `basic_block` a ReLU follows the addition).

    Shapes: (N, H, W, C) -> (N, H/stride, W/stride, filters). Where the shape changes, the
    shortcut is a 1x1 projection of the normalised input, as in keras.applications' ResNetV2.
    """
    check_block("preact_block", x, filters=filters, stride=stride)
    y = BatchNormalization(epsilon=BN_EPSILON, name=f"{name}_preact_bn")(x)
    activated = layers.Activation("relu", name=f"{name}_preact_relu")(y)
    if stride != 1 or x.shape[-1] != filters:
        skip = layers.Conv2D(filters, 1, strides=stride, use_bias=False,
                             name=f"{name}_0_conv")(activated)
    else:
        skip = x
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False,
                      name=f"{name}_1_conv")(activated)
    y = BatchNormalization(epsilon=BN_EPSILON, name=f"{name}_1_bn")(y)
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return layers.Add(name=f"{name}_out")([skip, y])


# --- The CIFAR-10 networks of section 4.2 -------------------------------------------------

#: (filters, stride of the first block) of the three stages; each has n blocks.
CIFAR_STAGES = ((16, 1), (32, 2), (64, 2))
CIFAR_DEPTHS = (20, 32, 44, 56, 110)


def CifarResNet(depth: int = 20, input_shape=(32, 32, 3), num_classes: int = 10,
                 shortcut: str = "A", include_top: bool = True, pooling=None,
                 name: str | None = None):
    """The CIFAR-10 ResNet with `depth` = 6n + 2 weighted layers (or its plain twin).

    A 3x3 convolution with 16 filters, three stages of n basic blocks (16, 32 and 64 filters,
    halving the resolution at the start of the second and third), global average pooling and
    a softmax classifier. `shortcut="plain"` removes every shortcut. Images (N, H, W, C),
    scaled by the caller, at least 8x8 pixels -> class probabilities (N, num_classes).
    """
    if not isinstance(depth, int) or depth < 8 or (depth - 2) % 6:
        raise ValueError(f"depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110), got {depth!r}")
    if shortcut not in SHORTCUTS:
        raise ValueError(f"shortcut must be one of {SHORTCUTS}, got {shortcut!r}")
    name = name or (f"plain{depth}" if shortcut == "plain" else f"resnet{depth}")
    input_shape = check_arguments(name, input_shape, num_classes, 8, pooling=pooling)
    blocks = (depth - 2) // 6
    inputs = keras.Input(input_shape, name="images")
    x = conv_bn(inputs, 16, 3, 1, name="conv1")
    x = layers.Activation("relu", name="conv1_relu")(x)
    for stage, (filters, first_stride) in enumerate(CIFAR_STAGES, start=2):
        for block in range(1, blocks + 1):
            x = basic_block(x, filters, first_stride if block == 1 else 1, shortcut,
                            name=f"conv{stage}_block{block}")
    return pooled_classifier(inputs, x, name, num_classes, include_top, pooling)


def CompactResNet(widths=(32, 64, 128), input_shape=(28, 28, 1), num_classes: int = 10,
                  shortcut: str = "B", include_top: bool = True, pooling=None):
    """A compact ResNet for 28-32 px images that trains in about a minute on a laptop CPU.

    A 3x3 stem convolution with `widths[0]` filters, 2x2 max-pooling, then one basic block per
    width, halving the resolution from the second block on; global average pooling, softmax.
    Images (N, H, W, C) scaled by the caller, at least 8x8 pixels.
    """
    widths = tuple(widths)
    if not widths or not all(isinstance(w, int) and w > 0 for w in widths):
        raise ValueError(f"widths must be positive integers, got {widths!r}")
    minimum = 2 ** len(widths)
    input_shape = check_arguments("resnet_compact", input_shape, num_classes, minimum,
                                  pooling=pooling)
    inputs = keras.Input(input_shape, name="images")
    x = conv_bn(inputs, widths[0], 3, 1, name="stem")
    x = layers.Activation("relu", name="stem_relu")(x)
    x = layers.MaxPooling2D(2, name="stem_pool")(x)
    for i, width in enumerate(widths, start=1):
        x = basic_block(x, width, 1 if i == 1 else 2, shortcut, name=f"block{i}")
    return pooled_classifier(inputs, x, "resnet_compact", num_classes, include_top, pooling)


# --- The ImageNet networks (Table 1), keras.applications' layout ----------------------------

#: (filters of the bottleneck, blocks) per stage conv2..conv5; stride 2 except in conv2.
IMAGENET_STAGES = {
    "resnet50": ((64, 3), (128, 4), (256, 6), (512, 3)),
    "resnet101": ((64, 3), (128, 4), (256, 23), (512, 3)),
    "resnet152": ((64, 3), (128, 8), (256, 36), (512, 3)),
}


def _imagenet_resnet(variant, input_shape, num_classes, include_top, pooling):
    input_shape = check_arguments(variant, input_shape, num_classes, 32, pooling=pooling)
    inputs = keras.Input(input_shape, name="images")
    x = layers.ZeroPadding2D(3, name="conv1_pad")(inputs)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    x = BatchNormalization(epsilon=BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, (filters, blocks) in enumerate(IMAGENET_STAGES[variant], start=2):
        for block in range(1, blocks + 1):
            stride = 2 if block == 1 and stage > 2 else 1
            x = bottleneck_block(x, filters, stride, projection=block == 1,
                                 name=f"conv{stage}_block{block}")
    return pooled_classifier(inputs, x, variant, num_classes, include_top, pooling)


def ResNet50(input_shape=(224, 224, 3), num_classes=1000, include_top=True, pooling=None):
    """ResNet-50: stages of 3, 4, 6 and 3 bottleneck blocks; at least 32x32 pixels."""
    return _imagenet_resnet("resnet50", input_shape, num_classes, include_top, pooling)


def ResNet101(input_shape=(224, 224, 3), num_classes=1000, include_top=True, pooling=None):
    """ResNet-101: stages of 3, 4, 23 and 3 bottleneck blocks; at least 32x32 pixels."""
    return _imagenet_resnet("resnet101", input_shape, num_classes, include_top, pooling)


def ResNet152(input_shape=(224, 224, 3), num_classes=1000, include_top=True, pooling=None):
    """ResNet-152: stages of 3, 8, 36 and 3 bottleneck blocks; at least 32x32 pixels."""
    return _imagenet_resnet("resnet152", input_shape, num_classes, include_top, pooling)
