"""imgclf.models.small_cnn: the lecture's parameter arithmetic, shapes, and argument checks."""

from __future__ import annotations

import numpy as np
import pytest

from imgclf.models import small_cnn


def test_parameters_by_the_lecture_arithmetic():
    model = small_cnn(input_shape=(28, 28, 1), num_classes=10)
    expected = {
        "stage1_conv": 3 * 3 * 1 * 32,  # no bias: batch normalisation adds one
        "stage1_bn": 4 * 32,  # gamma, beta, moving mean, moving variance
        "stage2_conv": 3 * 3 * 32 * 64,
        "stage2_bn": 4 * 64,
        "hidden": 7 * 7 * 64 * 128 + 128,
        "classifier": 128 * 10 + 10,
    }
    for name, count in expected.items():
        assert model.get_layer(name).count_params() == count, name
    assert model.count_params() == sum(expected.values()) == 421_930


def test_output_is_a_probability_per_class_for_colour_images():
    model = small_cnn(input_shape=(32, 32, 3), num_classes=100)
    images = np.random.default_rng(0).integers(0, 256, (2, 32, 32, 3)).astype("uint8")
    probabilities = np.asarray(model.predict(images, verbose=0))
    assert probabilities.shape == (2, 100)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    ({"input_shape": (3, 3, 1)}, "too small: 2 poolings need at least 4x4"),
    ({"input_shape": (28, 28)}, "must be \\(height, width, channels\\)"),
    ({"num_classes": 1}, "num_classes must be an integer >= 2"),
    ({"dropout": 1.0}, "dropout must be in \\[0, 1\\)"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        small_cnn(**kwargs)
