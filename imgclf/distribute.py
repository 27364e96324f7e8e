"""Data-parallel training on several devices, on TensorFlow and JAX.

Each device holds a copy of the model and takes a slice of every batch; gradients are averaged.
On one machine TensorFlow uses `tf.distribute.MirroredStrategy` and JAX
`keras.distribution.DataParallel`. Across the nodes of a SLURM job ("slurm"), TensorFlow uses
`MultiWorkerMirroredStrategy` with its `SlurmClusterResolver`, and JAX initialises
`jax.distributed` (which reads the SLURM environment) before `DataParallel` over every device
of every node. The model must be built (and, on TensorFlow, compiled) inside `replicated(...)`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import keras


def local_devices(kind: str) -> list[str]:
    """The names of this machine's devices of `kind` ("gpu" or "cpu") that the backend sees.

    CPU devices are several only where they were split on purpose (TensorFlow logical devices,
    or XLA_FLAGS=--xla_force_host_platform_device_count=N for JAX): useful for tests.
    """
    if kind not in ("gpu", "cpu"):
        raise ValueError(f"device kind must be 'gpu' or 'cpu', got {kind!r}")
    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return [d.name for d in tf.config.list_logical_devices(kind.upper())]
    if backend == "jax":
        import jax

        try:
            return [f"{kind}:{d.id}" for d in jax.devices(kind)]
        except RuntimeError:  # no such platform
            return []
    return []


SLURM = "slurm"


def choose(devices: str | list[str] = "auto") -> list[str] | str:
    """The devices to replicate over: [] means "no replication, the default device".

    `devices`: "auto" (every GPU, when there are at least two), "none", "cpu" or "gpu" (all
    local devices of that kind), "slurm" (every GPU of every node of this SLURM job), or a
    list of device names.
    """
    if isinstance(devices, list):
        return devices
    if devices == SLURM:
        if "SLURM_JOB_ID" not in os.environ:
            raise ValueError("devices='slurm' needs to run inside a SLURM job (srun/sbatch): "
                             "SLURM_JOB_ID is not set")
        return SLURM
    if devices == "none":
        return []
    if devices == "auto":
        gpus = local_devices("gpu")
        return gpus if len(gpus) > 1 else []
    if devices in ("cpu", "gpu"):
        return local_devices(devices)
    raise ValueError(f"devices must be 'auto', 'none', 'cpu', 'gpu', 'slurm' or a list of "
                     f"device names, got {devices!r}")


@contextlib.contextmanager
def replicated(devices: list[str] | str) -> Iterator[int]:
    """Within this context, models are built and trained data-parallel over `devices`
    (a result of `choose`). Yields the number of replicas (1: no replication).
    """
    if devices != SLURM and len(devices) < 2:
        yield 1
        return
    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        if devices == SLURM:
            resolver = tf.distribute.cluster_resolver.SlurmClusterResolver()
            strategy = tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=resolver)
        else:
            strategy = tf.distribute.MirroredStrategy(devices)
        with strategy.scope():
            yield strategy.num_replicas_in_sync
    elif backend == "jax":
        if devices == SLURM:
            import jax

            jax.distributed.initialize()  # coordinator, processes and ranks from SLURM
            devices = keras.distribution.list_devices()
        previous = keras.distribution.distribution()
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        try:
            yield len(devices)
        finally:
            keras.distribution.set_distribution(previous)
    else:
        raise ValueError(f"data-parallel training needs TensorFlow or JAX, not {backend}")
