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

from dataclasses import dataclass

from imgclf import _validate as check
from imgclf import chapters, plans
from imgclf.plans import Plan, Training
from imgclf.profiles import Settings
from imgclf.table import Table


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


def seconds(trainings, device: Device | str) -> float:
    """The estimated seconds of `trainings` (a sequence of `imgclf.plans.Training`) on
    `device`.

    Raises:
        TypeError: `trainings` is not a sequence of `Training` (a plan's are `plan.trainings`).
        ValueError: an unknown device name (the known ones are `DEVICES`' keys).
    """
    if isinstance(trainings, (str, bytes)) or not isinstance(trainings, (list, tuple)) or \
            not all(isinstance(t, Training) for t in trainings):
        raise TypeError(f"trainings must be a list of imgclf.plans.Training (a plan's are "
                        f"plan.trainings; cost.estimate(plan, device) prices a plan), got "
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


def estimate(plan: Plan, device: Device | str, exercises: bool = False) -> float:
    """Estimated seconds on `device` ("T4", "A100", "H100") of what `plan`'s "Run all" trains
    (with `exercises`, the exercises' solutions too).

    Raises:
        TypeError: `plan` is not a plan (`imgclf.plans.chapter(name, settings)`).
    """
    _check_plan(plan)
    return seconds([t for t in plan.trainings if exercises or not t.exercise], device)


def table(plan: Plan) -> Table:
    """The networks `plan` trains, their multiply-adds and the estimate per device.

    Raises:
        TypeError: `plan` is not a plan.
    """
    _check_plan(plan)
    rows = [(t.label + (" (exercise)" if t.exercise else " (on a GPU)" if t.gpu_only
                        else ""), f"{t.parameters:,}",
             f"{t.multiply_adds / 1e6:.1f}", f"{t.images:,}", t.epochs,
             f"{t.training_multiply_adds:.2e}") for t in plan.trainings]
    shown = ", ".join(f"{name} {_duration(estimate(plan, name))}" for name in DEVICES)
    return Table.of(
        ["network", "parameters", "million MACs per image", "images", "epochs",
         "training multiply-adds"], rows,
        caption=f"What {plan.chapter} trains in the {plan.settings.profile} profile on "
                f"{plan.settings.dataset}; estimated without the exercises: {shown}")


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def chapters_table(settings: Settings, budgets: dict[str, float] | None = None) -> Table:
    """Every chapter's plan in `settings`' profile: networks trained, training multiply-adds
    and the estimated minutes on each of `DEVICES`, for what "Run all" trains (exercises
    apart). With `budgets` (seconds per device name), a last column says whether every
    estimate is within them.

    Raises:
        TypeError: `settings` is not an `imgclf.profiles.Settings`.
    """
    rows = []
    for name in chapters.names():
        plan = plans.chapter(name, settings)
        run_all = [t for t in plan.trainings if not t.exercise]
        row = [name, sum(1 for t in run_all if t.epochs),
               f"{sum(t.training_multiply_adds for t in run_all):.2e}"]
        row += [f"{estimate(plan, device) / 60:.1f}" for device in DEVICES]
        if budgets:
            row.append("yes" if within(plan, budgets) else "NO")
        rows.append(tuple(row))
    columns = ["chapter", "networks trained", "training multiply-adds",
               *(f"{device} minutes" for device in DEVICES)]
    caption = (f"The {settings.profile} profile on {settings.dataset}: estimated by imgclf.cost, "
               f"exercises apart")
    if budgets:
        columns.append("within " + ", ".join(f"{d} {_duration(s)}" for d, s in budgets.items()))
    return Table.of(columns, rows, caption=caption)


def within(plan: Plan, budgets: dict[str, float]) -> bool:
    """Whether `plan`'s estimate (exercises apart) is at most `budgets[device]` seconds on each
    device named.

    Raises:
        TypeError: `plan` is not a plan, or `budgets` not a mapping.
        ValueError: a device that `DEVICES` does not know.
    """
    _check_plan(plan)
    if not isinstance(budgets, dict):
        raise TypeError(f"budgets must map device names to seconds, e.g. {{'T4': 600}}, got "
                        f"{type(budgets).__name__}")
    for device, limit in budgets.items():  # a NaN budget once answered False in silence
        check.number(f"budgets[{device!r}]", limit, low=0)
        device_named(device)
    return all(estimate(plan, device) <= limit for device, limit in budgets.items())


def _check_plan(plan) -> None:
    if not isinstance(plan, Plan):
        raise TypeError(f"plan must be an imgclf.plans.Plan (plans.chapter(name, settings)), "
                        f"got {type(plan).__name__}")


def gpu_only_phrase(plan: Plan) -> str:
    """How a chapter's header quotes the part of its estimate that runs only on a GPU, e.g.
    "0.7 min on a T4"; "" when the plan has none. Raises TypeError for anything but a
    plan."""
    _check_plan(plan)
    only = [t for t in plan.trainings if t.gpu_only and not t.exercise]
    return f"{seconds(only, 'T4') / 60:.1f} min on a T4" if only else ""


def estimate_phrase(plan: Plan) -> str:
    """How a chapter's header quotes its plan's estimate (exercises apart), e.g. "about 1.2 min
    on a T4 and 39 s on an H100". Raises TypeError for anything but a plan."""
    _check_plan(plan)
    return (f"about {estimate(plan, 'T4') / 60:.1f} min on a T4 and "
            f"{estimate(plan, 'H100'):.0f} s on an H100")
