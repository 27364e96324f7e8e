"""The gradient that reaches each layer: where deep networks stop learning.

Keras has no backend-neutral gradient function, so this asks the backend in use (TensorFlow's
GradientTape or jax.grad; the course runs on these two) for the gradient of the loss on one batch.
"""

from __future__ import annotations

import keras
import numpy as np

from imgclf import _validate as check
from imgclf.analysis import layers_of
from imgclf.models.common import takes_images_of


def _gradients(model, x, y, loss_fn):
    variables = model.trainable_variables
    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        return [keras.ops.convert_to_numpy(g) for g in tape.gradient(loss, variables)]
    if backend == "jax":
        import jax

        non_trainable = [v.value for v in model.non_trainable_variables]

        def loss_of(trainable):
            predictions, _ = model.stateless_call(trainable, non_trainable, x, training=True)
            return loss_fn(y, predictions)

        return [np.asarray(g) for g in jax.grad(loss_of)([v.value for v in variables])]
    raise ValueError(f"gradients need the TensorFlow or JAX backend, not {backend}")


def kernel_gradient_norms(model, x, y, loss=None) -> dict[str, float]:
    """The L2 norm of the loss's gradient with respect to each layer's kernel, on one batch.

    Args:
        model: a Keras model; every layer with a `kernel` (Dense, Conv2D, ...) is reported.
        x, y: one batch of inputs and integer labels.
        loss: a Keras loss (default: sparse categorical cross-entropy, from the logits when
            the last layer is a softmax, so that saturated outputs keep their gradient).
    Returns:
        {layer name: gradient norm}, from the input side to the output side.
    """
    check.model("model", model)
    x = check.array("x", x, finite=True, what="a batch of inputs")
    y = check.labels("y", y, num_classes=model.output_shape[-1])
    if len(x) != len(y):
        raise ValueError(f"x holds {len(x)} inputs but y {len(y)} labels")
    if not takes_images_of(model, x.shape[1:]):
        raise ValueError(f"{model.name} takes a batch of shape (N, "
                         f"{', '.join(map(str, model.input_shape[1:]))}), got x of shape "
                         f"{x.shape}")
    x = keras.ops.convert_to_tensor(x.astype("float32"))
    y = keras.ops.convert_to_tensor(y)
    last = layers_of(model)[-1]
    if loss is None and getattr(last, "activation", None) is keras.activations.softmax:
        # The cross-entropy of a saturated softmax, computed from its clipped probabilities,
        # has a zero gradient; from the logits it has the true one. TensorFlow finds the
        # logits by itself, the other backends need them given: drop the softmax meanwhile.
        last.activation = keras.activations.linear
        try:
            gradients = _gradients(model, x, y,
                                   keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        finally:
            last.activation = keras.activations.softmax
    else:
        gradients = _gradients(model, x, y, loss or keras.losses.SparseCategoricalCrossentropy())
    by_variable = {id(v): g for v, g in zip(model.trainable_variables, gradients, strict=True)}
    return {layer.name: float(np.linalg.norm(by_variable[id(layer.kernel)]))
            for layer in layers_of(model) if getattr(layer, "kernel", None) is not None
            and id(layer.kernel) in by_variable}


def first_over_last(norms) -> float:
    """The first layer's gradient norm over the last hidden layer's.

    Args:
        norms: {layer name: gradient norm}, from the input side to the output side, as
            `kernel_gradient_norms` returns them; the last entry, the classifier, is left out.
    Returns:
        A ratio: above 1 where the gradient grows on its way back to the first layer, below 1
        where it vanishes.
    Raises:
        TypeError: `norms` is not a mapping of layer names to numbers.
        ValueError: fewer than two layers (a hidden one and the classifier; with one hidden
            layer the ratio is 1), or a norm that is negative, not finite, or a last hidden
            norm of zero.
    """
    check.mapping("norms", norms, what="of gradient norms per layer, as kernel_gradient_norms "
                  "returns")
    values = [check.number(f"norms[{name!r}]", value, low=0.0) for name, value in norms.items()]
    if len(values) < 2:
        raise ValueError(f"norms must hold at least two layers (a hidden one and the "
                         f"classifier), got {len(values)}")
    hidden = values[:-1]
    if hidden[-1] == 0:
        raise ValueError(f"the last hidden layer ({list(norms)[-2]!r}) has a gradient norm of "
                         f"0: the ratio is undefined")
    return hidden[0] / hidden[-1]
