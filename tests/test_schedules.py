"""imgclf.schedules.warmup_cosine: warm-up to the peak, then down to zero at the last step."""

from __future__ import annotations

import numpy as np
import pytest
from keras import ops

from imgclf.schedules import warmup_cosine


def rate(schedule, step):
    return float(ops.convert_to_numpy(schedule(step)))


def test_warmup_then_cosine_to_zero():
    schedule = warmup_cosine(total_steps=100, peak=1e-2, warmup_fraction=0.1)
    assert rate(schedule, 0) == 0.0
    assert rate(schedule, 5) == pytest.approx(5e-3)
    assert rate(schedule, 10) == pytest.approx(1e-2)
    assert rate(schedule, 55) == pytest.approx(5e-3, rel=1e-3)
    assert rate(schedule, 100) == pytest.approx(0.0, abs=1e-9)
    rates = [rate(schedule, s) for s in range(10, 101, 10)]
    assert np.all(np.diff(rates) < 0)


def test_short_runs_still_decay():
    schedule = warmup_cosine(total_steps=3)
    assert rate(schedule, 0) > 0 and rate(schedule, 3) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("kwargs", [{"total_steps": 0}, {"total_steps": 2.5},
                                    {"total_steps": 10, "peak": 0},
                                    {"total_steps": 10, "warmup_fraction": 1.0}])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        warmup_cosine(**kwargs)
