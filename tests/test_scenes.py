"""imgclf.scenes: the ground truth of classification, detection and segmentation agree."""

from __future__ import annotations

import numpy as np
import pytest

from imgclf import data, scenes

# The same on every Keras backend: `make test-jax` leaves it to the TensorFlow pass.
pytestmark = pytest.mark.backend_independent


@pytest.fixture(scope="module")
def sample():
    return data.load("sample")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_objects_boxes_and_mask_agree(sample, seed):
    scene = scenes.compose(sample.x_test, sample.y_test, count=3, size=96, seed=seed)
    labels = [obj.label for obj in scene.objects]
    assert len(set(labels)) == 3
    assert scene.image.shape == (96, 96, 1) and scene.mask.shape == (96, 96)
    assert set(np.unique(scene.mask)) == {-1, *labels}
    for obj in scene.objects:
        top, left, bottom, right = obj.box
        assert 0 <= top < bottom <= 96 and 0 <= left < right <= 96
        rows, cols = np.nonzero(scene.mask == obj.label)
        assert (rows.min(), cols.min(), rows.max() + 1, cols.max() + 1) == obj.box
    boxes = [obj.box for obj in scene.objects]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_bad_arguments(sample):
    with pytest.raises(ValueError, match="holds 1 images"):
        scenes.compose(sample.x_test, sample.y_test, count=2, size=40)
    with pytest.raises(ValueError, match="grey images"):
        scenes.compose(sample.x_test[..., 0], sample.y_test)
    with pytest.raises(ValueError, match="needs 3 classes"):
        scenes.compose(sample.x_test[:5], np.zeros(5, int), count=3)
