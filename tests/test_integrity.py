"""Integrity: a truncated or corrupted file of each format the course reads is reported by
path, never used; every write lands whole or not at all."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import numpy as np
import pytest
from conftest import HANG_S, write_cifar10, write_cifar100

from imgclf import atomic, data, models, profiles, train
from imgclf.course import results
from imgclf.course.records import load_records
from imgclf.data import formats
from imgclf.data.formats import CorruptDataError
from imgclf.data.sources import keras_datasets_dir


def test_npz_that_is_not_an_archive(trusted):
    keras_datasets_dir().mkdir(parents=True)
    path = keras_datasets_dir() / "mnist.npz"
    path.write_bytes(b"PK\x03\x04 not really a zip archive")
    trusted("mnist", keras_datasets_dir())  # a matching checksum: parsing must catch it
    with pytest.raises(CorruptDataError, match="not a readable npz archive"):
        data.load("mnist", download=False)


def test_truncated_npz_fails_its_checksum(monkeypatch, tmp_path):
    keras_datasets_dir().mkdir(parents=True)
    path = keras_datasets_dir() / "mnist.npz"
    np.savez(path, x_train=np.zeros((2, 28, 28), np.uint8), y_train=np.zeros(2, int),
             x_test=np.zeros((1, 28, 28), np.uint8), y_test=np.zeros(1, int))
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CorruptDataError, match="sha256"):
        data.load("mnist", download=False)


def test_corrupt_cifar_meta(tmp_path, monkeypatch):
    folder = tmp_path / "cifar-100-python"
    write_cifar100(folder)
    (folder / "meta").write_bytes(b"\x80\x04garbage")
    monkeypatch.setenv("IMGCLF_DATA_DIR", str(tmp_path))
    with pytest.raises(CorruptDataError, match="not a readable CIFAR meta file"):
        data.load("cifar100")


def test_cifar_batch_of_the_wrong_size(tmp_path, monkeypatch):
    import pickle

    folder = tmp_path / "cifar-10-batches-py"
    write_cifar10(folder)
    with open(folder / "data_batch_2", "wb") as stream:
        pickle.dump({b"data": np.zeros((3, 10), np.uint8), b"labels": [0, 1, 2]}, stream)
    monkeypatch.setenv("IMGCLF_DATA_DIR", str(tmp_path))
    with pytest.raises(CorruptDataError, match="data_batch_2"):
        data.load("cifar10")


class RunsCode:
    """What a booby-trapped pickle holds: unpickling it would call os.getcwd."""

    def __reduce__(self):
        import os

        return (os.getcwd, ())


def test_a_cifar_file_that_names_a_function_is_refused_not_run(tmp_path):
    batch = tmp_path / "data_batch_1"
    batch.write_bytes(pickle.dumps({b"data": RunsCode(), b"labels": [0]}))
    with pytest.raises(CorruptDataError, match="refusing to load posix.getcwd"):
        formats.read_cifar_batch(batch, "labels")
    meta = tmp_path / "meta"
    meta.write_bytes(pickle.dumps({b"fine_label_names": np.array([1])}))
    with pytest.raises(CorruptDataError, match="refusing to load numpy"):
        formats.read_cifar_meta(meta, "fine_label_names")


def test_a_cifar_batch_pickled_by_python_2_numpy_loads(tmp_path):
    """The official files name NumPy 1's module (numpy.core), which NumPy 2 renamed."""
    pixels = np.arange(2 * 3072, dtype=np.uint8).reshape(2, 3072)
    raw = pickle.dumps({b"data": pixels, b"labels": [3, 7]}, protocol=2)
    batch = tmp_path / "data_batch_1"
    batch.write_bytes(raw.replace(b"numpy._core.multiarray", b"numpy.core.multiarray"))
    images, labels = formats.read_cifar_batch(batch, "labels")
    assert images.shape == (2, 32, 32, 3) and labels.tolist() == [3, 7]
    assert images[0, 0, 1].tolist() == [1, 1025 % 256, 2049 % 256]  # planes R, G, B


def test_corrupted_shipped_sample(tmp_path, monkeypatch):
    import importlib

    load_module = importlib.import_module("imgclf.data.load")  # the module, not the function

    copy = tmp_path / "sample.npz"
    original = load_module.sample_path().read_bytes()
    copy.write_bytes(original[:1000] + bytes([original[1000] ^ 0xFF]) + original[1001:])
    monkeypatch.setattr(load_module, "sample_path", lambda: copy)
    with pytest.raises(CorruptDataError, match="sha256"):
        data.load("sample")


def test_torn_run_record(tmp_path):
    (tmp_path / "01-first.json").write_text('{"notebook": "01-fi')
    with pytest.raises(ValueError, match="01-first.json is not a readable run record"):
        load_records(tmp_path)
    with pytest.raises(ValueError, match="not a readable run record"):
        results.keep(tmp_path, "quick", root=tmp_path)
    (tmp_path / "01-first.json").write_text('["a list"]')
    with pytest.raises(ValueError, match="is not a run record"):
        load_records(tmp_path)


def test_corrupt_training_history_stops_the_resume(tmp_path):
    (tmp_path / "history.json").write_text('[{"loss": 1.0}, {"lo')
    cfg = train.config(profiles.resolve("smoke"), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="history.json is not valid JSON .*cannot be resumed"):
        train.fit(models.small_cnn(), data.load("sample").subset(72, 16), cfg, out_dir=tmp_path)


@pytest.mark.integration
def test_a_truncated_run_record_is_named_by_its_path(tmp_path):
    """`python -m imgclf train --out F` reads F/record.json to skip a finished run; a truncated
    one once gave only the JSON parser's position."""
    (tmp_path / "record.json").write_text('{"model": "small_cnn", "epo')
    done = subprocess.run([sys.executable, "-m", "imgclf", "train", "--model", "small_cnn",
                           "--profile", "smoke", "--epochs", "1", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=HANG_S)
    assert done.returncode != 0
    assert f"{tmp_path / 'record.json'} is not valid JSON" in done.stderr, done.stderr[-800:]
    assert "remove it, or the folder" in done.stderr


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    path = atomic.write_json(tmp_path / "record.json", {"run": 1})
    with pytest.raises(TypeError):
        atomic.write_json(path, {"run": object()})  # not serialisable: fails before writing

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        atomic.write_json(path, {"run": 2})
    assert json.loads(path.read_text()) == {"run": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_a_failed_model_save_leaves_no_model(tmp_path, monkeypatch):
    model = models.small_cnn()

    def broken_save(self, path, *args, **kwargs):
        open(path, "wb").write(b"half a model")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(model), "save", broken_save)
    with pytest.raises(OSError):
        train.save(model, tmp_path / "model.keras")
    assert list(tmp_path.iterdir()) == []
