"""Readers for the file formats the data sets come in; each raises CorruptDataError on bad files.

- idx (gzip-compressed), the format of (Fashion-)MNIST's official files;
- npz with `x_train, y_train, x_test, y_test`, Keras's `mnist.npz` and our `sample.npz`;
- the pickled batches of CIFAR-10/100, read by an unpickler that loads arrays and nothing else.
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


class _CifarUnpickler(pickle.Unpickler):
    """Unpickles what CIFAR files hold and nothing else: plain containers, and NumPy arrays
    (the pixels). Any other class a file names is refused, so a file cannot run code."""

    ARRAYS = {("numpy", "ndarray"), ("numpy", "dtype"),
              ("numpy.core.multiarray", "_reconstruct"),
              ("numpy._core.multiarray", "_reconstruct"),
              ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
              ("_codecs", "encode")}  # how protocol 2 stores bytes written by Python 3

    def __init__(self, stream, allow_arrays: bool):
        super().__init__(stream, encoding="bytes")
        self.allow_arrays = allow_arrays

    def find_class(self, module, name):
        if self.allow_arrays and (module, name) in self.ARRAYS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _unpickle(path: Path, allow_arrays: bool) -> dict:
    with open(path, "rb") as stream:
        loaded = _CifarUnpickler(stream, allow_arrays).load()
    if not isinstance(loaded, dict):
        raise ValueError(f"it holds a {type(loaded).__name__}, not a dict")
    return loaded


def read_cifar_batch(path: Path, label_key: str) -> tuple[np.ndarray, np.ndarray]:
    """Read one pickled CIFAR batch: images (N, 32, 32, 3) uint8 and labels (N,) int64.

    A batch is a dict with b"data", (N, 3072) uint8 pixels, each row the red, green and blue
    planes of a 32x32 image, and the labels under `label_key` (b"labels" for CIFAR-10,
    b"fine_labels" for CIFAR-100).
    """
    try:
        batch = _unpickle(path, allow_arrays=True)
        pixels = np.asarray(batch[b"data"], dtype=np.uint8)
        labels = np.asarray(batch[label_key.encode()], dtype=np.int64).reshape(-1)
        images = pixels.reshape(len(pixels), 3, 32, 32)
    except Exception as error:  # pickle, EOF, key and reshape errors of a bad file
        raise CorruptDataError(path, f"it is not a readable CIFAR batch ({error!r})") from None
    if len(images) != len(labels):
        raise CorruptDataError(path, f"{len(images)} images but {len(labels)} labels")
    return np.ascontiguousarray(images.transpose(0, 2, 3, 1)), labels


def read_cifar_meta(path: Path, key: str) -> tuple[str, ...]:
    """Read the class names stored under `key` in a CIFAR meta file."""
    try:
        meta = _unpickle(path, allow_arrays=False)  # a meta file holds names only
        return tuple(name.decode() for name in meta[key.encode()])
    except Exception as error:
        raise CorruptDataError(path, f"it is not a readable CIFAR meta file ({error!r})") from None
