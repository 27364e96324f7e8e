"""Writes that land whole or not at all: a reader never sees half a file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_bytes(path: Path | str, data: bytes) -> Path:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
        try:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        except BaseException:
            os.unlink(tmp.name)  # a full disk or an interrupt: leave nothing behind
            raise
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, path)
    return path


def write_json(path: Path | str, value) -> Path:
    """Write `value` as indented JSON, atomically."""
    return write_bytes(path, (json.dumps(value, indent=2, sort_keys=True) + "\n").encode())
