"""What a notebook trained: every `keras.Model.fit` in its kernel, logged for its run record.

The runner starts each kernel with an IPython startup file that calls `install(path)`; every
`fit` then appends one JSON line to `path`: the network's parameters, the images it trained on
(after Keras's `validation_split`), the epochs it ran and the batch size. The record's
"trainings" entry lets a test hold `imgclf.plans` to what the chapter really trains.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import tempfile
from pathlib import Path

# The startup file runs this module from its file, in a namespace of its own: the kernel's
# environment need not have imgclf yet (in Colab's, the notebook's first cell installs it), and
# the notebook's namespace gets no names from it.
STARTUP = "__import__('runpy').run_path({module!r})['install']({path!r})\n"


def install(path: str | Path) -> None:
    """Wrap `keras.Model.fit` so that each call appends what it trained to `path` (JSON lines)."""
    import keras

    original = keras.Model.fit
    if getattr(original, "_logs_to", None):
        return
    signature = inspect.signature(original)

    @functools.wraps(original)
    def fit(self, *args, **kwargs):
        history = original(self, *args, **kwargs)
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        given = bound.arguments
        images = len(given["x"]) if hasattr(given["x"], "__len__") else None
        if images is not None and given["validation_split"]:
            images = int(math.floor(images * (1.0 - given["validation_split"])))
        entry = {"network": self.name, "parameters": int(self.count_params()),
                 "images": images, "epochs": len(history.epoch),
                 "batch_size": given["batch_size"]}
        with open(path, "a") as log:
            log.write(json.dumps(entry) + "\n")
        return history

    fit._logs_to = str(path)
    keras.Model.fit = fit


def startup_folder(path: Path) -> Path:
    """A fresh IPython directory whose startup file installs the log into `path`: the value of
    `$IPYTHONDIR` for a kernel."""
    folder = Path(tempfile.mkdtemp(prefix="imgclf-ipython-"))
    startup = folder / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-imgclf-trainings.py").write_text(
        STARTUP.format(module=str(Path(__file__).resolve()), path=str(path)))
    return folder


def read(path: Path) -> list[dict]:
    """The trainings logged in `path` (none if the notebook trained nothing)."""
    if not Path(path).exists():
        return []
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
