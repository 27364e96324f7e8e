"""What lets a training run survive being killed: a backup of its state and a log of its
epochs, each written by the chief only when several processes train one model."""

from __future__ import annotations

import math
import shutil
import tempfile
from pathlib import Path

import keras

from imgclf import _validate as check
from imgclf import atomic


class EpochLog(keras.callbacks.Callback):
    """Keeps every epoch's logs in a JSON file, across interrupted and resumed runs.

    Every process reads the file when training begins (to continue the epochs it holds);
    only a process with `write=True` (the chief) writes it.
    """

    def __init__(self, path: Path | str, write: bool = True):
        super().__init__()
        self.path = check.path("path", path)
        check.boolean("write", write)
        self.write = write
        self.epochs: list[dict] = []
        self._resumed = False

    def on_train_begin(self, logs=None):
        self.epochs = atomic.read_json(
            self.path, f"the run in {self.path.parent} cannot be resumed; remove that folder "
                       f"to start it again") if self.path.exists() else []

    def on_epoch_begin(self, epoch, logs=None):
        if not self._resumed:  # the first epoch of this session: drop anything after it
            self.epochs, self._resumed = self.epochs[:epoch], True

    def on_epoch_end(self, epoch, logs=None):
        self.epochs = self.epochs[:epoch] + [{k: float(v) for k, v in (logs or {}).items()}]
        if self.write:
            atomic.write_json(self.path, self.epochs)

    def history(self) -> dict[str, list[float]]:
        """{metric: [value of each epoch]}, over every session of the run."""
        keys = self.epochs[-1].keys() if self.epochs else []
        return {k: [e.get(k, math.nan) for e in self.epochs] for k in keys}


class WorkerBackup(keras.callbacks.Callback):
    """`keras.callbacks.BackupAndRestore` for one process or several.

    Every process restores from `backup_dir` (the chief's backup, on a file system all of
    them see), so a resumed run restores every worker to the same epoch. The chief writes its
    backups there at the end of each epoch and removes them when training ends; the other
    workers write theirs to a temporary folder of their own and remove it (TensorFlow's
    convention), so no two processes ever write one file.
    """

    def __init__(self, backup_dir: Path | str, chief: bool = True):
        super().__init__()
        self.backup_dir = check.path("backup_dir", backup_dir, kind="folder")
        self.chief = check.boolean("chief", chief)
        self._restore = keras.callbacks.BackupAndRestore(str(self.backup_dir),
                                                         double_checkpoint=True)
        self._scratch = None if chief else Path(tempfile.mkdtemp(prefix="imgclf-worker-backup-"))
        self._write = (self._restore if chief else keras.callbacks.BackupAndRestore(
            str(self._scratch), double_checkpoint=True))

    def set_model(self, model):
        super().set_model(model)
        self._restore.set_model(model)
        self._write.set_model(model)

    def on_train_begin(self, logs=None):
        self._restore.on_train_begin(logs)

    def on_epoch_end(self, epoch, logs=None):
        self._write.on_epoch_end(epoch, logs)

    def on_train_end(self, logs=None):
        self._write.on_train_end(logs)
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
