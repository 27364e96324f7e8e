"""VGG16 and VGG19 (Simonyan and Zisserman, 2014): stacks of 3x3 convolutions, as data.

Weight-compatible with `keras.applications.VGG16/VGG19`: same layers, same order, same names.
"""

from __future__ import annotations

import keras
from keras import layers

from imgclf.models.common import check_arguments, headless_ending, softmax_classifier

FILTERS = (64, 128, 256, 512, 512)
#: Convolutions per block: the only difference between the two networks.
CONVS_PER_BLOCK = {"vgg16": (2, 2, 3, 3, 3), "vgg19": (2, 2, 4, 4, 4)}


def vgg_block(x, filters: int, convs: int, name: str):
    """`convs` 3x3 'same' convolutions with ReLU, then 2x2 max-pooling: (H, W) -> (H/2, W/2)."""
    for i in range(1, convs + 1):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu",
                          name=f"{name}_conv{i}")(x)
    return layers.MaxPooling2D(2, strides=2, name=f"{name}_pool")(x)


def _vgg(variant, input_shape, num_classes, include_top, pooling):
    input_shape = check_arguments(variant, input_shape, num_classes, 32, pooling=pooling)
    inputs = keras.Input(input_shape, name="images")
    x = inputs
    for block, (filters, convs) in enumerate(zip(FILTERS, CONVS_PER_BLOCK[variant],
                                                 strict=True), start=1):
        x = vgg_block(x, filters, convs, name=f"block{block}")
    if not include_top:
        return keras.Model(inputs, headless_ending(x, pooling), name=variant)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(4096, activation="relu", name="fc1")(x)
    x = layers.Dense(4096, activation="relu", name="fc2")(x)
    outputs = softmax_classifier(x, num_classes)
    return keras.Model(inputs, outputs, name=variant)


def VGG16(input_shape=(224, 224, 3), num_classes=1000, include_top=True, pooling=None):
    """VGG16: 13 convolutions in 5 blocks and 3 dense layers; at least 32x32 pixels."""
    return _vgg("vgg16", input_shape, num_classes, include_top, pooling)


def VGG19(input_shape=(224, 224, 3), num_classes=1000, include_top=True, pooling=None):
    """VGG19: 16 convolutions in 5 blocks and 3 dense layers; at least 32x32 pixels."""
    return _vgg("vgg19", input_shape, num_classes, include_top, pooling)
