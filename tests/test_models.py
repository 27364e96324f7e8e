"""imgclf.models: the published parameter counts, weight compatibility with keras.applications,
block shapes, and argument checks. Runs on every backend `make test` uses."""

from __future__ import annotations

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from conftest import HANG_S, REPO

from imgclf import analysis, models
from imgclf.models import alexnet, inception, mobilenet, resnet, vgg, xception

# From ../shared/REFERENCE.md (keras.applications, include_top=True, 1000 classes).
KERAS_COUNTS = {
    "vgg16": 138_357_544, "vgg19": 143_667_240, "resnet50": 25_636_712,
    "resnet101": 44_707_176, "resnet152": 60_419_944, "inception_v3": 23_851_784,
    "xception": 22_910_480, "mobilenet": 4_253_864,
}
NATIVE_SIZE = {"inception_v3": 299, "xception": 299}


@pytest.mark.integration
@pytest.mark.backend_independent  # weight shapes and order are Keras's, not the backend's
@pytest.mark.parametrize("name", list(models.KERAS_APPLICATIONS))
def test_weight_compatible_with_keras_applications(name):
    ours = models.get(name)
    reference = getattr(keras.applications, models.KERAS_APPLICATIONS[name])(weights=None)
    assert ours.count_params() == reference.count_params() == KERAS_COUNTS[name]
    ours.set_weights(reference.get_weights())
    size = NATIVE_SIZE.get(name, 224)
    images = np.random.default_rng(0).random((2, size, size, 3)).astype("float32")
    np.testing.assert_allclose(ours.predict(images, verbose=0),
                               reference.predict(images, verbose=0), atol=1e-5, rtol=0)


def test_alexnet_as_published():
    net = models.get("alexnet")
    assert net.count_params() == 60_965_224
    assert net.input_shape == (None, 227, 227, 3) and net.output_shape == (None, 1000)
    assert [net.get_layer(f"conv{i}").groups for i in range(1, 6)] == [1, 2, 1, 2, 2]
    assert analysis.weighted_depth(net) == 8
    # Without the two-GPU grouping, conv2, conv4 and conv5 see twice the maps: their kernels
    # double, their biases stay.
    grouped_kernels = sum(int(np.prod(net.get_layer(f"conv{i}").kernel.shape))
                          for i in (2, 4, 5))
    one_tower = models.get("alexnet_one_tower")
    assert one_tower.count_params() - net.count_params() == grouped_kernels


def test_alexnet_small_for_28_and_32_pixel_images():
    for shape in ((28, 28, 1), (32, 32, 3)):
        net = models.get("alexnet_small", input_shape=shape, num_classes=10)
        out = net.predict(np.zeros((2, *shape), "float32"), verbose=0)
        assert out.shape == (2, 10)


def test_vgg_small_is_vgg_in_miniature():
    net = models.get("vgg_small", input_shape=(28, 28, 1), num_classes=10)
    assert net.predict(np.zeros((2, 28, 28, 1), "float32"), verbose=0).shape == (2, 10)
    convs = [layer for layer in net.layers if isinstance(layer, keras.layers.Conv2D)]
    assert {layer.kernel_size for layer in convs} == {(3, 3)}, "only 3x3 convolutions"
    assert [layer.filters for layer in convs] == [32, 32, 64, 64, 128, 128]
    assert net.get_layer("block3_pool").output.shape[1:] == (3, 3, 128)
    assert [layer.units for layer in net.layers if isinstance(layer, keras.layers.Dense)] == \
        [512, 512, 10]


def test_vgg_small_takes_its_blocks_and_dense_widths():
    net = models.VGGSmall((28, 28, 1), 10, blocks=((32, 1), (64, 2)), dense_units=(512,),
                          dropout=0.3)
    convs = [layer for layer in net.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [layer.filters for layer in convs] == [32, 64, 64]
    assert net.get_layer("block2_pool").output.shape[1:] == (7, 7, 64)
    assert [layer.units for layer in net.layers if isinstance(layer, keras.layers.Dense)] == \
        [512, 10]
    assert net.get_layer("fc1_dropout").rate == 0.3
    bare = models.VGGSmall((28, 28, 1), 10, blocks=[(16, 1)], dense_units=())
    assert [type(layer).__name__ for layer in bare.layers][-2:] == ["Flatten", "Dense"]


@pytest.mark.parametrize("depth", resnet.CIFAR_DEPTHS)
def test_cifar_resnets_have_6n_plus_2_layers(depth):
    net = models.get(f"resnet{depth}")
    assert analysis.weighted_depth(net) == depth
    assert analysis.weighted_depth(models.get(f"plain{depth}")) == depth
    assert net.output_shape == (None, 10)


def test_resnet20_option_a_has_about_027m_parameters():
    count = models.get("resnet20").count_params()
    assert abs(count - 270_000) / 270_000 < 0.02
    # Option B adds the 1x1 projections of the two widening blocks (and their BN).
    option_b = models.CifarResNet(20, shortcut="B").count_params()
    assert option_b - count == (16 * 32 + 4 * 32) + (32 * 64 + 4 * 64)
    # The plain twin has exactly the same weights: option A's shortcuts have none.
    assert models.get("plain20").count_params() == count


@pytest.mark.backend_independent  # counts layers and parameters
def test_googlenet_is_22_layers_and_far_smaller_than_alexnet():
    net = models.get("googlenet")
    assert analysis.weighted_depth(net) == 22
    assert 5_000_000 < net.count_params() < 7_000_000
    assert models.get("alexnet").count_params() / net.count_params() > 8
    with_aux = models.get("googlenet", auxiliary=True)
    assert [o.shape for o in with_aux.outputs] == [(None, 1000)] * 3


def output_shape(block, input_shape, **kwargs):
    inputs = keras.Input(input_shape)
    return tuple(block(inputs, **kwargs).shape[1:])


def test_block_output_shapes():
    assert output_shape(resnet.basic_block, (32, 32, 16), filters=16) == (32, 32, 16)
    for shortcut in resnet.SHORTCUTS:
        assert output_shape(resnet.basic_block, (32, 32, 16), filters=32, stride=2,
                            shortcut=shortcut) == (16, 16, 32)
    assert output_shape(resnet.bottleneck_block, (56, 56, 64), filters=64,
                        projection=True) == (56, 56, 256)
    assert output_shape(resnet.bottleneck_block, (56, 56, 256), filters=128, stride=2,
                        projection=True) == (28, 28, 512)
    assert output_shape(inception.naive_module, (28, 28, 192), n1x1=64, n3x3=128,
                        n5x5=32) == (28, 28, 64 + 128 + 32 + 192)
    assert output_shape(inception.reduction_module, (28, 28, 192), n1x1=64, n3x3_reduce=96,
                        n3x3=128, n5x5_reduce=16, n5x5=32, pool_proj=32) == (28, 28, 256)
    assert output_shape(xception.depthwise_pointwise, (24, 24, 20), filters=40) == (24, 24, 40)
    assert output_shape(xception.middle_block, (19, 19, 728), filters=728,
                        name="b") == (19, 19, 728)
    assert output_shape(xception.downsampling_block, (147, 147, 64),
                        filters=(128, 128), name="b") == (74, 74, 128)
    assert output_shape(alexnet.conv_block, (227, 227, 3), spec=alexnet.PUBLISHED[0],
                        name="c") == (27, 27, 96)
    assert output_shape(vgg.vgg_block, (224, 224, 3), filters=64, convs=2,
                        name="b") == (112, 112, 64)
    assert output_shape(mobilenet.depthwise_separable_block, (112, 112, 64), filters=128,
                        stride=2, block_id=2) == (56, 56, 128)
    assert output_shape(inception.inception_module, (35, 35, 192),
                        branches=inception.INCEPTION_V3[0], name="m") == (35, 35, 256)
    assert output_shape(inception.inception_module, (8, 8, 1280),
                        branches=inception.INCEPTION_V3[9], name="m") == (8, 8, 2048)
    assert output_shape(inception.auxiliary_classifier, (14, 14, 512), num_classes=10,
                        name="aux") == (10,)


def test_option_a_shortcut_subsamples_and_zero_pads():
    x = np.arange(2 * 4 * 4 * 3, dtype="float32").reshape(2, 4, 4, 3)
    y = keras.ops.convert_to_numpy(resnet.ZeroPadShortcut(8, 2)(x))
    assert y.shape == (2, 2, 2, 8)
    np.testing.assert_array_equal(y[..., :3], x[:, ::2, ::2, :])
    assert not y[..., 3:].any()


def test_local_response_normalization_matches_the_formula():
    x = np.random.default_rng(0).random((1, 2, 2, 7)).astype("float32") * 10
    y = keras.ops.convert_to_numpy(models.LocalResponseNormalization()(x))
    c = 3
    window = (x[..., c - 2:c + 3] ** 2).sum(axis=-1)
    np.testing.assert_allclose(y[..., c], x[..., c] / (2 + 1e-4 * window) ** 0.75, rtol=1e-5)
    with pytest.raises(ValueError, match="positive odd integer"):
        models.LocalResponseNormalization(size=4)


@pytest.mark.integration
@pytest.mark.parametrize("name", models.names())
def test_every_network_builds_headless_and_for_other_class_counts(name):
    net = models.get(name, num_classes=7)
    assert net.output_shape[-1] == 7
    # The input contract (imgclf.models.common): images come scaled to [0, 1]; no network
    # rescales them itself, so the trainer's one Rescaling is the only one.
    assert not [layer.name for layer in analysis.layers_of(net)
                if isinstance(layer, keras.layers.Rescaling) and layer.scale != 1
                and layer.input is net.input], f"{name} rescales its own input"
    if name not in ("small_cnn", "four_layer_cnn", "deep_mlp", "plain_cnn"):  # teaching models
        headless = models.get(name, include_top=False, pooling="avg")
        assert len(headless.output_shape) == 2


@pytest.mark.parametrize("name, minimum", [("alexnet", 67), ("alexnet_small", 15),
                                           ("vgg16", 32), ("resnet50", 32), ("resnet20", 8),
                                           ("googlenet", 32), ("inception_v3", 75),
                                           ("xception", 71), ("mobilenet", 32),
                                           ("mini_inception", 8), ("mini_xception", 8),
                                           ("vgg_small", 8)])
def test_too_small_an_input_names_the_minimum(name, minimum):
    models.get(name, input_shape=(minimum, minimum, 3), include_top=False)
    with pytest.raises(ValueError, match=f"at least {minimum}x{minimum} pixels"):
        models.get(name, input_shape=(minimum - 1, minimum - 1, 3))


@pytest.mark.parametrize("kwargs, message", [
    ({"num_classes": 1}, "num_classes must be an integer >= 2"),
    ({"num_classes": 2.5}, "num_classes must be an integer >= 2"),
    ({"input_shape": (224, 224)}, "must be \\(height, width, channels\\)"),
    ({"input_shape": (224, -1, 3)}, "must be \\(height, width, channels\\)"),
    ({"pooling": "mean", "include_top": False}, "pooling must be None, 'avg' or 'max'"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.get("resnet50", **kwargs)


def test_bad_names_and_depths():
    with pytest.raises(ValueError, match="Known models: small_cnn, four_layer_cnn, deep_mlp"):
        models.get("resnet18")
    with pytest.raises(ValueError, match="depth must be 6n \\+ 2"):
        models.CifarResNet(21)
    with pytest.raises(ValueError, match="shortcut must be one of"):
        models.CifarResNet(20, shortcut="C")
    with pytest.raises(ValueError, match="No ImageNet weights for name='alexnet'"):
        models.pretrained("alexnet")


@pytest.mark.integration
def test_pretrained_without_network_fails_clearly(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests" / "offline"),
           "KERAS_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "imgclf", "weights", "mobilenet"],
                          capture_output=True, text=True, env=env, timeout=HANG_S)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "ImageNet weights of mobilenet (MobileNet) are not in the Keras cache" in done.stderr
    assert "python -m imgclf weights mobilenet" in done.stderr


def test_layers_carry_meaningful_names():
    for name in ("alexnet", "resnet20", "googlenet", "xception"):
        net = models.get(name)
        generic = [layer.name for layer in net.layers
                   if layer.name.split("_")[0] in {"conv2d", "dense", "add", "activation"}]
        assert not generic, generic[:5]


def test_naive_and_reduced_modules_on_googlenets_first_input():
    maps = keras.Input((28, 28, 192))
    naive = keras.Model(maps, models.naive_module(maps, 64, 128, 32))
    reduced = keras.Model(maps, models.reduction_module(maps, *inception.GOOGLENET[0][1]))
    assert naive.output_shape == (None, 28, 28, 416)  # the pooling branch keeps 192 channels
    assert reduced.output_shape == (None, 28, 28, 256)
    assert naive.count_params() == 387_296 and reduced.count_params() == 163_696
    normalised = keras.Model(maps, models.reduction_module(maps, *inception.GOOGLENET[0][1],
                                                           name="bn", batch_norm=True))
    assert normalised.output_shape == reduced.output_shape
    assert sum(isinstance(x, keras.layers.BatchNormalization) for x in normalised.layers) == 6
    with pytest.raises(ValueError, match="every branch width must be a positive integer"):
        models.naive_module(maps, 64, 0, 32)


def test_inception_resnet_module_keeps_its_input_shape():
    maps = keras.Input((17, 17, 128))
    module = keras.Model(maps, models.residual_module(maps, 32))
    assert module.output_shape == (None, 17, 17, 128)
    adds = [x for x in module.layers if isinstance(x, keras.layers.Add)]
    assert len(adds) == 1


def test_mini_inception_and_its_plain_twin_are_of_a_size():
    mini, plain = models.MiniInception(), models.plain_cnn()
    assert mini.output_shape == plain.output_shape == (None, 10)
    assert abs(mini.count_params() - plain.count_params()) < 0.15 * plain.count_params()
    assert analysis.weighted_depth(mini) == 12 and analysis.weighted_depth(plain) == 7
    assert models.MiniInception((32, 32, 3), 100).output_shape == (None, 100)
    with pytest.raises(ValueError, match="stages must be non-empty tuples of positive widths"):
        models.plain_cnn(stages=((32,), ()))


def test_mini_xception_separable_against_regular():
    separable = models.MiniXception()
    regular = models.MiniXception(separable=False)
    kinds = {type(x) for x in regular.layers}
    assert keras.layers.SeparableConv2D not in kinds
    assert sum(isinstance(x, keras.layers.SeparableConv2D) for x in separable.layers) == 7
    # Same layers, same widths: only the convolutions differ.
    assert [x.name for x in separable.layers] == [x.name for x in regular.layers]
    assert separable.count_params() * 7 < regular.count_params()
    images = np.random.default_rng(0).random((2, 28, 28, 1)).astype("float32")
    assert separable.predict(images, verbose=0).shape == (2, 10)
    with pytest.raises(ValueError, match="middle_blocks must be an integer >= 0"):
        models.MiniXception(middle_blocks=-1)
    with pytest.raises(ValueError, match="widths must be positive integers"):
        models.MiniXception(widths=())


def test_pretrained_rejects_a_bad_input_shape_before_any_download():
    with pytest.raises(ValueError, match="at least 32x32 pixels"):
        models.pretrained("mobilenet", include_top=False, input_shape=(16, 16, 3))


@pytest.mark.integration
@pytest.mark.backend_independent
def test_every_network_gives_float32_probabilities_under_mixed_precision():
    # A bfloat16 softmax keeps about three significant digits: top-k ties and the analysis
    # functions' inputs would suffer (the full profile trains in mixed precision on GPUs).
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        for name in models.names():
            model = models.get(name, num_classes=10)
            assert [str(output.dtype) for output in model.outputs] == \
                ["float32"] * len(model.outputs), name
            keras.backend.clear_session()
    finally:
        keras.mixed_precision.set_global_policy(previous)


def test_the_pre_activation_block_adds_its_input_unchanged():
    """With its last convolution zeroed (F(x) = 0) the pre-activation block returns x itself,
    negative values too; the original block returns relu(x). Same weights either way."""
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 16)).astype("float32")
    outputs = {}
    for name, block, last in (("preact", resnet.preact_block, "preact_2_conv"),
                              ("original", resnet.basic_block, "original_2_conv")):
        model = block_alone(block, name)
        kernel = model.get_layer(last)
        kernel.set_weights([np.zeros_like(w) for w in kernel.get_weights()])
        outputs[name] = model.predict(x, verbose=0)
        outputs[f"{name} parameters"] = model.count_params()
    np.testing.assert_allclose(outputs["preact"], x, atol=1e-6)
    np.testing.assert_allclose(outputs["original"], np.maximum(x, 0), atol=1e-6)
    assert outputs["preact parameters"] == outputs["original parameters"]
    assert output_shape(resnet.preact_block, (32, 32, 16), filters=32, stride=2) == (16, 16, 32)


def block_alone(block, name):
    inputs = keras.Input((8, 8, 16))
    return keras.Model(inputs, block(inputs, filters=16, name=name))
