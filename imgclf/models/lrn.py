"""Local response normalisation, AlexNet's "brightness normalisation" across channels."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="imgclf")
class LocalResponseNormalization(keras.layers.Layer):
    """b = a / (k + alpha * sum of a^2 over `size` neighbouring channels) ** beta.

    Krizhevsky et al. (2012), section 3.3, with their constants k=2, n=5, alpha=1e-4,
    beta=0.75 as defaults. Shapes: (N, H, W, C) -> (N, H, W, C). No weights.
    """

    def __init__(self, size: int = 5, k: float = 2.0, alpha: float = 1e-4, beta: float = 0.75,
                 **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or size < 1 or size % 2 == 0:
            raise ValueError(f"size must be a positive odd integer, got {size!r}")
        self.size, self.k, self.alpha, self.beta = size, k, alpha, beta

    def build(self, input_shape):
        channels = input_shape[-1]
        # The sum over neighbouring channels as one product with a band matrix: a single
        # matrix multiplication, which CPUs and GPUs run far faster than shifted slices.
        offsets = np.arange(channels)[:, None] - np.arange(channels)[None, :]
        self.band = (np.abs(offsets) <= self.size // 2).astype("float32")

    def call(self, inputs):
        band = ops.cast(self.band, inputs.dtype)
        window = ops.matmul(ops.square(inputs), band)
        return inputs / ops.power(self.k + self.alpha * window, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "size": self.size, "k": self.k, "alpha": self.alpha,
                "beta": self.beta}
