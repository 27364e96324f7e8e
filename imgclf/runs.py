"""The contract between a chapter and the course's runner: one file in, one file out.

A chapter ends with `report(settings, metric=value, ...)`, which returns a table of its
metrics to show. When the course's runner executes the notebook (`python -m imgclf.course
run-notebooks`, see `imgclf.course.execute`), two JSON files pass between them:

**In, the run context**, written by the runner before the kernel starts, at the path in
`$IMGCLF_RUN_CONTEXT`::

    {"schema": "imgclf.run-context/1",
     "notebook": "NN-topic",                   # the chapter
     "settings": {"profile": "smoke", ...},    # imgclf.profiles.Settings, as the runner
                                               # resolved them from the notebook's parameters
     "result": "/abs/path/.NN-topic.result.json"}

**Out, the run result**, written by `report` at the context's "result" path::

    {"schema": "imgclf.run-result/1",
     "settings": {...},        # the notebook's own Settings: they must equal the context's
     "metrics": {"test_accuracy": 0.91, ...},
     "trainings": [{"network": "resnet20", "parameters": 272474, "epochs": 3, "steps": 57,
                    "precision": "float32"},
                   ...],        # every training RecordTraining saw, in order, those after
                                # the report too (the result is written again after each)
     "hardware": {...},        # imgclf.hardware.describe()
     "versions": {...},        # imgclf.hardware.versions()
     "training_path": {...}}   # imgclf.fastest.describe(): what this machine trains with

The runner makes the run record from the result. Outside the runner (no
`$IMGCLF_RUN_CONTEXT`) `report` writes nothing.

"trainings" comes from the Keras callback `RecordTraining`: `imgclf.train.fit` adds it to every
training, and a chapter passes it to the `model.fit` calls it makes itself. Nothing in Keras is
patched; a test holds these trainings to the chapter's plan (`imgclf.plans`).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import keras

from imgclf import _validate as check
from imgclf import atomic, fastest, hardware
from imgclf.profiles import Settings
from imgclf.table import Table

CONTEXT_VARIABLE = "IMGCLF_RUN_CONTEXT"
CONTEXT_SCHEMA = "imgclf.run-context/1"
RESULT_SCHEMA = "imgclf.run-result/1"

# The trainings of this process, in order: what RecordTraining saw.
_trainings: list[dict] = []
# The result `report` wrote, without its trainings: a training after it (an exercise's, below
# the chapter's report) writes the result again with itself added.
_reported: dict = {}


class RecordTraining(keras.callbacks.Callback):
    """A Keras callback that notes the training it watches for the chapter's run record: the
    network's name and parameters, the epochs it ran and the steps of each (the training
    images over the batch size, rounded up), and the precision it computed in
    (`imgclf.fastest.precision_of`). It changes nothing in the training.

    Use: `model.fit(x, y, ..., callbacks=[runs.RecordTraining()])`, one per `fit`.
    """

    def on_train_begin(self, logs=None):
        self._epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        self._epochs += 1

    def on_train_end(self, logs=None):
        _trainings.append({"network": self.model.name,
                           "parameters": int(self.model.count_params()),
                           "epochs": self._epochs, "steps": self.params.get("steps"),
                           "precision": fastest.precision_of(self.model)})
        if _reported:
            _write_result()


def _write_result() -> None:
    """The run result: what `report` recorded, with every training so far."""
    given = context()
    if given is not None:
        atomic.write_json(given["result"], {**_reported, "trainings": list(_trainings)})


def context() -> dict | None:
    """The run context the runner wrote (module docstring), or None outside the runner.

    Raises:
        ValueError: `$IMGCLF_RUN_CONTEXT` names a file that is not a run context.
    """
    path = os.environ.get(CONTEXT_VARIABLE)
    if not path:
        return None
    found = atomic.read_json(Path(path), "let python -m imgclf.course run-notebooks write "
                                         f"it again, or unset {CONTEXT_VARIABLE}")
    if not isinstance(found, dict) or found.get("schema") != CONTEXT_SCHEMA or \
            not {"notebook", "settings", "result"} <= found.keys():
        raise ValueError(f"{CONTEXT_VARIABLE}={path} is not a run context of schema "
                         f"{CONTEXT_SCHEMA} (notebook, settings, result): unset it, or let "
                         f"python -m imgclf.course run-notebooks write it")
    return found


def report(settings: Settings, **metrics: float) -> Table:
    """Record a notebook's headline metrics (numbers) with its settings, trainings, machine
    and versions: the run result, when the runner executes the notebook (module docstring).

    Returns a table of the metrics, for the notebook to show.

    Raises:
        TypeError: `settings` not a profile's Settings (imgclf.profiles.resolve(...)).
        ValueError: no metric, or one that is not a finite number; or, under the runner,
            settings other than those the runner resolved from the notebook's parameters.
    """
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be imgclf.profiles.resolve(profile)'s Settings, got "
                        f"{type(settings).__name__}")
    if not metrics:
        raise ValueError("report needs at least one metric, got no metrics: "
                         "report(settings, name=value)")
    for key, value in metrics.items():
        check.number(key, value)
    given = context()
    if given is not None:
        if given["settings"] != json.loads(json.dumps(asdict(settings))):
            raise ValueError(f"settings are {asdict(settings)}, but the runner ran "
                             f"{given['notebook']} with {given['settings']}: resolve them from "
                             f"the parameters cell, imgclf.profiles.resolve(profile, dataset, "
                             f"seed)")
        _reported.clear()
        _reported.update({
            "schema": RESULT_SCHEMA,
            "settings": asdict(settings),
            "metrics": {key: float(value) for key, value in metrics.items()},
            "hardware": hardware.describe(),
            "versions": hardware.versions(),
            "training_path": fastest.describe(),
        })
        _write_result()
    return Table.of(
        ["metric", "value"], [(key, float(v)) for key, v in metrics.items()],
        caption=f"Run summary ({settings.profile} profile, {settings.dataset})",
    )
