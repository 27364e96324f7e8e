"""Fixtures: small data sets written in the real Keras file formats, and an isolated environment."""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import tarfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from imgclf.data import formats, registry

REPO = Path(__file__).resolve().parents[1]
#: How long a test waits for a subprocess before it calls it hung: a guard, not a budget (the
#: same work takes five times longer on some machines than on others).
HANG_S = 900


def wait_until(condition: Callable[[], bool], what: str, limit_s: float = HANG_S,
               poll_s: float = 0.05) -> None:
    """Poll `condition` until it holds; fail, naming `what`, if it never does (a hang)."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {limit_s:.0f} s: hung?")
        time.sleep(poll_s)


@pytest.fixture(autouse=True)
def isolated_data_places(tmp_path, monkeypatch):
    """No test sees the user's data directory or Keras cache, or chooses a profile from outside."""
    monkeypatch.delenv("IMGCLF_DATA_DIR", raising=False)
    monkeypatch.delenv("IMGCLF_PROFILE", raising=False)
    monkeypatch.delenv("IMGCLF_DATASET", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))


def idx_bytes(array: np.ndarray) -> bytes:
    """An array as a gzip-compressed idx file (uint8 labels (N,) or images (N, H, W))."""
    magic = 2049 if array.ndim == 1 else 2051
    header = struct.pack(f">I{array.ndim}I", magic, *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def make_images(n: int, shape: tuple, classes: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n, *shape), dtype=np.uint8),
            np.arange(n) % classes)


def write_fashion(folder: Path, n_train: int = 30, n_test: int = 20) -> dict:
    """Write Fashion-MNIST's four idx.gz files (28x28 images, 10 classes) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    x_train, y_train = make_images(n_train, (28, 28), 10, seed=1)
    x_test, y_test = make_images(n_test, (28, 28), 10, seed=2)
    for name, array in (("train-images-idx3-ubyte.gz", x_train),
                        ("train-labels-idx1-ubyte.gz", y_train),
                        ("t10k-images-idx3-ubyte.gz", x_test),
                        ("t10k-labels-idx1-ubyte.gz", y_test)):
        (folder / name).write_bytes(idx_bytes(array))
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def cifar_batch(images: np.ndarray, labels: np.ndarray, label_key: str) -> bytes:
    """A CIFAR python batch: a pickled dict of bytes keys, data (N, 3072) in CHW order."""
    data = images.transpose(0, 3, 1, 2).reshape(len(images), -1)
    return pickle.dumps({b"data": data, label_key.encode(): list(map(int, labels)),
                         b"batch_label": b"test"})


def write_cifar10(folder: Path, per_batch: int = 4) -> dict:
    """Write CIFAR-10's python batches (32x32x3, 10 classes) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = {}
    for i, name in enumerate([f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]):
        images, labels = make_images(per_batch, (32, 32, 3), 10, seed=10 + i)
        (folder / name).write_bytes(cifar_batch(images, labels, "labels"))
        parts[name] = (images, labels)
    return parts


def write_cifar100(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, seed in (("train", 1), ("test", 2)):
        images, labels = make_images(6, (32, 32, 3), 100, seed=seed)
        (folder / name).write_bytes(cifar_batch(images, labels, "fine_labels"))
    names = [f"class{i}".encode() for i in range(100)]
    (folder / "meta").write_bytes(pickle.dumps({b"fine_label_names": names,
                                                b"coarse_label_names": names[:20]}))


def tar_gz(folder: Path, archive: Path) -> Path:
    """Pack `folder` (as its own name) into a tar.gz, like the official CIFAR archives."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    archive.write_bytes(buffer.getvalue())
    return archive


@pytest.fixture
def trusted(monkeypatch):
    """Register the sha256 of files a test wrote as the official checksums of a data set."""

    def register(name: str, folder: Path, **changes) -> registry.DataSpec:
        spec = registry.DATASETS[name]
        files = tuple(
            replace(f, sha256=formats.sha256(folder / f.name)) if f.sha256 else f
            for f in spec.files
        )
        new = replace(spec, files=files, **changes)
        monkeypatch.setitem(registry.DATASETS, name, new)
        return new

    return register


def pytest_report_header(config):
    import keras

    return f"keras {keras.__version__}, backend {keras.config.backend()}"
