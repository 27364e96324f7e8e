"""Profiles: how much work a notebook does, chosen once instead of edited into every cell.

- `smoke`: seconds; the `sample` data shipped in the package. For tests and CI.
- `quick`: minutes on a laptop CPU; full Fashion-MNIST. Also what `auto` runs on a GPU (Colab's
  T4 included): the cost model (`imgclf.plans`, `imgclf.cost`) puts each of its chapters within
  `GPU_BUDGET_SECONDS` on a T4 and on an H100 (`python -m imgclf settings --cost`).
- `full`: the whole experiments, for a GPU and a run before a term (`make book PROFILE=full`);
  CIFAR-10 unless another data set is asked for. Longer than a learner waits on a T4.
- `auto`: `$IMGCLF_PROFILE` if set, else `GPU_PROFILE` when a GPU is visible, else `quick`.

`$IMGCLF_DATASET` replaces the profile's default data set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from imgclf import _validate as check
from imgclf.data.registry import spec as data_spec

PROFILE_VARIABLE = "IMGCLF_PROFILE"
DATASET_VARIABLE = "IMGCLF_DATASET"


@dataclass(frozen=True)
class Settings:
    """What a notebook runs with.

    Attributes:
        profile: "smoke", "quick" or "full" (never "auto": that is resolved).
        dataset: the data set name for `imgclf.data.load`.
        epochs: training epochs for a chapter's main model.
        train_size, test_size: images used (stratified subset); None uses all of them.
        batch_size: images per training step.
        seed: the random seed for data subsets, initialisation and shuffling.
        verbose: Keras progress output (1: progress bar, 2: one line per epoch).
    """

    profile: str
    dataset: str
    epochs: int
    train_size: int | None
    test_size: int | None
    batch_size: int
    seed: int
    verbose: int = 1


PROFILES: dict[str, Settings] = {
    "smoke": Settings("smoke", "sample", epochs=2, train_size=None, test_size=None,
                      batch_size=64, seed=0, verbose=2),
    "quick": Settings("quick", "fashion_mnist", epochs=5, train_size=None, test_size=None,
                      batch_size=128, seed=0),
    "full": Settings("full", "cifar10", epochs=15, train_size=None, test_size=None,
                     batch_size=256, seed=0),
}
CHOICES = (*PROFILES, "auto")
#: What `auto` runs where a GPU is visible, and the most seconds the cost model may estimate for
#: any of its chapters on each card (tests/test_plans.py holds it to them). `full` exceeds them.
GPU_PROFILE = "quick"
GPU_BUDGET_SECONDS = {"T4": 600.0, "H100": 90.0}


def auto_rule() -> str:
    """What `auto` resolves to, in one sentence, from this module's own settings."""
    return (f"`auto` runs ${PROFILE_VARIABLE}'s profile when it is set, else `{GPU_PROFILE}` "
            f"where a GPU is visible and `quick` on a CPU; `full` is run by name")


def runtime_report() -> str:
    """One line for a Colab notebook's first output: the GPU this runtime has, or, on a
    CPU-only runtime, how to get one and what `auto` runs meanwhile."""
    from imgclf.hardware import gpu_names

    chosen = _profile_name("auto")
    gpus = gpu_names()
    if gpus:
        return f"GPU runtime ({', '.join(gpus)}): profile = \"auto\" runs the `{chosen}` profile."
    return (f"No GPU in this runtime: the chapter runs on the CPU, several times slower (the "
            f"header gives the CPU time). For a GPU: Runtime > Change runtime type > T4 GPU, "
            f"then Run all again. Meanwhile profile = \"auto\" runs the `{chosen}` profile.")


def resolve(profile: str = "auto", dataset: str | None = None, seed: int = 0) -> Settings:
    """The `Settings` for `profile` ("smoke", "quick", "full" or "auto").

    `dataset` (or `$IMGCLF_DATASET` when it is None) replaces the profile's data set.

    Raises:
        ValueError: an unknown profile or data set name, here or in the environment variables.
    """
    name = _profile_name(profile)
    chosen = dataset if dataset is not None else os.environ.get(DATASET_VARIABLE) or None
    if chosen is not None:
        data_spec(chosen, "dataset" if dataset is not None else DATASET_VARIABLE)
    settings = PROFILES[name]
    seed = check.integer("seed", seed, minimum=0)  # NumPy's generators take no negative seed
    return replace(settings, dataset=chosen or settings.dataset, seed=seed)


def _profile_name(profile: str) -> str:
    if profile not in CHOICES:
        raise ValueError(f"Unknown profile {profile!r}. Valid profiles: {', '.join(CHOICES)}.")
    if profile != "auto":
        return profile
    from_environment = os.environ.get(PROFILE_VARIABLE)
    if from_environment:
        if from_environment not in PROFILES:
            raise ValueError(
                f"{PROFILE_VARIABLE}={from_environment!r} is not a profile. "
                f"Valid values: {', '.join(PROFILES)}."
            )
        return from_environment
    from imgclf.hardware import gpu_available

    return GPU_PROFILE if gpu_available() else "quick"
