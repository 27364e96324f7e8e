"""What training costs: multiply-adds, and estimated minutes on a T4, an A100 and an H100.

A training of a network that needs M multiply-adds (MACs) per image forward
(`imgclf.analysis.totals`) over `images` images for `epochs` epochs costs about
3 x M x images x epochs MACs: the backward pass computes gradients with respect to both the
inputs and the weights, each about as much work as the forward pass. Images only passed forward
(validation, test, feature extraction) cost M each.

The estimate of a device's seconds is

    compilation + steps x seconds_per_step + MACs / multiply_adds_per_second

- compilation, once per network trained: seconds_per_network plus seconds_per_convolution for
  each of its convolution layers (XLA tries several algorithms for each convolution on a GPU,
  so a ResNet-56 takes tens of seconds where a stack of dense layers takes a few);
- the second, the per-step work of the host (Keras's loop, copying a batch), which dominates
  for the course's small networks;
- the third, the arithmetic, at an *effective* rate far below the card's peak.

`DEVICES` states each figure and where it comes from. They are estimates until a run on that
card measures the chapter (the book then quotes the measured time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from imgclf import _validate as check


@dataclass(frozen=True)
class Device:
    """A GPU as the cost model sees it.

    Attributes:
        name: what it is called ("T4").
        peak_tflops: its dense 16-bit tensor-core peak, in 10^12 floating-point operations
            per second (a multiply-add is two), from NVIDIA's data sheet.
        multiply_adds_per_second: the effective rate for the course's small networks.
        seconds_per_step: the host's time per training step, beyond the arithmetic.
        seconds_per_network: compilation and start-up of a network, before its layers.
        seconds_per_convolution: compilation per convolution layer.
    """

    name: str
    peak_tflops: float
    multiply_adds_per_second: float
    seconds_per_step: float
    seconds_per_network: float
    seconds_per_convolution: float


# Measured on one H200 (benchmarks/gpu-runs/2026-11-26-h200/benchmarks.jsonl): a 2.8M-parameter
# ResNet of 91.5M multiply-adds per 28x28 image trained 18 epochs of Fashion-MNIST (1,080,000
# images) in 40.23 s of `fit`, in bfloat16 on JAX: 3 x 91.5e6 x 1.08e6 / 40.23 s = 7.37e12
# multiply-adds per second. That time includes the first epoch's compilation, so the rate is
# low, and the model adds compilation again: both err on the safe side for a budget. The H200 has
# the H100 SXM's compute (989 dense bfloat16 TFLOPS; it differs in memory), so the H100 gets that
# rate; the A100 and the T4 get it scaled by their peaks, which overstates their time where the
# host, not the card, is the limit.
H100_RATE = 3 * 91_514_112 * 1_080_000 / 40.23
H100_PEAK = 989.0
DEVICES: dict[str, Device] = {
    "T4": Device("T4", 65.0, H100_RATE * 65.0 / H100_PEAK,
                 # Colab's T4 comes with a 2-core host: twice the H100 machine's step time.
                 seconds_per_step=0.008, seconds_per_network=3.0, seconds_per_convolution=0.75),
    "A100": Device("A100", 312.0, H100_RATE * 312.0 / H100_PEAK,
                   seconds_per_step=0.004, seconds_per_network=2.0, seconds_per_convolution=0.5),
    # The whole book's full run on the H200 (book/results/full), eight chapters sharing one
    # 16-core host, took 128.5 s for chapter 3's six small networks of 15 epochs each, and 89.6 s
    # for chapter 2's one network of 3,165 steps: under 21 s per network compiled and under
    # 28 ms per step while sharing the host eightfold. Alone on the host we assume 4 ms per step
    # and 2 s + 0.5 s per convolution to compile. That is optimistic for the benchmark above,
    # whose first epoch (compilation, and augmentation inside the step) took about 29 s: the
    # next GPU run measures these figures per chapter and replaces them (issue 15).
    "H100": Device("H100", H100_PEAK, H100_RATE,
                   seconds_per_step=0.004, seconds_per_network=2.0, seconds_per_convolution=0.5),
}


@dataclass(frozen=True)
class Training:
    """One network trained (or, with `epochs=0`, only run forward over `evaluated` images).

    Attributes:
        label: what the chapter calls it ("plain-20").
        network: the network's name in `imgclf.models`, or a short description.
        parameters: its parameter count.
        multiply_adds: its multiply-adds for one image forward.
        images: the images one epoch trains on.
        epochs: how many epochs.
        batch_size: images per training step.
        evaluated: images passed forward only (validation each epoch, the test set, features).
        convolutions: its convolution layers, which set its compilation time.
        exercise: True for an exercise's solution, which Colab's "Run all" does not run.
        gpu_only: True for what a chapter runs only where a GPU is visible (chapter 8's
            ImageNet comparison in the quick profile); the cost model prices GPUs, so it
            counts, but a run on a CPU does not train it.
    """

    label: str
    network: str
    parameters: int
    multiply_adds: int
    images: int
    epochs: int
    batch_size: int
    evaluated: int = 0
    convolutions: int = 0
    exercise: bool = False
    gpu_only: bool = False

    def __post_init__(self):
        for name in ("parameters", "multiply_adds", "images", "epochs", "evaluated",
                     "convolutions"):
            check.integer(name, getattr(self, name), minimum=0)
        check.integer("batch_size", self.batch_size, minimum=1)
        if self.epochs and not self.images:  # once priced in silence as nothing
            raise ValueError(f"{self.label}: a training of {self.epochs} epochs needs images "
                             f"to train on, got images=0 (a forward pass only has epochs=0)")
        if not self.epochs and not self.evaluated:
            raise ValueError(f"{self.label}: a forward pass only (epochs=0) needs evaluated "
                             f"images, got evaluated=0")

    @property
    def steps(self) -> int:
        """Training steps: batches per epoch x epochs."""
        return math.ceil(self.images / self.batch_size) * self.epochs

    @property
    def training_multiply_adds(self) -> int:
        """3 x forward multiply-adds x images x epochs, plus one forward per evaluated image."""
        return self.multiply_adds * (3 * self.images * self.epochs + self.evaluated)


def seconds(trainings, device: Device | str) -> float:
    """The estimated seconds of `trainings` (a sequence of `Training`) on `device`.

    Raises:
        TypeError: `trainings` is not a sequence of `Training` (a plan's are `plan.trainings`).
        ValueError: an unknown device name (the known ones are `DEVICES`' keys).
    """
    if isinstance(trainings, (str, bytes)) or not isinstance(trainings, (list, tuple)) or \
            not all(isinstance(t, Training) for t in trainings):
        raise TypeError(f"trainings must be a list of imgclf.cost.Training (a plan's are "
                        f"plan.trainings; plan.seconds(device) prices a plan), got "
                        f"{type(trainings).__name__}")
    device = device_named(device)
    trained = [t for t in trainings if t.epochs]
    return (sum(device.seconds_per_network + device.seconds_per_convolution * t.convolutions
                for t in trained)
            + sum(t.steps for t in trained) * device.seconds_per_step
            + sum(t.training_multiply_adds for t in trainings) / device.multiply_adds_per_second)


def device_named(device: Device | str) -> Device:
    """The `Device` of `DEVICES` a name ("T4") stands for (a `Device` is returned as it is).

    Raises:
        ValueError: an unknown device name.
    """
    if isinstance(device, Device):
        return device
    if device not in DEVICES:
        raise ValueError(f"unknown device {device!r}; known: {', '.join(DEVICES)}")
    return DEVICES[device]
