"""The T4's path, rehearsed on a CPU: mixed_float16 with loss scaling, forced by
$IMGCLF_PRECISION. One small network of each family trains a few steps in float16 and must end
with a finite loss, float32 probabilities and metrics in range."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REPO

import imgclf
from imgclf import hardware, models, profiles, train
from imgclf.course import cache

# The T4's path is Colab's TensorFlow: the JAX pass (make test-jax) leaves it.
pytestmark = pytest.mark.backend_independent

# The small network of each family the chapters train, as each chapter builds it.
FAMILIES = {
    "small_cnn": models.small_cnn,
    "deep_mlp": lambda shape, classes: models.deep_mlp(shape, classes, depth=4),
    "alexnet_small": models.AlexNetSmall,
    "vgg_small": models.VGGSmall,
    "resnet8": lambda shape, classes: models.CifarResNet(8, shape, classes),
    "resnet_compact": lambda shape, classes: models.CompactResNet(input_shape=shape,
                                                                  num_classes=classes),
    "mini_inception": lambda shape, classes: models.MiniInception(input_shape=shape,
                                                                  num_classes=classes),
    "mini_xception": lambda shape, classes: models.MiniXception(input_shape=shape,
                                                                num_classes=classes),
}


@pytest.fixture(scope="module")
def few():
    return imgclf.data.load("sample").subset(96, 48, seed=0)


@pytest.mark.integration
@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_trains_in_float16_as_on_a_t4(family, few, monkeypatch):
    monkeypatch.setenv(hardware.PRECISION_VARIABLE, "mixed_float16")
    config = train.config(profiles.resolve("smoke"), epochs=1, batch_size=32, verbose=0)
    assert config.mixed_precision
    trained = train.fit(lambda: FAMILIES[family](few.image_shape, few.num_classes), few,
                        config, name=family)
    record = trained.record
    assert record["precision"] == "mixed_float16"
    assert np.isfinite(record["final"]["loss"]) and "diverged" not in record
    assert 0.0 <= record["test_accuracy"] <= 1.0 and np.isfinite(record["test_loss"])
    probabilities = trained.model.predict(few.x_test[:8], verbose=0)
    assert probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-3)
    # The weights stay float32; only the computation is float16.
    assert {w.dtype for w in trained.network.trainable_weights} == {"float32"}


def test_the_forced_precision_is_checked_and_can_turn_it_off(monkeypatch):
    monkeypatch.setenv(hardware.PRECISION_VARIABLE, "float16")
    with pytest.raises(ValueError, match="IMGCLF_PRECISION='float16' is not a precision"):
        hardware.mixed_precision_policy()
    monkeypatch.setenv(hardware.PRECISION_VARIABLE, "float32")
    assert hardware.mixed_precision_policy() is None
    assert not train.config(profiles.resolve("full")).mixed_precision


def test_a_forced_precision_is_part_of_a_runs_inputs(monkeypatch):
    """A float16 rehearsal is never reused for a float32 run of the same chapter."""
    source = REPO / "notebooks" / "01-image-classification.md"
    versions = ["keras==3.13.2"]
    monkeypatch.delenv(hardware.PRECISION_VARIABLE, raising=False)
    plain = cache.inputs_digest(source, "smoke", versions=versions)
    monkeypatch.setenv(hardware.PRECISION_VARIABLE, "mixed_float16")
    assert cache.inputs_digest(source, "smoke", versions=versions) != plain
