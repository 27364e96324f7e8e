"""Learning-rate schedules that suit runs of any length, from a few steps to many epochs."""

from __future__ import annotations

import keras


def warmup_cosine(total_steps: int, peak: float = 3e-3, warmup_fraction: float = 0.1):
    """Linear warm-up from 0 to `peak` over the first `warmup_fraction` of the steps, then cosine
    decay to 0 at `total_steps`. Warm-up scales with the run, so a 20-step smoke run still decays.

    Returns a `keras.optimizers.schedules.LearningRateSchedule` (step -> learning rate).
    """
    if not isinstance(total_steps, int) or total_steps < 1:
        raise ValueError(f"total_steps must be a positive integer, got {total_steps!r}")
    if not 0 <= warmup_fraction < 1:
        raise ValueError(f"warmup_fraction must be in [0, 1), got {warmup_fraction}")
    if not peak > 0:
        raise ValueError(f"peak learning rate must be positive, got {peak}")
    warmup = int(total_steps * warmup_fraction)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0 if warmup else peak,
        decay_steps=max(total_steps - warmup, 1),
        warmup_target=peak if warmup else None,
        warmup_steps=warmup,
    )
