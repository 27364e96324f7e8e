"""The first CNN of the course: two convolution stages and a dense classifier."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from imgclf.models.common import check_arguments, check_rate, conv_bn_relu, softmax_classifier

# Momentum 0.9 (Keras: 0.99) lets the moving statistics settle within a short run.
SHORT_RUN_MOMENTUM = 0.9


def small_cnn(
    input_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    widths: Sequence[int] = (32, 64),
    dense_units: int = 128,
    dropout: float = 0.3,
    name: str = "small_cnn",
) -> keras.Model:
    """A small CNN for 28-32 px images: per width, conv-BN-ReLU and 2x2 max-pooling; then
    flatten, dropout, a ReLU dense layer and a softmax classifier.

    Takes images (N, H, W, C) scaled to [0, 1], like every network of `imgclf.models`
    (`imgclf.data.scale`), and returns class probabilities (N, num_classes).

    Raises:
        ValueError: an input shape that is not (H, W, C) or too small for the poolings,
            fewer than 2 classes, or a dropout rate outside [0, 1).
    """
    input_shape = check_arguments(name, input_shape, num_classes, 2 ** len(widths))
    check_rate(name, dropout)
    inputs = keras.Input(input_shape, name="images")
    x = inputs
    for stage, filters in enumerate(widths, start=1):
        x = conv_bn_relu(x, filters, 3, name=f"stage{stage}", momentum=SHORT_RUN_MOMENTUM)
        x = layers.MaxPooling2D(2, name=f"stage{stage}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(dense_units, activation="relu", name="hidden")(x)
    outputs = softmax_classifier(x, num_classes, "classifier")
    return keras.Model(inputs, outputs, name=name)


def four_layer_cnn(input_shape: Sequence[int] = (28, 28, 1), num_classes: int = 10,
                   activation: str = "relu", kernel_initializer="glorot_uniform",
                   name: str | None = None) -> keras.Model:
    """Two 3x3 convolutions (32 and 64 filters), each followed by 2x2 max-pooling, a dense layer
    of 128 units and a softmax classifier, without batch normalisation: the kind of small
    network AlexNet's authors used to compare ReLU with tanh (their Figure 1).

    Takes images (N, H, W, C) scaled to [0, 1]; `activation` and
    `kernel_initializer` are used in every hidden layer (AlexNet drew its weights from a
    Gaussian with standard deviation 0.01).
    """
    input_shape = check_arguments(name or "four_layer_cnn", input_shape, num_classes, 4)
    inputs = keras.Input(input_shape, name="images")
    x = inputs
    for i, filters in enumerate((32, 64), start=1):
        x = layers.Conv2D(filters, 3, padding="same", activation=activation,
                          kernel_initializer=kernel_initializer, name=f"conv{i}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(128, activation=activation, kernel_initializer=kernel_initializer,
                     name="hidden")(x)
    outputs = softmax_classifier(x, num_classes, "classifier")
    return keras.Model(inputs, outputs, name=name or f"four_layer_cnn_{activation}")


def plain_cnn(input_shape: Sequence[int] = (28, 28, 1), num_classes: int = 10,
              stages: Sequence[Sequence[int]] = ((32,), (48, 48), (64, 64), (96,)),
              name: str = "plain_cnn") -> keras.Model:
    """A plain stack of 3x3 conv-BN-ReLU layers: one tuple of widths per stage, 3x3/2
    max-pooling between stages, global average pooling and a softmax classifier.

    The defaults (six convolutions on the grids of `MiniInception`, about 0.16M parameters)
    match `MiniInception` in size, so the two can be trained side by side. Images
    (N, H, W, C) scaled by the caller.
    """
    stages = tuple(tuple(stage) for stage in stages)
    if not stages or not all(stage and all(isinstance(w, int) and w > 0 for w in stage)
                             for stage in stages):
        raise ValueError(f"stages must be non-empty tuples of positive widths, got {stages!r}")
    input_shape = check_arguments(name, input_shape, num_classes, 2 ** (len(stages) - 1))
    inputs = keras.Input(input_shape, name="images")
    x = inputs
    for s, widths in enumerate(stages, start=1):
        if s > 1:
            x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"pool{s - 1}")(x)
        for c, filters in enumerate(widths, start=1):
            x = conv_bn_relu(x, filters, 3, name=f"stage{s}_{c}", momentum=SHORT_RUN_MOMENTUM)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = softmax_classifier(x, num_classes)
    return keras.Model(inputs, outputs, name=name)
