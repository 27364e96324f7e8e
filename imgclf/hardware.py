"""What a notebook runs on: accelerators, processor, its speed and library versions, for run
records. Machines differ fivefold in speed, so a record's seconds come with `calibrate()`'s
figure, which tells a slow machine from a slow chapter."""

from __future__ import annotations

import os
import platform
import time
from importlib import metadata

#: The instruction sets that decide how fast TensorFlow and XLA run on a CPU.
CPU_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16",
             "amx_bf16", "amx_tile", "neon", "asimd", "sve")
#: What `calibrate` measures. A record's seconds are scaled to the reference machine only when
#: its calibration has this version (`imgclf.course.records.comparable`): a reading of another
#: version timed another workload. Version 1 timed 10 `train_on_batch` calls at batch 64, some
#: 6 ms a step and mostly dispatch; on the development machine it drifted by 1.6x in four days
#: while the chapters' trainings kept their speed (benchmarks/RESULTS.md).
CALIBRATION_VERSION = 2
CALIBRATION = ("seconds per 10 training steps of a fixed small CNN (two 3x3 convolutions, "
               "32 and 64 filters, float32; batches of 128 28x28x1 images in one compiled fit "
               "loop): the fastest of 3 rounds of 20 steps, after one compiling round")


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
    return []


def compute_capabilities() -> list[tuple[int, int]]:
    """The CUDA compute capability (major, minor) of each GPU the Keras backend sees: (7, 5)
    for a T4, (8, 0) for an A100, (9, 0) for an H100 or H200; empty without a GPU."""
    backend = _backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return [tuple(tf.config.experimental.get_device_details(gpu)["compute_capability"])
                for gpu in tf.config.list_physical_devices("GPU")]
    if backend == "jax":
        import jax

        return [tuple(int(part) for part in str(device.compute_capability).split(".")[:2])
                for device in jax.devices() if device.platform == "gpu"]
    if backend == "torch":
        import torch

        return [torch.cuda.get_device_capability(i) for i in range(torch.cuda.device_count())]
    return []


#: From compute capability 8.0 (Ampere) on, tensor cores compute in bfloat16.
BFLOAT16_FROM = (8, 0)


#: Forces the precision on any machine: "mixed_float16" rehearses a T4's path on a CPU
#: (`make test-t4`), "mixed_bfloat16" an Ampere-or-later GPU's, "float32" turns it off.
PRECISION_VARIABLE = "IMGCLF_PRECISION"
PRECISIONS = ("mixed_float16", "mixed_bfloat16", "float32")


def forced_precision() -> str | None:
    """The precision `$IMGCLF_PRECISION` forces, or None when it is unset.

    Raises:
        ValueError: a value that is not one of `PRECISIONS`.
    """
    value = os.environ.get(PRECISION_VARIABLE) or None
    if value is not None and value not in PRECISIONS:
        raise ValueError(f"{PRECISION_VARIABLE}={value!r} is not a precision. Valid values: "
                         f"{', '.join(PRECISIONS)}.")
    return value


def mixed_precision_policy() -> str | None:
    """The Keras mixed-precision policy that is fast on this machine's GPUs: "mixed_bfloat16"
    from compute capability 8.0 on, "mixed_float16" below it (a T4, 7.5, has float16 tensor
    cores only; Keras then scales the loss to keep small gradients), None without a GPU
    (a CPU gains nothing from either). `$IMGCLF_PRECISION` overrides it (`forced_precision`)."""
    forced = forced_precision()
    if forced is not None:
        return None if forced == "float32" else forced
    capabilities = compute_capabilities()
    if not capabilities:
        return None
    return "mixed_bfloat16" if min(capabilities) >= BFLOAT16_FROM else "mixed_float16"


def gpu_available() -> bool:
    """Whether the Keras backend sees at least one GPU."""
    return bool(gpu_names())


def tensorflow_cpu() -> bool:
    """Whether Keras runs on TensorFlow without a GPU: where `imgclf.fastest` measured its
    CPU choices (bfloat16, the fused batch normalisation, XLA off)."""
    return _backend() == "tensorflow" and not gpu_available()


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


def compute_device() -> str:
    """What Keras computes on: the first GPU's name, or the processor's."""
    gpus = gpu_names()
    return gpus[0] if gpus else cpu_name()


def cpu_flags() -> list[str]:
    """Which of `CPU_FLAGS` the processor has (from /proc/cpuinfo; [] where there is none)."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith(("flags", "Features")):
                    present = set(line.split(":", 1)[1].split())
                    return [flag for flag in CPU_FLAGS if flag in present]
    except OSError:
        pass
    return []


def describe() -> dict:
    """The machine: processor, its instruction sets, cores, GPUs and operating system."""
    return {
        "cpu": cpu_name(),
        "cpu_flags": cpu_flags(),
        "cpu_cores": os.cpu_count(),
        "gpus": gpu_names(),
        "platform": platform.platform(),
    }


def calibrate(steps: int = 20, rounds: int = 3) -> dict:
    """Time `rounds` rounds of `steps` training steps of a fixed small CNN on fixed data
    (`CALIBRATION`), after one round that compiles: a figure of this machine's speed,
    comparable across machines (with the same backend). About a second on a laptop CPU.

    The steps run in one `fit` loop at batch 128, so that the convolutions take the time, as
    in the chapters' trainings, rather than Python's dispatch of each step. The fastest round
    is the figure: a slower one measured another process's load as well.

    Seeded initialisers, a local random generator and float32 whatever the global policy:
    Keras's global state is left alone.
    Returns {"seconds": seconds per 10 steps in the fastest round, "steps": steps per round,
    "rounds": rounds, "version": CALIBRATION_VERSION, "what": CALIBRATION}.
    """
    import keras
    import numpy as np

    from imgclf import _validate as check

    check.integer("steps", steps, minimum=1)
    check.integer("rounds", rounds, minimum=1)
    batch = 128
    layers = keras.layers
    fixed = {"kernel_initializer": keras.initializers.GlorotUniform(seed=0), "dtype": "float32"}
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu", **fixed), layers.MaxPooling2D(2, dtype="float32"),
        layers.Conv2D(64, 3, activation="relu", **fixed), layers.MaxPooling2D(2, dtype="float32"),
        layers.Flatten(dtype="float32"), layers.Dense(10, **fixed),
    ], name="calibration")
    model.compile(optimizer=keras.optimizers.SGD(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    x = rng.random((batch * steps, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, batch * steps)

    def one_round() -> float:
        started = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)
        return time.perf_counter() - started

    one_round()  # compiles
    fastest = min(one_round() for _ in range(rounds))
    return {"seconds": round(fastest * 10 / steps, 4), "steps": steps, "rounds": rounds,
            "version": CALIBRATION_VERSION, "what": CALIBRATION}


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
    if backend in ("tensorflow", "jax"):
        # The module's own version: the distribution may be tensorflow-cpu, jax[cuda12], ...
        found[backend] = importlib.import_module(backend).__version__
    return found
