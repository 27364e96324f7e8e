"""MobileNet v1 (Howard et al., 2017): a stack of depthwise separable convolutions.

Each block is a 3x3 depthwise convolution and a 1x1 pointwise convolution, each followed by
batch normalisation and ReLU6. Laid out exactly as `keras.applications.MobileNet` (alpha 1,
depth multiplier 1), so its weights load into it.
"""

from __future__ import annotations

import keras
from keras import layers

from imgclf.models.batchnorm import BatchNormalization
from imgclf.models.common import check_arguments, headless_ending

#: (pointwise filters, stride) of the 13 depthwise separable blocks.
BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
          (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def depthwise_separable_block(x, filters: int, stride: int, block_id: int):
    """Depthwise 3x3 (stride `stride`), BN, ReLU6, pointwise 1x1 to `filters`, BN, ReLU6.

    Shapes: (N, H, W, C) -> (N, H/stride, W/stride, filters).
    """
    if stride == 2:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D(3, strides=stride, padding="same" if stride == 1 else "valid",
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = BatchNormalization(name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"conv_pw_{block_id}")(x)
    x = BatchNormalization(name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def MobileNet(input_shape=(224, 224, 3), num_classes=1000, include_top=True, pooling=None,
              dropout=1e-3):
    """MobileNet: a 3x3 convolution and 13 depthwise separable blocks; at least 32x32 pixels."""
    input_shape = check_arguments("mobilenet", input_shape, num_classes, 32, pooling=pooling,
                                  dropout=dropout, include_top=include_top)
    inputs = keras.Input(input_shape, name="images")
    x = layers.Conv2D(32, 3, strides=2, padding="same", use_bias=False, name="conv1")(inputs)
    x = BatchNormalization(name="conv1_bn")(x)
    x = layers.ReLU(6.0, name="conv1_relu")(x)
    for block_id, (filters, stride) in enumerate(BLOCKS, start=1):
        x = depthwise_separable_block(x, filters, stride, block_id)
    if not include_top:
        return keras.Model(inputs, headless_ending(x, pooling), name="mobilenet")
    x = layers.GlobalAveragePooling2D(keepdims=True, name="avg_pool")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Conv2D(num_classes, 1, padding="same", name="conv_preds")(x)
    x = layers.Reshape((num_classes,), name="reshape")(x)
    # float32 under mixed precision, as common.softmax_classifier
    outputs = layers.Activation("softmax", dtype="float32", name="predictions")(x)
    return keras.Model(inputs, outputs, name="mobilenet")
