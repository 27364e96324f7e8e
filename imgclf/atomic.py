"""Writes that land whole or not at all: a reader never sees half a file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from imgclf import _validate as check


def write_bytes(path: Path | str, data: bytes) -> Path:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    path = check.path("path", path)
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"data must be bytes, got {type(data).__name__} (encode text first)")
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
    """Write `value` as indented JSON, atomically.

    Raises:
        TypeError: a value JSON cannot hold (checked before anything is written).
        ValueError: NaN or infinity, which JSON has no numbers for.
    """
    try:
        text = json.dumps(value, indent=2, sort_keys=True, allow_nan=False)
    except ValueError as error:
        raise ValueError(f"value cannot be written to {path}: {error}: JSON has no NaN or "
                         f"infinity") from None
    return write_bytes(path, (text + "\n").encode())


def read_json(path: Path | str, remedy: str):
    """The JSON value in the file at `path`.

    Raises:
        ValueError: the file is not valid JSON (truncated by a killed process, or edited), with
            its path, where the parser stopped, and `remedy`: what to do about it.
    """
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"path {path} is not valid JSON ({error}): {remedy}") from None
