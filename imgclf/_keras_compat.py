"""Every use of a private Keras name in imgclf, in one place, each with the Keras versions it
was verified on.

Keras 3 has no public API for two things the course needs:

- a functional model's graph: which layers feed a layer (`inbound_layers`, for
  `imgclf.analysis` and `imgclf.diagram`), read from `Layer._inbound_nodes`;
- TensorFlow's `MultiWorkerMirroredStrategy` with Keras 3's trainer, which fails before the
  first step (keras-team/keras#20585) in two private functions that `multi_worker_fixes`
  replaces for the duration of a training (`imgclf.distribute`).

`VERIFIED` gives the Keras versions each was tested on: the floor `pyproject.toml` admits
(`make test-floors`), the pinned version (`requirements/lock.txt`) and Colab's
(`requirements/colab.txt`, `make test-nbval`), as far as those tests reach it. Outside them a
use still runs when the private name is there; where Keras has removed or renamed it, it
fails with `KerasInternalsChanged`, which names the Keras version and what to do, rather than
with an AttributeError from deep inside.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import keras

#: feature -> (the private names it reads, the Keras versions it was verified on)
VERIFIED = {
    "inbound_layers": (("Layer._inbound_nodes", "Node.parent_nodes", "Node.operation"),
                       ("3.8.0", "3.13.2", "3.15.1")),
    "multi_worker_fixes": (("TensorFlowTrainer._maybe_symbolic_build",
                            "TensorFlowTrainer._symbolic_build", "reduce_per_replica",
                            "_is_per_replica_instance"), ("3.15.1",)),
}


class KerasInternalsChanged(RuntimeError):
    """This Keras no longer has a private name imgclf relies on (see `VERIFIED`)."""


def _changed(feature: str, missing: str) -> KerasInternalsChanged:
    names, versions = VERIFIED[feature]
    return KerasInternalsChanged(
        f"imgclf's {feature} reads Keras's private {', '.join(names)}, verified on Keras "
        f"{', '.join(versions)}; Keras {keras.__version__} has no {missing}. Install a "
        f"verified version (pip install 'keras=={versions[-1]}'), or update "
        f"imgclf/_keras_compat.py for this one.")


def inbound_layers(layer) -> list[list]:
    """For each call of `layer` in a model, the layers whose outputs it took (in order).

    Raises:
        KerasInternalsChanged: this Keras keeps a layer's calls elsewhere.
    """
    try:
        calls = layer._inbound_nodes
        return [[node.operation for node in call.parent_nodes] for call in calls]
    except AttributeError as error:
        raise _changed("inbound_layers", f"`{error.name}`") from None


@contextlib.contextmanager
def multi_worker_fixes() -> Iterator[None]:
    """Work around keras-team/keras#20585 for the duration of the context: Keras 3's
    TensorFlow trainer under `MultiWorkerMirroredStrategy` fails before the first step in two
    private functions.

    - `TensorFlowTrainer._maybe_symbolic_build` reduces the first batch across workers to
      learn its shapes; the reduction of an (x, y) structure raises. Taking this worker's own
      batch gives the same shapes.
    - `reduce_per_replica` averages each metric with `axis=0`, which a scalar lacks;
      `axis=None` averages over the replicas.

    Both are restored when the context ends, however it ends.

    Raises:
        KerasInternalsChanged: this Keras lacks a function the fix replaces or calls (it may
            no longer need the fix; the message says which).
    """
    import tensorflow as tf
    from keras.src import tree
    from keras.src.backend.tensorflow import trainer as tf_trainer

    trainer = tf_trainer.TensorFlowTrainer
    for owner, name in ((trainer, "_maybe_symbolic_build"), (trainer, "_symbolic_build"),
                        (tf_trainer, "reduce_per_replica"),
                        (tf_trainer, "_is_per_replica_instance")):
        if not callable(getattr(owner, name, None)):
            raise _changed("multi_worker_fixes", f"`{name}`")

    def first_batch_here(self, iterator=None, data_batch=None):
        if iterator is not None:
            for _, _, batches in iterator:
                data_batch = tree.map_structure(
                    lambda v: self.distribute_strategy.experimental_local_results(v)[0]
                    if isinstance(v, tf.distribute.DistributedValues) else v, next(batches))
                break
        with self.distribute_strategy.scope():
            self._symbolic_build(data_batch=data_batch)

    original_reduce = tf_trainer.reduce_per_replica

    def reduce_per_replica(values, strategy, reduction):
        if reduction in ("auto", "mean"):
            return tree.map_structure(
                lambda v: strategy.reduce("MEAN", v, axis=None)
                if tf_trainer._is_per_replica_instance(v) else v, values)
        return original_reduce(values, strategy, reduction)

    original_build = trainer._maybe_symbolic_build
    trainer._maybe_symbolic_build = first_batch_here
    tf_trainer.reduce_per_replica = reduce_per_replica
    try:
        yield
    finally:
        trainer._maybe_symbolic_build = original_build
        tf_trainer.reduce_per_replica = original_reduce
