"""imgclf.models.BatchNormalization: Keras's layer, computed by TensorFlow's fused kernel in a
CPU training step, with the same outputs, gradients and moving statistics."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from imgclf import hardware, models
from imgclf.models.batchnorm import FUSED_MIN_EPSILON

TENSORFLOW = keras.config.backend() == "tensorflow"


@pytest.fixture
def cpu(monkeypatch):
    """No GPU, whatever this machine has."""
    monkeypatch.setattr(hardware, "gpu_available", lambda: False)


def images(seed=0, shape=(16, 6, 6, 5)):
    """Images (N, H, W, C) far from zero mean and unit variance, so that normalising shows."""
    return np.random.default_rng(seed).normal(2.0, 3.0, shape).astype("float32")


def twins(**kwargs):
    """Keras's layer and ours, built alike with the same random gamma and beta."""
    ours = models.BatchNormalization(momentum=0.9, **kwargs)
    theirs = keras.layers.BatchNormalization(momentum=0.9, **kwargs)
    for layer in (ours, theirs):
        layer.build((None, 6, 6, 5))
    rng = np.random.default_rng(1)
    weights = [rng.normal(1.0, 0.5, w.shape).astype("float32") if i < len(ours.trainable_weights)
               else w for i, w in enumerate(theirs.get_weights())]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    return ours, theirs


@pytest.mark.parametrize("kwargs", [{}, {"epsilon": 1.001e-5}, {"scale": False},
                                    {"center": False}])
def test_a_training_step_gives_what_keras_gives(cpu, kwargs):
    ours, theirs = twins(**kwargs)
    x = images()
    np.testing.assert_allclose(ours(x, training=True), theirs(x, training=True), atol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)  # moving mean and variance too
    np.testing.assert_allclose(ours(x, training=False), theirs(x, training=False), atol=1e-5)


@pytest.mark.skipif(not TENSORFLOW, reason="the fused kernel is TensorFlow's")
def test_the_gradients_are_keras_gradients(cpu):
    import tensorflow as tf

    ours, theirs = twins()
    weights = tf.constant(np.arange(5, dtype="float32"))
    grads = []
    for layer in (ours, theirs):
        x = tf.constant(images())
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(tf.square(layer(x, training=True)) * weights)
        grads.append(tape.gradient(loss, [x, *layer.trainable_weights]))
    for a, b in zip(*grads, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_the_fused_kernel_is_taken_only_where_it_applies(cpu):
    layer = models.BatchNormalization()
    x = images()
    assert layer.fused_path(x, training=True, mask=None) is TENSORFLOW
    assert not layer.fused_path(x, training=False, mask=None)  # inference: Keras's layer
    assert not layer.fused_path(x[:, 0, 0, :], training=True, mask=None)  # (N, C): not images
    assert not layer.fused_path(x, training=True, mask=np.ones(x.shape[:3], bool))
    assert not models.BatchNormalization(axis=1).fused_path(x, training=True, mask=None)
    if TENSORFLOW:  # Keras takes synchronized statistics on TensorFlow only
        assert not models.BatchNormalization(synchronized=True).fused_path(x, True, None)
    assert not models.BatchNormalization(epsilon=FUSED_MIN_EPSILON / 10).fused_path(x, True, None)


def test_a_gpu_keeps_keras_layer(monkeypatch):
    monkeypatch.setattr(hardware, "gpu_available", lambda: True)
    assert not models.BatchNormalization().fused_path(images(), training=True, mask=None)


def test_sixteen_bit_inputs_come_back_in_their_precision(cpu):
    layer = models.BatchNormalization(dtype="mixed_bfloat16")
    out = layer(keras.ops.cast(images(), "bfloat16"), training=True)
    assert keras.backend.standardize_dtype(out.dtype) == "bfloat16"
    assert {w.dtype for w in layer.weights} == {"float32"}


def test_the_course_networks_are_built_with_it_and_save_and_load(tmp_path):
    network = models.CompactResNet((8, 16), (12, 12, 1), 3)
    norms = [layer for layer in network.layers
             if isinstance(layer, keras.layers.BatchNormalization)]
    assert norms and all(isinstance(layer, models.BatchNormalization) for layer in norms)
    path = tmp_path / "net.keras"
    network.save(path)
    loaded = keras.models.load_model(path)
    x = images(shape=(4, 12, 12, 1)) / 10
    np.testing.assert_allclose(loaded.predict(x, verbose=0), network.predict(x, verbose=0),
                               atol=1e-6)
    assert isinstance(loaded.get_layer(norms[0].name), models.BatchNormalization)
