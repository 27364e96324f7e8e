"""What every builder shares: the input contract, argument checks, the convolution unit, and
the headless (include_top=False) ending.

The input contract: every network a builder of `imgclf.models` returns takes float images
(N, H, W, C) scaled to [0, 1], and none scales its input itself. Scaling uint8 images is the
trainer's job: `imgclf.train` and `imgclf.transfer` put one Rescaling(1/255) in front of the
network, and `imgclf.data.scale` does it for a notebook's own `fit` and `predict`. Networks
given ImageNet weights (`imgclf.models.pretrained`) take what their `keras.applications` twin
takes; `imgclf.applications.imagenet_classifier` maps [0, 1] images to it.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from imgclf import _validate as check
from imgclf.models.batchnorm import BatchNormalization


def check_image_shape(name: str, image_shape) -> tuple[int, int, int]:
    """`image_shape` as a tuple if it is (height, width, channels) of positive integers."""
    shape = tuple(image_shape) if isinstance(image_shape, (tuple, list)) else ()
    if len(shape) != 3 or not all(
            isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape):
        raise ValueError(f"{name} must be (height, width, channels) of positive integers, "
                         f"got {image_shape!r}")
    return shape


def check_arguments(
    name: str, input_shape: Sequence[int], num_classes: int, minimum: int,
    channels: int | None = None, pooling: str | None = None, dropout: float | None = None,
    include_top: bool = True,
) -> tuple[int, int, int]:
    """Validate a builder's arguments; return `input_shape` as a tuple.

    Raises:
        ValueError: a shape that is not (height, width, channels) of positive integers, an
            image smaller than `minimum` pixels on a side (the network's downsampling needs
            them), a channel count other than `channels` when one is required, fewer than 2
            classes, an unknown pooling, a dropout rate outside [0, 1), or an include_top
            that is not True or False.
    """
    shape = check_image_shape(f"{name}: input_shape", input_shape)
    if min(shape[:2]) < minimum:
        raise ValueError(
            f"{name}: input_shape {shape} is too small; its downsampling needs images of at "
            f"least {minimum}x{minimum} pixels"
        )
    if channels is not None and shape[2] != channels:
        raise ValueError(f"{name}: needs {channels} input channels, got input_shape {shape}")
    if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 2:
        raise ValueError(f"{name}: num_classes must be an integer >= 2, got {num_classes!r}")
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"{name}: pooling must be None, 'avg' or 'max', got {pooling!r}")
    if dropout is not None:
        check_rate(name, dropout)
    if not isinstance(include_top, bool):
        raise ValueError(f"{name}: include_top must be True or False, got {include_top!r}")
    return shape


def check_block(block: str, x, **positive: int) -> None:
    """Raise, saying what `block` takes, unless `x` is a Keras tensor of images (N, H, W, C)
    and every keyword (filters, stride, ...) a positive integer."""
    import keras

    if not isinstance(x, keras.KerasTensor) or len(x.shape) != 4:
        raise TypeError(f"{block} takes as x the output of a layer, a Keras tensor (N, H, W, C) "
                        f"(e.g. keras.Input((32, 32, 3))), got {getattr(x, 'shape', x)!r:.80}")
    for name, value in positive.items():
        check.integer(f"{block}: {name}", value, minimum=1)


def conv_bn_relu(x, filters: int, kernel=3, name: str = "conv", stride=1,
                 padding: str = "same", bn_scale: bool = True, momentum: float = 0.99):
    """Convolution, batch normalisation, ReLU: the unit of most CNNs since 2015. The
    convolution has no bias (batch normalisation adds one); `bn_scale=False` also drops
    the normalisation's scale, as Inception v3 does (the next convolution can absorb it).

    Layers `{name}_conv`, `{name}_bn` and `{name}` (the ReLU).
    Shapes: (N, H, W, C) -> (N, H', W', filters), H' = H / stride ("same" padding).
    """
    check_block("conv_bn_relu", x, filters=filters)
    check_rate("conv_bn_relu", momentum, "momentum")
    x = layers.Conv2D(filters, kernel, strides=stride, padding=padding, use_bias=False,
                      name=f"{name}_conv")(x)
    x = BatchNormalization(scale=bn_scale, momentum=momentum, name=f"{name}_bn")(x)
    return layers.ReLU(name=name)(x)


def check_rate(name: str, value, what: str = "dropout") -> float:
    """`value` if it is a number in [0, 1); else ValueError saying what `name` accepts."""
    return check.rate(f"{name}: {what}", value)


def softmax_classifier(x, num_classes: int, name: str = "predictions"):
    """A dense layer of `num_classes` units with softmax: class probabilities (N, classes).

    Computed in float32 whatever the global policy: under mixed precision a bfloat16 softmax
    keeps about three significant digits, which ties close classes (top-k) and loses small
    probabilities (the loss); Keras's mixed-precision guide keeps the last layer in float32.
    """
    return layers.Dense(num_classes, activation="softmax", dtype="float32", name=name)(x)


def pooled_classifier(inputs, x, name: str, num_classes: int, include_top: bool,
                      pooling: str | None):
    """The usual ending: global average pooling and a softmax classifier, as a keras.Model.

    Without `include_top`: the feature maps, or their global pool (`pooling` "avg" or "max").
    """
    if not include_top:
        return keras.Model(inputs, headless_ending(x, pooling), name=name)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = softmax_classifier(x, num_classes)
    return keras.Model(inputs, outputs, name=name)


def headless_ending(x, pooling: str | None):
    """The end of a network without its classifier: the feature maps, or their global pool."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name="max_pool")(x)
    return x


def takes_images_of(model, image_shape) -> bool:
    """Whether `model` takes images of `image_shape` (H, W, C); None in its input matches all."""
    expected = tuple(model.input_shape[1:])
    shape = tuple(image_shape)
    return len(expected) == len(shape) and all(
        e is None or e == s for e, s in zip(expected, shape, strict=True))
