"""The lecture's networks, from scratch and readable: `get(name, **kwargs)`, `names()`.

Every builder takes `input_shape` and `num_classes`, and most `include_top` and `pooling`;
the defaults give the published network. Where `keras.applications` ships the same network
(`KERAS_APPLICATIONS`), ours has the same weighted layers in the same order, so
`ours.set_weights(theirs.get_weights())` works and `pretrained(name)` loads the ImageNet weights.
"""

from __future__ import annotations

import functools
import inspect

from imgclf.models.alexnet import AlexNet, AlexNetOneTower, AlexNetSmall
from imgclf.models.batchnorm import BatchNormalization
from imgclf.models.cnn import four_layer_cnn, plain_cnn, small_cnn
from imgclf.models.common import conv_bn_relu
from imgclf.models.inception import (
    GoogLeNet,
    InceptionV3,
    MiniInception,
    naive_module,
    reduction_module,
    residual_module,
)
from imgclf.models.lrn import LocalResponseNormalization
from imgclf.models.mlp import deep_mlp
from imgclf.models.mobilenet import MobileNet
from imgclf.models.resnet import (
    CIFAR_DEPTHS,
    CifarResNet,
    CompactResNet,
    ResNet50,
    ResNet101,
    ResNet152,
    basic_block,
    bottleneck_block,
    preact_block,
)
from imgclf.models.vgg import VGG16, VGG19, VGGSmall
from imgclf.models.xception import MiniXception, Xception, depthwise_pointwise

#: Name -> builder. The CIFAR ResNets take `shortcut="A"` (default) or `"B"`.
BUILDERS = {
    "small_cnn": small_cnn,
    "four_layer_cnn": four_layer_cnn,
    "deep_mlp": deep_mlp,
    "alexnet": AlexNet,
    "alexnet_one_tower": AlexNetOneTower,
    "alexnet_small": AlexNetSmall,
    "vgg16": VGG16,
    "vgg19": VGG19,
    "vgg_small": VGGSmall,
    **{f"resnet{d}": functools.partial(CifarResNet, d) for d in CIFAR_DEPTHS},
    **{f"plain{d}": functools.partial(CifarResNet, d, shortcut="plain") for d in CIFAR_DEPTHS},
    "resnet_compact": CompactResNet,
    "resnet50": ResNet50,
    "resnet101": ResNet101,
    "resnet152": ResNet152,
    "plain_cnn": plain_cnn,
    "googlenet": GoogLeNet,
    "mini_inception": MiniInception,
    "inception_v3": InceptionV3,
    "xception": Xception,
    "mini_xception": MiniXception,
    "mini_xception_regular": functools.partial(MiniXception, separable=False),
    "mobilenet": MobileNet,
}

#: Our name -> the `keras.applications` function of the same network.
KERAS_APPLICATIONS = {
    "vgg16": "VGG16", "vgg19": "VGG19", "resnet50": "ResNet50", "resnet101": "ResNet101",
    "resnet152": "ResNet152", "inception_v3": "InceptionV3", "xception": "Xception",
    "mobilenet": "MobileNet",
}


class WeightsUnavailableError(OSError):
    """Pretrained weights are not on this machine and could not be downloaded."""


def names() -> list[str]:
    """The names `get` accepts."""
    return list(BUILDERS)


def get(name: str, **kwargs):
    """Build the network `name` (see `names()`); `kwargs` go to its builder.

    Raises:
        ValueError: an unknown name (the message lists the known ones), or arguments the
            builder rejects (too small an input names the minimum size).
    """
    if name not in BUILDERS:
        raise ValueError(f"Unknown model name={name!r}. Known models: {', '.join(BUILDERS)}.")
    return BUILDERS[name](**kwargs)


def pretrained(name: str, include_top: bool = True, pooling: str | None = None,
               input_shape=None):
    """Our `name` network with the ImageNet weights of its `keras.applications` twin.

    `input_shape` (height, width, 3) is the published size unless given; without the top, any
    size the network can downsample takes the weights. Keras downloads the weights once into
    its cache (`~/.keras/models`); after that no network is needed.

    Raises:
        ValueError: a network Keras has no weights for, or an input shape it cannot take.
        WeightsUnavailableError: (within seconds) the weights are neither cached nor reachable.
    """
    if name not in KERAS_APPLICATIONS:
        raise ValueError(f"No ImageNet weights for name={name!r}. Networks with weights: "
                         f"{', '.join(KERAS_APPLICATIONS)}.")
    import keras

    from imgclf import network

    # Build ours first: a bad input shape is reported before anything is downloaded.
    shape = {} if input_shape is None else {"input_shape": tuple(input_shape)}
    published = inspect.signature(BUILDERS[name]).parameters["input_shape"].default
    if include_top and input_shape is not None and tuple(input_shape) != tuple(published):
        # Once reported as missing weights ("no network?"): the top's dense layers were
        # trained on the published size's features and fit no other.
        raise ValueError(f"{name} with its ImageNet classifier (include_top=True) takes "
                         f"{tuple(published)} images, got input_shape={tuple(input_shape)}: "
                         f"use include_top=False (with pooling='avg') for other sizes")
    ours = get(name, include_top=include_top, pooling=pooling, **shape)
    application = getattr(keras.applications, KERAS_APPLICATIONS[name])
    try:
        with network.keras_download_timeout():
            reference = application(weights="imagenet", include_top=include_top,
                                    pooling=pooling, input_shape=ours.input_shape[1:])
    except Exception as error:
        raise WeightsUnavailableError(
            f"The ImageNet weights of {name} ({KERAS_APPLICATIONS[name]}) are not in the Keras "
            f"cache and could not be downloaded: {network.reason(error)}; no network?\n"
            f"On a machine with network, run: python -m imgclf weights {name}\n"
            f"then copy its ~/.keras/models here (or set KERAS_HOME to the folder that holds "
            f"models/)."
        ) from None
    ours.set_weights(reference.get_weights())
    return ours


__all__ = [
    "BUILDERS", "KERAS_APPLICATIONS", "AlexNet", "AlexNetOneTower", "AlexNetSmall",
    "BatchNormalization",
    "CifarResNet", "CompactResNet", "GoogLeNet", "InceptionV3", "LocalResponseNormalization",
    "MiniInception", "MiniXception", "MobileNet",
    "ResNet50", "ResNet101", "ResNet152", "VGG16", "VGG19", "VGGSmall", "WeightsUnavailableError",
    "Xception", "basic_block", "bottleneck_block", "conv_bn_relu", "depthwise_pointwise",
    "deep_mlp", "four_layer_cnn", "get",
    "naive_module", "names", "plain_cnn", "preact_block", "pretrained", "reduction_module",
    "residual_module",
    "small_cnn",
]
