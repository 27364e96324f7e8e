"""imgclf.metrics and imgclf.gradients: the measurements chapters 2, 4 and 5 rest on."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest

from imgclf import gradients, metrics, models


def test_top_k_accuracy_matches_keras():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 200)
    p = rng.dirichlet(np.ones(10), 200).astype("float32")
    for k in (1, 3, 5, 10):
        metric = keras.metrics.SparseTopKCategoricalAccuracy(k=k)
        metric.update_state(y, p)
        assert metrics.top_k_accuracy(y, p, k) == pytest.approx(float(metric.result()))
    assert metrics.top_k_accuracy(y, p, 10) == 1.0


def test_top_k_small_example():
    labels = np.array([2, 0, 3])
    p = np.array([[0.1, 0.2, 0.6, 0.1], [0.3, 0.4, 0.2, 0.1], [0.4, 0.3, 0.2, 0.1]])
    assert [metrics.top_k_accuracy(labels, p, k) for k in (1, 2, 3, 4)] == pytest.approx(
        [1 / 3, 2 / 3, 2 / 3, 1.0])


def test_top_k_reads_bfloat16_probabilities():
    # What a mixed-precision model's intermediate outputs hold; NumPy knows the type only
    # through ml_dtypes (installed with JAX and TensorFlow).
    bfloat16 = pytest.importorskip("ml_dtypes").bfloat16
    labels = np.array([2, 0, 3])
    p = np.array([[0.1, 0.2, 0.6, 0.1], [0.3, 0.4, 0.2, 0.1], [0.4, 0.3, 0.2, 0.1]])
    assert [metrics.top_k_accuracy(labels, p.astype(bfloat16), k) for k in (1, 2, 3)] == \
        pytest.approx([1 / 3, 2 / 3, 2 / 3])


@pytest.mark.parametrize("y, p, k, message", [
    ([0, 1], np.ones((3, 4)), 1, "need labels \\(N,\\)"),
    ([0, 4], np.ones((2, 4)), 1, "y_true must be in 0..3"),
    ([0, 1], np.ones((2, 4)), 5, "k must be an integer in 1..4"),
    ([], np.ones((0, 4)), 1, "probabilities must not be empty"),
])
def test_top_k_rejects_bad_input(y, p, k, message):
    with pytest.raises(ValueError, match=message):
        metrics.top_k_accuracy(np.array(y, dtype=int), p, k)


@pytest.mark.parametrize("y, error, message", [
    ([0.5, 1.0], ValueError, "y_true must hold whole class indices"),
    (["a", "b"], TypeError, "y_true must hold numbers"),
])
def test_top_k_names_labels_that_are_not_class_indices(y, error, message):
    with pytest.raises(error, match=message):
        metrics.top_k_accuracy(y, np.ones((2, 4)), 1)


def test_confusion_matrix_and_pairs():
    matrix = metrics.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 0, 2, 1, 1], 3)
    assert matrix.tolist() == [[1, 1, 0], [1, 0, 0], [0, 2, 1]]
    assert metrics.confused_pairs(matrix, ["a", "b", "c"], count=2) == [
        ("a", "b", 2), ("b", "c", 2)]
    with pytest.raises(ValueError, match="y_true must be in 0..2"):
        metrics.confusion_matrix([0, 3], [0, 1], 3)
    with pytest.raises(ValueError, match="two label arrays of one shape"):
        metrics.confusion_matrix([0, 1], [0], 3)
    # Once silent: fractional predictions were truncated, empty arrays gave zeros.
    with pytest.raises(ValueError, match="y_pred must hold whole class indices"):
        metrics.confusion_matrix([0, 1], [0.4, 1.7], 3)
    with pytest.raises(ValueError, match="y_true must not be empty"):
        metrics.confusion_matrix([], [], 3)


def test_numpy_scalars_are_taken_where_numbers_are_asked():
    labels, p = np.array([0, 1]), np.eye(2)
    assert metrics.top_k_accuracy(labels, p, np.int64(1)) == 1.0
    assert metrics.confusion_matrix(labels, labels, np.int32(2)).tolist() == [[1, 0], [0, 1]]
    with pytest.raises(TypeError, match="k must be an integer"):
        metrics.top_k_accuracy(labels, p, np.bool_(True))


def test_gradient_norms_by_hand():
    # One dense layer without bias, softmax cross-entropy: dL/dW = x^T (p - onehot) / N.
    inputs = keras.Input((3,))
    layer = keras.layers.Dense(2, use_bias=False, activation="softmax", name="only")
    model = keras.Model(inputs, layer(inputs))
    weights = np.array([[0.5, -0.5], [0.1, 0.2], [0.0, 1.0]], dtype="float32")
    model.set_weights([weights])
    x = np.array([[1.0, 2.0, 3.0], [0.5, 0.0, -1.0]], dtype="float32")
    y = np.array([0, 1])
    logits = x @ weights
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = x.T @ (p - np.eye(2)[y]) / len(x)
    norms = gradients.kernel_gradient_norms(model, x, y)
    assert norms == {"only": pytest.approx(float(np.linalg.norm(expected)), rel=1e-4)}


def test_vanishing_and_healthy_gradients_are_told_apart():
    x = np.random.default_rng(0).integers(0, 256, (64, 28, 28, 1))
    y = np.arange(64) % 10
    keras.utils.set_random_seed(0)
    sigmoid = models.deep_mlp(depth=10, activation="sigmoid",
                              kernel_initializer=keras.initializers.LecunNormal())
    keras.utils.set_random_seed(0)
    relu = models.deep_mlp(depth=10, activation="relu",
                           kernel_initializer=keras.initializers.HeNormal())
    vanishing = gradients.first_over_last(gradients.kernel_gradient_norms(sigmoid, x, y))
    healthy = gradients.first_over_last(gradients.kernel_gradient_norms(relu, x, y))
    assert vanishing < 1e-3
    assert 0.1 < healthy < 10


def test_first_over_last_leaves_the_classifier_out():
    norms = {"dense1": 6.0, "dense2": 4.0, "dense3": 2.0, "predictions": 1000.0}
    assert gradients.first_over_last(norms) == 3.0
    assert gradients.first_over_last({"dense1": 5.0, "predictions": 2.0}) == 1.0


@pytest.mark.parametrize("norms, error, names", [
    ([1.0, 2.0, 3.0], TypeError, "norms must be a dict"),
    ({"predictions": 1.0}, ValueError, "at least two layers"),
    ({"a": 1.0, "b": -1.0, "predictions": 1.0}, ValueError, "norms['b']"),
    ({"a": 1.0, "b": float("nan"), "predictions": 1.0}, ValueError, "norms['b']"),
    ({"a": 1.0, "b": 0.0, "predictions": 1.0}, ValueError, "'b'"),
])
def test_first_over_last_refuses_what_is_not_a_set_of_norms(norms, error, names):
    with pytest.raises(error, match=re.escape(names)):
        gradients.first_over_last(norms)


def test_a_saturated_softmax_keeps_its_gradient_on_every_backend():
    x = np.random.default_rng(0).integers(0, 256, (32, 28, 28, 1))
    y = np.arange(32) % 10
    keras.utils.set_random_seed(0)
    exploding = models.deep_mlp(depth=6, activation="relu",
                                kernel_initializer=keras.initializers.RandomNormal(stddev=1.0))
    norms = list(gradients.kernel_gradient_norms(exploding, x, y).values())
    assert all(np.isfinite(norms)) and min(norms) > 0
    assert exploding.layers[-1].activation is keras.activations.softmax  # restored


def test_small_models_of_the_chapters():
    net = models.four_layer_cnn(activation="tanh")
    assert [net.get_layer(n).activation.__name__ for n in ("conv1", "conv2", "hidden")] == [
        "tanh"] * 3
    assert net.count_params() == 9 * 32 + 32 + 9 * 32 * 64 + 64 + 7 * 7 * 64 * 128 + 128 \
        + 128 * 10 + 10
    mlp = models.deep_mlp(depth=4, width=16)
    assert [layer.name for layer in mlp.layers if layer.count_params()] == [
        "dense1", "dense2", "dense3", "dense4", "classifier"]
    with pytest.raises(ValueError, match="depth and width must be positive integers"):
        models.deep_mlp(depth=0)
