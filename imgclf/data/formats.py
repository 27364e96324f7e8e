"""Readers for the file formats the data sets come in; each raises CorruptDataError on bad files.

- idx (gzip-compressed), the format of (Fashion-)MNIST's official files;
- npz with `x_train, y_train, x_test, y_test`, Keras's `mnist.npz` and our `sample.npz`;
- the pickled batches of CIFAR-10/100, parsed by Keras's own reader.
"""

from __future__ import annotations

import gzip
import hashlib
import pickle
import struct
import zlib
from pathlib import Path

import numpy as np

IDX_MAGIC = {2049: 1, 2051: 3}  # magic number -> number of dimensions (labels, images)


class CorruptDataError(ValueError):
    """A data file exists but is truncated, corrupted or not what it claims to be."""

    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        super().__init__(
            f"{self.path} is corrupt: {problem}. Delete it and fetch it again "
            f"(python -m imgclf download NAME)."
        )


def sha256(path: Path) -> str:
    """The hex sha256 of the file at `path`."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str) -> None:
    """Raise CorruptDataError unless the file's sha256 is `expected`."""
    actual = sha256(path)
    if actual != expected:
        raise CorruptDataError(path, f"its sha256 is {actual}, expected {expected}")


def read_idx(path: Path) -> np.ndarray:
    """Read a gzip-compressed idx file (labels: shape (N,); images: shape (N, H, W)), uint8."""
    try:
        with gzip.open(path, "rb") as stream:
            raw = stream.read()
    except (OSError, EOFError, zlib.error) as error:
        raise CorruptDataError(path, f"it is not a complete gzip file ({error})") from None
    if len(raw) < 8:
        raise CorruptDataError(path, "it is too short to hold an idx header")
    magic, count = struct.unpack(">II", raw[:8])
    if magic not in IDX_MAGIC:
        raise CorruptDataError(path, f"idx magic number {magic}, expected 2049 or 2051")
    ndim = IDX_MAGIC[magic]
    header = 4 + 4 * ndim
    shape = (count,) + struct.unpack(f">{ndim - 1}I", raw[8:header])
    expected_bytes = header + int(np.prod(shape))
    if len(raw) != expected_bytes:
        raise CorruptDataError(
            path, f"it holds {len(raw)} bytes, the header {shape} needs {expected_bytes}"
        )
    return np.frombuffer(raw, np.uint8, offset=header).reshape(shape)


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Read the arrays `x_train, y_train, x_test, y_test` (and optional extras) of an npz file."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except Exception as error:  # zipfile, zlib and numpy each raise their own kinds
        raise CorruptDataError(path, f"it is not a readable npz archive ({error})") from None
    missing = {"x_train", "y_train", "x_test", "y_test"} - set(arrays)
    if missing:
        raise CorruptDataError(path, f"it lacks the arrays {sorted(missing)}")
    return arrays


def read_cifar_batch(path: Path, label_key: str) -> tuple[np.ndarray, np.ndarray]:
    """Read one pickled CIFAR batch: images (N, 32, 32, 3) uint8 and labels (N,) int64."""
    from keras.src.datasets.cifar import load_batch  # Keras's parser, with its safe unpickler

    try:
        data, labels = load_batch(str(path), label_key=label_key)
    except Exception as error:  # pickle, EOF, key and reshape errors of a bad file
        raise CorruptDataError(path, f"it is not a readable CIFAR batch ({error!r})") from None
    labels = np.asarray(labels, dtype=np.int64)
    if len(data) != len(labels):
        raise CorruptDataError(path, f"{len(data)} images but {len(labels)} labels")
    return np.ascontiguousarray(data.transpose(0, 2, 3, 1)), labels


class _PlainDataUnpickler(pickle.Unpickler):
    """Unpickles plain containers only: a meta file needs no class, so none may be loaded."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def read_cifar_meta(path: Path, key: str) -> tuple[str, ...]:
    """Read the class names stored under `key` in a CIFAR meta file."""
    try:
        with open(path, "rb") as stream:
            meta = _PlainDataUnpickler(stream, encoding="bytes").load()
        return tuple(name.decode() for name in meta[key.encode()])
    except Exception as error:
        raise CorruptDataError(path, f"it is not a readable CIFAR meta file ({error!r})") from None
