"""imgclf.runs.report: the record a notebook leaves for the runner."""

from __future__ import annotations

import json
import math

import pytest

from imgclf import profiles
from imgclf.runs import report


def test_report_writes_settings_metrics_machine_and_versions(tmp_path, monkeypatch):
    target = tmp_path / "metrics.json"
    monkeypatch.setenv("IMGCLF_RUN_METRICS", str(target))
    table = report(profiles.resolve("smoke"), test_accuracy=0.91)
    record = json.loads(target.read_text())
    assert record["metrics"] == {"test_accuracy": 0.91}
    assert record["settings"]["profile"] == "smoke"
    assert record["hardware"]["cpu_cores"] >= 1 and isinstance(record["hardware"]["gpus"], list)
    assert record["versions"]["keras"] and record["versions"]["keras_backend"]
    assert table.rows == (("test_accuracy", 0.91),)


def test_report_without_a_runner_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report(profiles.resolve("smoke"), test_accuracy=0.5)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", [math.nan, math.inf, "0.9", None])
def test_report_rejects_values_that_are_not_finite_numbers(value):
    with pytest.raises(ValueError, match="must be a finite number"):
        report(profiles.resolve("smoke"), test_accuracy=value)
