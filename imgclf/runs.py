"""The bridge between a chapter and the course's runner: `report(settings, metric=value)`.

A notebook calls `report(...)` at its end. It returns a table of the metrics to show; when the
notebook is executed by the course's runner (`python -m imgclf.course run-notebooks`, see
`imgclf.course.execute`), it also writes them, with the settings, machine and library
versions, to the file named by `$IMGCLF_RUN_METRICS`, from which the runner makes the run record.
"""

from __future__ import annotations

import os
from dataclasses import asdict

from imgclf import _validate as check
from imgclf import atomic, hardware
from imgclf.profiles import Settings
from imgclf.table import Table

METRICS_VARIABLE = "IMGCLF_RUN_METRICS"


def report(settings: Settings, **metrics: float) -> Table:
    """Record a notebook's headline metrics (numbers) with its settings, machine and versions.

    Returns a table of the metrics, for the notebook to show.

    Raises:
        TypeError: `settings` not a profile's Settings (imgclf.profiles.resolve(...)).
        ValueError: no metric, or one that is not a finite number.
    """
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be imgclf.profiles.resolve(profile)'s Settings, got "
                        f"{type(settings).__name__}")
    if not metrics:
        raise ValueError("report needs at least one metric, got no metrics: "
                         "report(settings, name=value)")
    for key, value in metrics.items():
        check.number(key, value)
    payload = {
        "settings": asdict(settings),
        "metrics": {key: float(value) for key, value in metrics.items()},
        "hardware": hardware.describe(),
        "versions": hardware.versions(),
    }
    destination = os.environ.get(METRICS_VARIABLE)
    if destination:
        atomic.write_json(destination, payload)
    return Table.of(
        ["metric", "value"], [(key, float(v)) for key, v in metrics.items()],
        caption=f"Run summary ({settings.profile} profile, {settings.dataset})",
    )
