"""What a notebook runs on: accelerators, processor and library versions, for run records."""

from __future__ import annotations

import os
import platform
from importlib import metadata


def _backend() -> str:
    import keras

    return keras.config.backend()


def gpu_names() -> list[str]:
    """The names of the GPUs the Keras backend sees (empty on a CPU-only machine)."""
    backend = _backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return [
            tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)
            for gpu in tf.config.list_physical_devices("GPU")
        ]
    if backend == "jax":
        import jax

        return [device.device_kind for device in jax.devices() if device.platform == "gpu"]
    if backend == "torch":
        import torch

        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return []


def gpu_available() -> bool:
    """Whether the Keras backend sees at least one GPU."""
    return bool(gpu_names())


def cpu_name() -> str:
    """The processor's model name, from /proc/cpuinfo where there is one."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> dict:
    """The machine: processor, cores, GPUs and operating system."""
    return {
        "cpu": cpu_name(),
        "cpu_cores": os.cpu_count(),
        "gpus": gpu_names(),
        "platform": platform.platform(),
    }


def summary() -> str:
    """One line on what this runs on: Keras, its backend, the processor and the GPUs."""
    import keras

    machine = describe()
    gpus = ", ".join(machine["gpus"]) or "no GPU"
    return (f"Keras {keras.__version__} on {_backend()}; {machine['cpu']} "
            f"({machine['cpu_cores']} cores); {gpus}")


def versions() -> dict:
    """Python, Keras, the backend and the other libraries a result depends on."""
    import importlib

    backend = _backend()
    found = {"python": platform.python_version(), "keras_backend": backend}
    for package in ("imgclf", "keras", "numpy", "matplotlib"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    if backend in ("tensorflow", "jax", "torch"):
        # The module's own version: the distribution may be tensorflow-cpu, jax[cuda12], ...
        found[backend] = importlib.import_module(backend).__version__
    return found
