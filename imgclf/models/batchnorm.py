"""Batch normalisation that trains with TensorFlow's fused kernel on a CPU.

Keras 3 normalises a training batch in separate operations (the moments, then the affine
transform), and their gradients are as many more. TensorFlow has one kernel for the whole of it,
FusedBatchNormV3, and one for its gradient; on a CPU it trained the chapters' networks with batch
normalisation faster (`benchmarks/cpu_paths.py`, benchmarks/RESULTS.md). The result is the same
computation: the same normalised outputs, gradients and moving statistics, to float32 rounding.
"""

from __future__ import annotations

import keras

from imgclf import hardware

#: The smallest epsilon the fused kernel takes (it raises smaller ones to this).
FUSED_MIN_EPSILON = 1.001e-5


@keras.saving.register_keras_serializable(package="imgclf")
class BatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization`, with the same arguments, weights and results; in a
    training step on TensorFlow without a GPU, for images (N, H, W, C) normalised over C, it
    computes in one fused kernel (`fused_path`). Everywhere else (JAX, a GPU, inference, masks,
    renormalisation, statistics synchronised across replicas) it is Keras's own layer.
    """

    def build(self, input_shape):
        rank = len(input_shape)
        if not isinstance(self.axis, int) or not -rank <= self.axis < rank:
            raise ValueError(f"axis {self.axis!r} is not an axis of inputs of shape "
                             f"{tuple(input_shape)}: batch normalisation keeps one statistic "
                             f"per index of an axis in [-{rank}, {rank - 1}], usually -1, the "
                             f"channels of images (N, H, W, C)")
        super().build(input_shape)

    def fused_path(self, inputs, training, mask) -> bool:
        """Whether this call takes the fused kernel: training on TensorFlow without a GPU, on
        images (N, H, W, C) normalised over their channels, no mask, no
        renormalisation, no synchronised statistics and an epsilon the kernel
        takes as it is (`FUSED_MIN_EPSILON`)."""
        rank = len(inputs.shape)
        return (bool(training) and self.trainable and mask is None and rank == 4
                and self.axis in (-1, rank - 1) and not getattr(self, "renorm", False)
                and not self.synchronized
                and self.epsilon >= FUSED_MIN_EPSILON and hardware.tensorflow_cpu())

    def call(self, inputs, training=None, mask=None):
        if not self.fused_path(inputs, training, mask):
            return super().call(inputs, training=training, mask=mask)
        import tensorflow as tf

        # float32 statistics for 16-bit inputs, as Keras computes them.
        x = tf.cast(inputs, "float32")
        channels = x.shape[-1]
        # The kernel always scales and shifts: by 1 and 0 where the layer has no gamma or beta.
        gamma = tf.cast(self.gamma, "float32") if self.scale else tf.ones([channels])
        beta = tf.cast(self.beta, "float32") if self.center else tf.zeros([channels])
        y, mean, variance = tf.compat.v1.nn.fused_batch_norm(
            x, gamma, beta,
            epsilon=self.epsilon, data_format="NHWC", is_training=True)
        # The kernel returns the unbiased variance (n - 1 in the denominator); Keras's moving
        # variance averages the biased one, which the kernel normalised with.
        count = tf.cast(tf.reduce_prod(tf.shape(x)[:3]), "float32")
        variance = variance * (count - 1.0) / tf.maximum(count, 1.0)
        momentum = self.momentum
        self.moving_mean.assign(self.moving_mean * momentum + mean * (1.0 - momentum))
        self.moving_variance.assign(self.moving_variance * momentum
                                    + variance * (1.0 - momentum))
        return tf.cast(y, inputs.dtype)
