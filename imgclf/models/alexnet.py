"""AlexNet (Krizhevsky, Sutskever and Hinton, 2012), as published, and two variants.

Five convolutions and three dense layers, ReLU, local response normalisation after the first
two convolutions, overlapping max-pooling (3x3 windows, stride 2) and dropout in the dense
layers. On two GPUs, conv2, conv4 and conv5 saw only the half of the previous layer's maps on
their own GPU: here that is `groups=2`. The network is described as data, below.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers

from imgclf.models.common import check_arguments, headless_ending, softmax_classifier
from imgclf.models.lrn import LocalResponseNormalization


@dataclass(frozen=True)
class Conv:
    """One convolution of AlexNet and what follows it."""

    filters: int
    kernel: int
    stride: int = 1
    padding: str = "same"
    groups: int = 1
    lrn: bool = False
    pool: bool = False


#: The published network: 227x227x3 in, 60,965,224 parameters with 1000 classes.
PUBLISHED = (
    Conv(96, 11, stride=4, padding="valid", lrn=True, pool=True),
    Conv(256, 5, groups=2, lrn=True, pool=True),
    Conv(384, 3),
    Conv(384, 3, groups=2),
    Conv(256, 3, groups=2, pool=True),
)
#: The same network on one device: every convolution sees all the maps below it.
ONE_TOWER = tuple(Conv(c.filters, c.kernel, c.stride, c.padding, 1, c.lrn, c.pool)
                  for c in PUBLISHED)
#: The same design scaled to 28-32 px images and a laptop CPU: a 5x5 first kernel at stride 1,
#: 3x3 kernels after it, a quarter to a third of the widths, and one tower: the two-GPU split
#: saved memory that a small network does not need, and TensorFlow's CPU kernels train grouped
#: convolutions at a fifth of the speed (281 instead of 1,325 images/s here).
SMALL = (
    Conv(32, 5, lrn=True, pool=True),
    Conv(64, 3, lrn=True, pool=True),
    Conv(96, 3),
    Conv(96, 3),
    Conv(64, 3, pool=True),
)


def conv_block(x, spec: Conv, name: str):
    """Convolution + ReLU, then optional LRN and overlapping 3x3/2 max-pooling."""
    x = layers.Conv2D(spec.filters, spec.kernel, strides=spec.stride, padding=spec.padding,
                      groups=spec.groups, activation="relu", name=f"{name}")(x)
    if spec.lrn:
        x = LocalResponseNormalization(name=f"{name}_lrn")(x)
    if spec.pool:
        x = layers.MaxPooling2D(3, strides=2, name=f"{name}_pool")(x)
    return x


def _alexnet(convs, dense_units, minimum, input_shape, num_classes, include_top, pooling,
             dropout, name):
    input_shape = check_arguments(name, input_shape, num_classes, minimum, pooling=pooling,
                                  dropout=dropout, include_top=include_top)
    inputs = keras.Input(input_shape, name="images")
    x = inputs
    for i, spec in enumerate(convs, start=1):
        x = conv_block(x, spec, name=f"conv{i}")
    if not include_top:
        return keras.Model(inputs, headless_ending(x, pooling), name=name)
    x = layers.Flatten(name="flatten")(x)
    for i, units in enumerate(dense_units, start=6):
        x = layers.Dense(units, activation="relu", name=f"fc{i}")(x)
        x = layers.Dropout(dropout, name=f"fc{i}_dropout")(x)
    outputs = softmax_classifier(x, num_classes)
    return keras.Model(inputs, outputs, name=name)


def AlexNet(input_shape=(227, 227, 3), num_classes=1000, include_top=True, pooling=None,
            dropout=0.5):
    """AlexNet as published, with conv2, conv4 and conv5 in two groups (the two GPUs).

    Images (N, 227, 227, 3) -> class probabilities (N, num_classes); at least 67x67 pixels.
    """
    return _alexnet(PUBLISHED, (4096, 4096), 67, input_shape, num_classes, include_top,
                    pooling, dropout, "alexnet")


def AlexNetOneTower(input_shape=(227, 227, 3), num_classes=1000, include_top=True,
                      pooling=None, dropout=0.5):
    """AlexNet on one device: no groups, so conv2, conv4 and conv5 have twice the weights."""
    return _alexnet(ONE_TOWER, (4096, 4096), 67, input_shape, num_classes, include_top,
                    pooling, dropout, "alexnet_one_tower")


def AlexNetSmall(input_shape=(32, 32, 3), num_classes=10, include_top=True, pooling=None,
                  dropout=0.5):
    """AlexNet's design for 28-32 px images (CIFAR, Fashion-MNIST), in one tower; at least
    15x15 pixels."""
    return _alexnet(SMALL, (512, 512), 15, input_shape, num_classes, include_top, pooling,
                    dropout, "alexnet_small")
