"""The notebook pairs: `NN-topic.md` (MyST, the source) and its Jupytext pair `NN-topic.ipynb`.

The committed `.ipynb` carries outputs only in cells tagged `nbval-check-output`: the reference
values (parameter counts, shapes, the lecture's arithmetic) that nbval compares on every test
run. `sync` rewrites the `.ipynb` from the `.md` and takes those outputs from an executed copy.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from imgclf import atomic

CHECKED_TAG = "nbval-check-output"


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _key(cell) -> tuple[str, str]:
    return cell["cell_type"], cell["source"].strip()


def paired_notebook(source: Path | str) -> Path:
    """The `.ipynb` that pairs with the `.md` `source`."""
    return Path(source).with_suffix(".ipynb")


def sync(source: Path | str, executed: Path | str) -> Path:
    """Write the `.ipynb` of `source` with reference outputs (tagged cells only) from `executed`.

    Raises ValueError when a tagged cell of the source is missing from, or failed in, `executed`.
    """
    import jupytext
    import nbformat

    notebook = jupytext.read(source)
    ran = nbformat.read(executed, as_version=4)
    outputs = {_key(cell): cell for cell in ran.cells if cell["cell_type"] == "code"}
    for index, cell in enumerate(notebook.cells):
        # Ids from the cell's place and text, not random ones: a sync changes only what changed.
        text = f"{index}:{cell['cell_type']}:{cell['source']}".encode()
        cell["id"] = hashlib.sha1(text).hexdigest()[:8]
        if cell["cell_type"] != "code":
            continue
        cell["outputs"], cell["execution_count"] = [], None
        if CHECKED_TAG in tags(cell):
            done = outputs.get(_key(cell))
            if done is None or any(o.get("output_type") == "error" for o in done["outputs"]):
                raise ValueError(
                    f"{executed} has no successful run of this tagged cell of {source}:\n"
                    f"{cell['source'][:200]}"
                )
            # Log lines on stderr (TensorFlow's start-up notes) differ from run to run.
            cell["outputs"] = [o for o in done["outputs"] if o.get("name") != "stderr"]
            cell["execution_count"] = done["execution_count"]  # nbval skips cells never run
    text = jupytext.writes(notebook, fmt="ipynb")
    return atomic.write_bytes(paired_notebook(source), text.encode())

