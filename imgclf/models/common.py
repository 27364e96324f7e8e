"""What every builder shares: argument checks and the headless (include_top=False) ending."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers


def check_arguments(
    name: str, input_shape: Sequence[int], num_classes: int, minimum: int,
    channels: int | None = None, pooling: str | None = None,
) -> tuple[int, int, int]:
    """Validate a builder's arguments; return `input_shape` as a tuple.

    Raises:
        ValueError: a shape that is not (height, width, channels) of positive integers, an
            image smaller than `minimum` pixels on a side (the network's downsampling needs
            them), a channel count other than `channels` when one is required, fewer than 2
            classes, or an unknown pooling.
    """
    shape = tuple(input_shape)
    if len(shape) != 3 or not all(isinstance(d, int) and d > 0 for d in shape):
        raise ValueError(
            f"{name}: input_shape must be (height, width, channels) of positive integers, "
            f"got {input_shape!r}"
        )
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
    return shape


def pooled_classifier(inputs, x, name: str, num_classes: int, include_top: bool,
                      pooling: str | None):
    """The usual ending: global average pooling and a softmax classifier, as a keras.Model.

    Without `include_top`: the feature maps, or their global pool (`pooling` "avg" or "max").
    """
    if not include_top:
        return keras.Model(inputs, headless_ending(x, pooling), name=name)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
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
