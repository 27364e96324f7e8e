"""The fastest way this machine trains the course's networks, chosen from its Keras backend, its
GPUs and its processor's instruction sets, as `benchmarks/cpu_paths.py` measured it on the
chapters' own networks (the table is in benchmarks/RESULTS.md).

On a CPU, TensorFlow, with bfloat16 instructions (AVX512_BF16 or AMX-BF16): a convolutional
network without batch normalisation trains in mixed bfloat16 (float32 weights, bfloat16
arithmetic, the output layer in float32); there it measured 1.5 to 2.3 times as fast. A network
with batch normalisation stays in float32, where bfloat16 gained nothing that held from one
round of the benchmark to the next, and so does one of dense layers only, where it was
slower. Everywhere else the precision stays float32 on a CPU: without those instructions the
processor has no bfloat16 arithmetic (no such CPU was measured), and on JAX's CPU bfloat16
measured slower. Batch normalisation takes TensorFlow's fused kernel in a training step on a
CPU (`imgclf.models.BatchNormalization`, which the networks are built with): faster for six of
the seven networks that have it, by 5% to 52%. The rest of the path is the libraries' default,
because each alternative measured slower or no faster: TensorFlow's XLA (`jit_compile`) stays
off on a CPU, the arrays go to Keras as uint8 and are scaled to [0, 1] inside the model (not
before, not through `tf.data`), batches stay at 128 and threads are the backend's own; JAX
trained these networks at a third to three fifths of TensorFlow's speed on a CPU.
A GPU keeps its own rule (`imgclf.hardware.mixed_precision_policy`, in the full profile).

`imgclf.train.fit` follows the choice (`adapt`); a chapter's own `model.fit` can too. A run
record keeps `describe()`, and each training its precision (`precision_of`).
"""

from __future__ import annotations

import keras

from imgclf import _validate as check
from imgclf import hardware
from imgclf.analysis import layers_of

#: The instruction sets with which a CPU computes bfloat16 natively.
BFLOAT16_FLAGS = ("avx512_bf16", "amx_bf16")
#: The policy of a network that trains in bfloat16 on such a CPU.
CPU_POLICY = "mixed_bfloat16"
#: The layers that make a network convolutional (depthwise and separable ones included).
CONVOLUTIONS = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D,
                keras.layers.DepthwiseConv2D, keras.layers.SeparableConv2D)
#: Where the measurements behind the choice are.
MEASURED = "benchmarks/cpu_paths.py (benchmarks/RESULTS.md)"


def cpu_bfloat16() -> bool:
    """Whether this machine trains networks without batch normalisation in bfloat16: Keras on
    TensorFlow, no GPU, a processor with one of `BFLOAT16_FLAGS`, and no precision forced by
    `$IMGCLF_PRECISION` (`imgclf.hardware.forced_precision`)."""
    return (hardware.tensorflow_cpu() and hardware.forced_precision() is None
            and any(flag in hardware.cpu_flags() for flag in BFLOAT16_FLAGS))


def has_batch_norm(network: keras.Model) -> bool:
    """Whether any layer of `network` (nested models included) is a BatchNormalization."""
    check.model("network", network)
    return any(isinstance(layer, keras.layers.BatchNormalization)
               for layer in layers_of(network))


def has_convolutions(network: keras.Model) -> bool:
    """Whether any layer of `network` (nested models included) is a convolution."""
    check.model("network", network)
    return any(isinstance(layer, CONVOLUTIONS) for layer in layers_of(network))


def policy_for(network: keras.Model) -> str | None:
    """`CPU_POLICY` where this machine trains `network` faster in bfloat16 (a convolutional
    network without batch normalisation, on a CPU of `cpu_bfloat16`), else None (the network
    keeps the precision it was built in)."""
    check.model("network", network)
    if not cpu_bfloat16() or has_batch_norm(network) or not has_convolutions(network):
        return None
    if any(layer.dtype_policy.name != "float32" for layer in layers_of(network)):
        return None  # built in a precision of its own: keep it
    return CPU_POLICY


def adapt(network: keras.Model) -> keras.Model:
    """Give `network` the precision this machine trains it fastest in (`policy_for`): every
    layer but the output layer computes in bfloat16, the weights stay float32. Changes the
    layers in place and returns `network`; a network that gains nothing is left as it is.

    Call it before `compile`: a compiled training step keeps the precision it was traced in.
    """
    check.model("network", network)
    policy = policy_for(network)
    if policy is not None:
        layers = layers_of(network)
        for layer in layers[:-1]:
            layer.dtype_policy = policy
    return network


def precision_of(network: keras.Model) -> str:
    """The precision `network` computes in: "float32", or the mixed policy of its layers
    ("mixed_bfloat16", "mixed_float16") where any layer computes in 16 bits."""
    check.model("network", network)
    mixed = sorted({layer.dtype_policy.name for layer in layers_of(network)} - {"float32"})
    return mixed[0] if mixed else "float32"


def describe() -> dict:
    """The path chosen on this machine, for a run record: the backend, the device, the
    precision rule, XLA, the batch normalisation, the input pipeline and the threads, and where
    they were measured."""
    gpus = hardware.gpu_names()
    backend = keras.config.backend()
    forced = hardware.forced_precision()
    if forced:
        precision = f"{forced}, forced by ${hardware.PRECISION_VARIABLE}"
    elif gpus:
        precision = (f"{hardware.mixed_precision_policy()} in the full profile, float32 in "
                     f"the others")
    elif cpu_bfloat16():
        precision = (f"{CPU_POLICY} for convolutional networks without batch normalisation, "
                     f"float32 for the others")
    else:
        precision = "float32"
    return {
        "backend": backend,
        "device": gpus[0] if gpus else f"CPU: {hardware.cpu_name()}",
        "bfloat16_instructions": [flag for flag in hardware.cpu_flags()
                                  if flag in BFLOAT16_FLAGS],
        "precision": precision,
        "xla": "off" if hardware.tensorflow_cpu() else "on",
        "batch_norm": ("TensorFlow's fused kernel in training (imgclf.models.BatchNormalization)"
                       if hardware.tensorflow_cpu() else "Keras's layer"),
        "input": "uint8 arrays, scaled to [0, 1] inside the model",
        "threads": f"{backend}'s defaults",
        "measured": MEASURED,
    }


def sentence() -> str:
    """The chosen path in one sentence, for a chapter to print."""
    path = describe()
    flags = ", ".join(flag.upper() for flag in path["bfloat16_instructions"])
    return (f"Training path (imgclf.fastest): {path['backend']} on {path['device']}"
            f"{f' with {flags}' if flags else ''}; {path['precision']}; XLA "
            f"{path['xla']}; batch normalisation: {path['batch_norm']}; {path['input']}.")


def summary() -> str:
    """What this runs on (`imgclf.hardware.summary`) and the path chosen for it (`sentence`),
    on two lines: what a chapter prints first."""
    return f"{hardware.summary()}\n{sentence()}"
