"""imgclf.runs.report: the record a notebook leaves for the runner."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, replace

import pytest
from conftest import wait_until

from imgclf import profiles, runs
from imgclf.runs import report

# The same on every Keras backend: `make test-jax` leaves it to the TensorFlow pass.
pytestmark = pytest.mark.backend_independent


def under_a_runner(folder, monkeypatch, settings, notebook="05-x"):
    """A run context as the runner writes it; returns the result's path."""
    result = folder / "result.json"
    (folder / "context.json").write_text(json.dumps({
        "schema": runs.CONTEXT_SCHEMA, "notebook": notebook,
        "settings": json.loads(json.dumps(asdict(settings))), "result": str(result)}))
    monkeypatch.setenv(runs.CONTEXT_VARIABLE, str(folder / "context.json"))
    return result


def test_report_writes_the_result_the_context_asks_for(tmp_path, monkeypatch):
    settings = profiles.resolve("smoke")
    result = under_a_runner(tmp_path, monkeypatch, settings)
    table = report(settings, test_accuracy=0.91)
    record = json.loads(result.read_text())
    assert record["schema"] == runs.RESULT_SCHEMA
    assert record["metrics"] == {"test_accuracy": 0.91}
    assert record["settings"]["profile"] == "smoke"
    assert record["hardware"]["cpu_cores"] >= 1 and isinstance(record["hardware"]["gpus"], list)
    assert record["versions"]["keras"] and record["versions"]["keras_backend"]
    assert isinstance(record["trainings"], list)
    assert table.rows == (("test_accuracy", 0.91),)


@pytest.mark.integration
def test_record_training_notes_the_network_its_epochs_and_steps(tmp_path, monkeypatch):
    import keras
    import numpy as np

    settings = profiles.resolve("smoke")
    result = under_a_runner(tmp_path, monkeypatch, settings)
    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)], name="tiny")
    net.compile("sgd", "mse")
    history = net.fit(np.zeros((10, 3)), np.zeros((10, 2)), batch_size=3, epochs=2, verbose=0,
                      validation_split=0.2, callbacks=[runs.RecordTraining()])
    assert len(history.epoch) == 2
    report(settings, loss=history.history["loss"][-1])
    # 8 of the 10 images train (the split holds out 2): 3 steps of 3, 3 and 2 images.
    assert json.loads(result.read_text())["trainings"][-1] == {
        "network": "tiny", "parameters": 8, "epochs": 2, "steps": 3, "precision": "float32"}
    # A training after the report (an exercise's, below it) joins the result too.
    net.fit(np.zeros((10, 3)), np.zeros((10, 2)), batch_size=10, epochs=1, verbose=0,
            callbacks=[runs.RecordTraining()])
    written = json.loads(result.read_text())
    assert written["trainings"][-2:] == [
        {"network": "tiny", "parameters": 8, "epochs": 2, "steps": 3, "precision": "float32"},
        {"network": "tiny", "parameters": 8, "epochs": 1, "steps": 1, "precision": "float32"}]
    assert written["metrics"] == {"loss": history.history["loss"][-1]}


def test_report_refuses_another_context_and_other_settings(tmp_path, monkeypatch):
    smoke = profiles.resolve("smoke")
    result = under_a_runner(tmp_path, monkeypatch, smoke)
    with pytest.raises(ValueError, match=r"the runner ran 05-x with \{'profile': 'smoke'"):
        report(replace(smoke, seed=7), test_accuracy=0.5)
    (tmp_path / "context.json").write_text('{"schema": "imgclf.run-context/0"}')
    with pytest.raises(ValueError, match="is not a run context of schema "
                                         "imgclf.run-context/1"):
        report(smoke, test_accuracy=0.5)
    assert not result.exists()


def test_report_without_a_runner_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report(profiles.resolve("smoke"), test_accuracy=0.5)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value, error, message", [
    (math.nan, ValueError, "test_accuracy must be a finite number"),
    (math.inf, ValueError, "test_accuracy must be a finite number"),
    ("0.9", TypeError, "test_accuracy must be a number, got '0.9'"),
    (None, TypeError, "test_accuracy must be a number, got None"),
])
def test_report_rejects_values_that_are_not_finite_numbers(value, error, message):
    with pytest.raises(error, match=message):
        report(profiles.resolve("smoke"), test_accuracy=value)


NOTEBOOK = """\
---
jupytext:
  text_representation: {{extension: .md, format_name: myst}}
kernelspec: {{display_name: Python 3, language: python, name: python3}}
---

```{{code-cell}} ipython3
:tags: [parameters]

profile = "auto"
```

```{{code-cell}} ipython3
import pathlib, time
from dataclasses import asdict, replace

from imgclf import profiles, runs
from imgclf.runs import report

pathlib.Path("{marker}").touch()
time.sleep({sleep})
report(profiles.resolve(profile), answer=42.0)
```
"""


def write_notebook(folder, name, sleep, marker):
    (folder / f"{name}.md").write_text(NOTEBOOK.format(sleep=sleep, marker=marker))


@pytest.mark.slow
def test_an_interrupted_run_leaves_nothing_broken_and_the_next_reuses_what_finished(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    from imgclf.course.execute import run_notebooks
    from imgclf.course.records import load_records

    notebooks, out = tmp_path / "notebooks", tmp_path / "runs"
    notebooks.mkdir()
    write_notebook(notebooks, "01-first", 0, tmp_path / "first-ran")
    write_notebook(notebooks, "02-second", 60, tmp_path / "second-started")
    command = [sys.executable, "-m", "imgclf.course", "run-notebooks", "--profile", "smoke",
               "--notebooks", str(notebooks), "--out", str(out)]
    job = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    wait_until(lambda: (tmp_path / "second-started").exists() or job.poll() is not None,
               "the second notebook to start")
    assert job.poll() is None, "the runner stopped before the second notebook started"
    os.killpg(job.pid, signal.SIGKILL)  # the runner and its kernel, mid-notebook
    job.wait()
    assert [r["notebook"] for r in load_records(out)] == ["01-first"]
    assert not (out / "02-second.ipynb").exists()
    finished = load_records(out)[0]["started"]

    (tmp_path / "first-ran").unlink()
    write_notebook(notebooks, "02-second", 0, tmp_path / "second-started")
    records = run_notebooks("smoke", out, folder=notebooks)
    assert [r["notebook"] for r in records] == ["01-first", "02-second"]
    assert records[0]["started"] == finished and not (tmp_path / "first-ran").exists()
    assert (out / "02-second.ipynb").is_file() and records[1]["metrics"] == {"answer": 42.0}

    for name in ("01-first", "02-second"):  # a torn record is not reused
        (out / f"{name}.json").write_text('{"notebook": "01-fi')
    records = run_notebooks("smoke", out, folder=notebooks)
    assert (tmp_path / "first-ran").exists() and records[0]["started"] != finished
    # Each record's calibration has a reading before and one after its notebook; a notebook
    # run right after another starts from that one's reading after.
    first, second = (r["calibration"]["readings"] for r in records)
    assert len(first) == len(second) == 2 and second[0] == first[1]
