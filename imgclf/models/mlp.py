"""A deep stack of dense layers: the simplest network in which gradients vanish or explode."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from imgclf.models.common import check_arguments, softmax_classifier


def deep_mlp(input_shape: Sequence[int] = (28, 28, 1), num_classes: int = 10, depth: int = 10,
             width: int = 128, activation: str = "sigmoid", kernel_initializer="glorot_uniform",
             name: str | None = None) -> keras.Model:
    """`depth` dense layers of `width` units with `activation`, then a softmax classifier.

    Takes images (N, H, W, C) scaled to [0, 1] (`imgclf.data.scale`) and flattens them. The
    hidden
    layers are named dense1 (next to the input) to dense{depth} (next to the classifier).
    `kernel_initializer` is any Keras initializer, such as RandomNormal(stddev=1.0), LecunNormal,
    GlorotUniform or HeNormal.
    """
    if not isinstance(depth, int) or depth < 1 or not isinstance(width, int) or width < 1:
        raise ValueError(f"depth and width must be positive integers, got {depth!r}, {width!r}")
    input_shape = check_arguments("deep_mlp", input_shape, num_classes, 1)
    inputs = keras.Input(input_shape, name="images")
    x = layers.Flatten(name="flatten")(inputs)
    for i in range(1, depth + 1):
        x = layers.Dense(width, activation=activation, kernel_initializer=kernel_initializer,
                         name=f"dense{i}")(x)
    outputs = softmax_classifier(x, num_classes, "classifier")
    return keras.Model(inputs, outputs, name=name or f"deep_mlp_{activation}")
