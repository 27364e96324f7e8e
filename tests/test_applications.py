"""imgclf.applications: the keras.applications facts, the photograph, preprocessing for
ImageNet weights, and decoding that fails clearly without network."""

from __future__ import annotations

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from conftest import HANG_S, REPO

from imgclf import applications, models, timing


def test_facts_cover_every_network_with_keras_weights():
    assert [f.name for f in applications.FACTS] == list(models.KERAS_APPLICATIONS)
    assert set(applications.PREPROCESSING) == set(models.KERAS_APPLICATIONS)
    assert all(0.6 < f.top1 < f.top5 < 1 for f in applications.FACTS)
    bib = (REPO / "book" / "references.bib").read_text()
    assert all(f"{{{f.citation}," in bib for f in applications.FACTS)


def test_photograph_is_real_and_rgb():
    photo = applications.photographs()["Grace Hopper"]
    assert photo.dtype == np.uint8 and photo.ndim == 3 and photo.shape[2] == 3
    assert min(photo.shape[:2]) >= 224 and photo.std() > 20


def test_imagenet_classifier_maps_grey_images_in_0_1_to_the_weights_range():
    network = models.MobileNet(input_shape=(64, 64, 3), include_top=False, pooling="avg")
    classifier = applications.imagenet_classifier(network, "mobilenet", (28, 28, 1))
    for grey, expected in ((1.0, 1.0), (0.0, -1.0)):  # white -> +1, black -> -1 on each channel
        images = np.full((2, 28, 28, 1), grey, dtype="float32")
        np.testing.assert_allclose(
            classifier.predict(images, verbose=0),
            network.predict(np.full((2, 64, 64, 3), expected, dtype="float32"), verbose=0),
            atol=1e-5)
    with pytest.raises(ValueError, match="resnet50 expects BGR mean-subtracted pixels"):
        applications.imagenet_classifier(network, "resnet50", (28, 28, 1))
    with pytest.raises(ValueError, match="Unknown ImageNet network 'alexnet'"):
        applications.imagenet_classifier(network, "alexnet", (28, 28, 1))
    with pytest.raises(ValueError, match="image_shape must be \\(height, width, 1 or 3\\)"):
        applications.imagenet_classifier(network, "mobilenet", (28, 28, 2))


def test_decode_checks_its_input():
    with pytest.raises(ValueError, match="must be \\(N, 1000\\)"):
        applications.decode(np.zeros((1, 10)))
    with pytest.raises(ValueError, match="top must be an integer in 1..1000"):
        applications.decode(np.zeros((1, 1000)), top=0)


@pytest.mark.integration
def test_decode_without_network_fails_clearly(tmp_path):
    code = ("import numpy as np; from imgclf import applications, models\n"
            "try:\n    applications.decode(np.full((1, 1000), 1e-3))\n"
            "except models.WeightsUnavailableError as e:\n    print(e)")
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests" / "offline"),
           "KERAS_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=HANG_S)
    assert "ImageNet class names are not in the Keras cache" in done.stdout


def test_forward_seconds_checks_shapes_and_repeats():
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, keras.layers.Conv2D(4, 3)(inputs))
    assert 0 < timing.forward_seconds(model, np.zeros((2, 8, 8, 3), "float32"), repeats=2) < 5
    with pytest.raises(ValueError, match="takes a batch of shape \\(N, 8, 8, 3\\)"):
        timing.forward_seconds(model, np.zeros((2, 8, 8, 1), "float32"))
    with pytest.raises(ValueError, match="repeats must be an integer >= 1"):
        timing.forward_seconds(model, np.zeros((2, 8, 8, 3), "float32"), repeats=0)
    with pytest.raises(ValueError, match="empty batch"):
        timing.forward_seconds(model, np.zeros((0, 8, 8, 3), "float32"))
