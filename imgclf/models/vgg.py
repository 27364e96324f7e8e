"""VGG16 and VGG19 (Simonyan and Zisserman, 2014): stacks of 3x3 convolutions, as data.

Weight-compatible with `keras.applications.VGG16/VGG19`: same layers, same order, same names.
`VGGSmall` keeps the design (blocks of 3x3 convolutions, each block ending in 2x2
max-pooling, then dense layers) for 28-32 px images; its blocks and dense widths are arguments.
"""

from __future__ import annotations

import keras
from keras import layers

from imgclf import _validate as check
from imgclf.models.common import check_arguments, headless_ending, softmax_classifier

#: VGGSmall's blocks: (filters, convolutions); 28 px images leave 3x3 maps after them.
SMALL_BLOCKS = ((32, 2), (64, 2), (128, 2))

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


def VGGSmall(input_shape=(32, 32, 3), num_classes=10, include_top=True, pooling=None,
             dropout=0.5, blocks=SMALL_BLOCKS, dense_units=(512, 512)):
    """VGG's design for 28-32 px images (CIFAR, Fashion-MNIST): blocks of 3x3 convolutions,
    each block ending in 2x2 max-pooling, then dense layers with dropout, as the paper trains
    its own, and a softmax classifier. The defaults: three blocks of two convolutions (32, 64,
    128 filters) and two dense layers of 512 units.

    `blocks` is one (filters, convolutions) pair per block; `dense_units` the width of each
    hidden dense layer (empty: the classifier follows the last block). Images (N, H, W, C)
    scaled by the caller -> class probabilities (N, num_classes); at least 2 ** len(blocks)
    pixels on a side.
    """
    blocks = _check_blocks(blocks)
    dense_units = tuple(check.integer("vgg_small: dense_units", units, minimum=1)
                        for units in _sequence("dense_units", dense_units))
    input_shape = check_arguments("vgg_small", input_shape, num_classes, 2 ** len(blocks),
                                  pooling=pooling, dropout=dropout, include_top=include_top)
    inputs = keras.Input(input_shape, name="images")
    x = inputs
    for block, (filters, convs) in enumerate(blocks, start=1):
        x = vgg_block(x, filters, convs, name=f"block{block}")
    if not include_top:
        return keras.Model(inputs, headless_ending(x, pooling), name="vgg_small")
    x = layers.Flatten(name="flatten")(x)
    for i, units in enumerate(dense_units, start=1):
        x = layers.Dense(units, activation="relu", name=f"fc{i}")(x)
        x = layers.Dropout(dropout, name=f"fc{i}_dropout")(x)
    outputs = softmax_classifier(x, num_classes)
    return keras.Model(inputs, outputs, name="vgg_small")


def _sequence(name: str, value) -> tuple:
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
        raise TypeError(f"vgg_small: {name} must be a tuple or list, got {value!r:.80}")
    return tuple(value)


def _check_blocks(blocks) -> tuple[tuple[int, int], ...]:
    """`blocks` as a tuple of (filters, convolutions) pairs of positive integers, or an error
    that says what VGGSmall takes."""
    pairs = _sequence("blocks", blocks)
    if not pairs or not all(isinstance(pair, (tuple, list)) and len(pair) == 2
                            for pair in pairs):
        raise ValueError(f"vgg_small: blocks must be one or more (filters, convolutions) "
                         f"pairs, e.g. ((32, 2), (64, 2)), got {blocks!r:.80}")
    return tuple((check.integer(f"vgg_small: the filters of blocks[{i}]", filters, minimum=1),
                  check.integer(f"vgg_small: the convolutions of blocks[{i}]", convs,
                                minimum=1))
                 for i, (filters, convs) in enumerate(pairs))
