"""Measured forward time: how long a model takes on a batch, as the chapters report it."""

from __future__ import annotations

import statistics
import time

import keras
import numpy as np

from imgclf.models.common import takes_images_of


def forward_seconds(model: keras.Model, images: np.ndarray, repeats: int = 5) -> float:
    """The median wall time, in seconds, of one forward pass of `images` through `model`.

    `images` is one batch (N, H, W, C) of the model's input shape. The first call (which
    traces and compiles the prediction function) is not timed; then `repeats` calls are.

    Raises:
        ValueError: `repeats` below 1, or images whose shape the model does not take.
    """
    if not isinstance(repeats, int) or isinstance(repeats, bool) or repeats < 1:
        raise ValueError(f"repeats must be an integer >= 1, got {repeats!r}")
    images = np.asarray(images)
    if images.ndim < 1 or not takes_images_of(model, images.shape[1:]):
        expected = ", ".join(map(str, model.input_shape[1:]))
        raise ValueError(f"{model.name} takes a batch of shape (N, {expected}), got images of "
                         f"shape {images.shape}")
    if len(images) == 0:
        raise ValueError("images is an empty batch; time at least one image")
    model.predict_on_batch(images)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        keras.ops.convert_to_numpy(model.predict_on_batch(images))
        times.append(time.perf_counter() - started)
    return statistics.median(times)
