"""Data augmentation that compiles: random crops of a padded image and horizontal flips.

Keras's own RandomTranslation and RandomCrop layers declare themselves not jit-compatible,
which makes `fit` run without XLA on every backend. `RandomCropFlip` uses only static shapes:
a crop at a random offset is a product with two one-hot selection matrices, so the whole
training step still compiles.
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="imgclf")
class RandomCropFlip(keras.layers.Layer):
    """In training: pad by `padding` pixels (zeros), crop back to the input size at a random
    offset, and mirror left-right with probability 1/2 when `flip`. At inference: identity.

    Shapes: (N, H, W, C) -> (N, H, W, C), float images. Each image gets its own offset/flip.
    """

    def __init__(self, padding: int = 4, flip: bool = True, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(padding, int) or padding < 0:
            raise ValueError(f"padding must be a non-negative integer, got {padding!r}")
        self.padding, self.flip, self.seed = padding, flip, seed
        self.generator = keras.random.SeedGenerator(seed)

    def _shift(self, images, batch, size, axis):
        """Shift each image along `axis` (1: rows, 2: columns) by a random 0..2*padding."""
        offsets = keras.random.randint((batch,), 0, 2 * self.padding + 1, seed=self.generator)
        rows = ops.arange(size)[None, :] + offsets[:, None]  # (N, size) source positions
        select = ops.one_hot(rows, size + 2 * self.padding, dtype=images.dtype)  # (N, size, S)
        if axis == 1:
            return ops.einsum("nhs,nswc->nhwc", select, images)
        return ops.einsum("nws,nhsc->nhwc", select, images)

    def call(self, images, training=None):
        if not training:
            return images
        batch = ops.shape(images)[0]
        height, width = images.shape[1], images.shape[2]
        if self.padding:
            p = self.padding
            padded = ops.pad(images, [[0, 0], [p, p], [p, p], [0, 0]])
            images = self._shift(self._shift(padded, batch, height, 1), batch, width, 2)
        if self.flip:
            mirror = keras.random.uniform((batch, 1, 1, 1), seed=self.generator) < 0.5
            images = ops.where(mirror, ops.flip(images, axis=2), images)
        return images

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "flip": self.flip,
                "seed": self.seed}
