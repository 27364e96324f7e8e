"""Scenes of several real images on one canvas, to contrast classification, detection, segmentation.

A classifier answers one question per image; a detector finds each object and its box; a
segmenter labels every pixel. Building a scene from labelled single-object images gives the
ground truth of all three at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FOREGROUND = 40  # pixel value (0-255) above which a pixel belongs to the object


@dataclass(frozen=True)
class SceneObject:
    """An object in a scene: its image (H, W, 1), class, and box (top, left, bottom, right)."""

    image: np.ndarray
    label: int
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class Scene:
    """A grey canvas (H, W, 1) uint8, its objects, and a mask (H, W): class index or -1."""

    image: np.ndarray
    objects: tuple[SceneObject, ...]
    mask: np.ndarray


def compose(images: np.ndarray, labels: np.ndarray, count: int = 3, size: int = 96,
            seed: int = 0) -> Scene:
    """Place `count` images of different classes at random, non-overlapping spots of a canvas.

    Args:
        images: grey uint8 images, shape (N, h, w, 1), as `imgclf.data.load` returns them.
        labels: their class indices, shape (N,).
        count: how many objects (each of a different class).
        size: the canvas's height and width in pixels; must fit `count` images side by side.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 4 or images.shape[-1] != 1:
        raise ValueError(f"compose needs grey images (N, h, w, 1), got shape {images.shape}")
    if labels.shape != (len(images),):
        raise ValueError(f"labels must have shape ({len(images)},), one per image, got "
                         f"{labels.shape}")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f"count must be an integer >= 1, got {count!r}")
    height, width = images.shape[1:3]
    cells = size // height, size // width
    if cells[0] * cells[1] < count:
        raise ValueError(
            f"a {size}x{size} canvas holds {cells[0] * cells[1]} images of {height}x{width}, "
            f"not {count}; use size >= {height * int(np.ceil(np.sqrt(count)))}"
        )
    classes = np.unique(labels)
    if len(classes) < count:
        raise ValueError(f"compose needs {count} classes, the labels hold {len(classes)}")
    rng = np.random.default_rng(seed)
    chosen_classes = rng.choice(classes, size=count, replace=False)
    spots = rng.choice(cells[0] * cells[1], size=count, replace=False)
    # One offset for the whole grid centres it without letting neighbours overlap.
    spare = size - cells[0] * height, size - cells[1] * width
    offset = rng.integers(0, spare[0] + 1), rng.integers(0, spare[1] + 1)
    canvas = np.zeros((size, size, 1), np.uint8)
    mask = np.full((size, size), -1, np.int64)
    objects = []
    for cls, spot in zip(chosen_classes, spots, strict=True):
        index = rng.choice(np.flatnonzero(labels == cls))
        row, col = divmod(int(spot), cells[1])
        top, left = offset[0] + row * height, offset[1] + col * width
        canvas[top:top + height, left:left + width] = images[index]
        foreground = images[index, ..., 0] > FOREGROUND
        if not foreground.any():
            foreground[:] = True
        mask[top:top + height, left:left + width][foreground] = int(cls)
        rows, cols = np.nonzero(foreground)
        box = (top + rows.min(), left + cols.min(), top + rows.max() + 1, left + cols.max() + 1)
        objects.append(SceneObject(images[index], int(cls), tuple(int(v) for v in box)))
    return Scene(canvas, tuple(objects), mask)
