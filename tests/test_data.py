"""imgclf.data: finding, verifying, parsing and fetching data sets, in the Keras file formats."""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import tar_gz, write_cifar10, write_cifar100, write_fashion

from imgclf import data
from imgclf.data import CorruptDataError, DataNotFoundError, registry
from imgclf.data.sources import keras_datasets_dir

# The same on every Keras backend: `make test-jax` leaves it to the TensorFlow pass.
pytestmark = pytest.mark.backend_independent

OFFLINE = "https://imgclf-test.invalid/"  # .invalid never resolves: a download that must fail
SYSTEM_FASHION = Path("/usr/share/datasets/fashion-mnist")


def test_fashion_mnist_from_data_dir(tmp_path, monkeypatch, trusted):
    written = write_fashion(tmp_path / "data" / "fashion-mnist")
    trusted("fashion_mnist", tmp_path / "data" / "fashion-mnist", system_folders=())
    monkeypatch.setenv("IMGCLF_DATA_DIR", str(tmp_path / "data"))

    loaded = data.load("fashion_mnist")

    assert loaded.x_train.shape == (30, 28, 28, 1) and loaded.x_train.dtype == np.uint8
    assert loaded.x_test.shape == (20, 28, 28, 1)
    np.testing.assert_array_equal(loaded.x_train[..., 0], written["x_train"])
    np.testing.assert_array_equal(loaded.y_test, written["y_test"])
    assert loaded.y_train.dtype == np.int64
    assert loaded.class_names[0] == "T-shirt/top" and loaded.num_classes == 10
    assert loaded.source == str(tmp_path / "data" / "fashion-mnist")


def test_data_dir_comes_before_keras_cache_and_cache_before_system(tmp_path, monkeypatch, trusted):
    write_fashion(keras_datasets_dir() / "fashion-mnist")
    trusted("fashion_mnist", keras_datasets_dir() / "fashion-mnist",
            system_folders=(str(tmp_path / "system"),))
    assert data.load("fashion_mnist").source == str(keras_datasets_dir() / "fashion-mnist")

    write_fashion(tmp_path / "mine" / "fashion-mnist")  # same seeds: same bytes, same checksums
    monkeypatch.setenv("IMGCLF_DATA_DIR", str(tmp_path / "mine"))
    assert data.load("fashion_mnist").source == str(tmp_path / "mine" / "fashion-mnist")


def test_system_folder_is_used_last(tmp_path, trusted):
    write_fashion(tmp_path / "system")
    trusted("fashion_mnist", tmp_path / "system", system_folders=(str(tmp_path / "system"),))
    assert data.load("fashion_mnist").source == str(tmp_path / "system")


@pytest.mark.skipif(not SYSTEM_FASHION.is_dir(), reason="Debian's dataset-fashion-mnist absent")
def test_real_fashion_mnist_from_debian_package():
    loaded = data.load("fashion_mnist", download=False)
    assert loaded.x_train.shape == (60000, 28, 28, 1) and loaded.x_test.shape == (10000, 28, 28, 1)
    assert np.bincount(loaded.y_test).tolist() == [1000] * 10
    declared = data.spec("fashion_mnist")  # the sizes imgclf.plans counts with
    assert (declared.train_images, declared.test_images) == (60000, 10000)


def test_truncated_file_is_reported_by_path_and_never_used(tmp_path, monkeypatch, trusted):
    folder = tmp_path / "data" / "fashion-mnist"
    write_fashion(folder)
    trusted("fashion_mnist", folder, system_folders=())
    images = folder / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:500])
    monkeypatch.setenv("IMGCLF_DATA_DIR", str(tmp_path / "data"))

    with pytest.raises(CorruptDataError, match=str(images)) as error:
        data.load("fashion_mnist")
    assert "sha256" in str(error.value)


def test_corrupt_content_is_caught_by_parsing_even_with_a_matching_checksum(tmp_path, trusted):
    folder = tmp_path / "fashion-mnist"
    write_fashion(folder)
    labels = folder / "train-labels-idx1-ubyte.gz"
    labels.write_bytes(gzip.compress(b"\x00\x00\x08\x99" + bytes(40)))  # wrong magic number
    trusted("fashion_mnist", folder, system_folders=(str(folder),))
    with pytest.raises(CorruptDataError, match="magic"):
        data.load("fashion_mnist")


def test_images_of_another_size_than_the_data_set_has_are_rejected(tmp_path, trusted):
    folder = tmp_path / "fashion-mnist"
    write_fashion(folder)
    trusted("fashion_mnist", folder, system_folders=(str(folder),), image_shape=(32, 32, 1))
    with pytest.raises(CorruptDataError, match=r"training images are \(28, 28, 1\); "
                                               r"\(32, 32, 1\) expected"):
        data.load("fashion_mnist")


def test_idx_file_shorter_than_its_header_says(tmp_path):
    path = tmp_path / "x.gz"
    header = struct.pack(">IIII", 2051, 5, 2, 2)  # 5 images of 2x2 pixels: 20 bytes
    path.write_bytes(gzip.compress(header + bytes(10)))
    with pytest.raises(CorruptDataError, match="the header"):
        data.formats.read_idx(path)


def test_mnist_npz_in_keras_cache(trusted):
    rng = np.random.default_rng(0)
    keras_datasets_dir().mkdir(parents=True)
    path = keras_datasets_dir() / "mnist.npz"
    np.savez(path, x_train=rng.integers(0, 256, (8, 28, 28), dtype=np.uint8),
             y_train=np.arange(8) % 10, x_test=np.zeros((3, 28, 28), np.uint8),
             y_test=np.array([1, 2, 3]))
    trusted("mnist", keras_datasets_dir())
    loaded = data.load("mnist")
    assert loaded.x_train.shape == (8, 28, 28, 1) and loaded.y_test.tolist() == [1, 2, 3]
    assert loaded.class_names == tuple("0123456789")


def test_cifar10_in_the_keras_3_cache_layout():
    folder = keras_datasets_dir() / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    parts = write_cifar10(folder)
    loaded = data.load("cifar10")
    assert loaded.x_train.shape == (20, 32, 32, 3) and loaded.x_test.shape == (4, 32, 32, 3)
    np.testing.assert_array_equal(loaded.x_train[:4], parts["data_batch_1"][0])
    np.testing.assert_array_equal(loaded.y_test, parts["test_batch"][1])
    assert loaded.class_names[:2] == ("airplane", "automobile")


def test_cifar100_with_class_names_from_meta(tmp_path, monkeypatch):
    write_cifar100(tmp_path / "cifar-100-python")
    monkeypatch.setenv("IMGCLF_DATA_DIR", str(tmp_path))
    loaded = data.load("cifar100")
    assert loaded.num_classes == 100 and loaded.class_names[99] == "class99"
    assert loaded.x_test.shape == (6, 32, 32, 3)


def test_truncated_cifar_batch_is_reported(tmp_path, monkeypatch):
    folder = tmp_path / "cifar-10-batches-py"
    write_cifar10(folder)
    batch = folder / "data_batch_3"
    batch.write_bytes(batch.read_bytes()[:100])
    monkeypatch.setenv("IMGCLF_DATA_DIR", str(tmp_path))
    with pytest.raises(CorruptDataError, match=str(batch)):
        data.load("cifar10")


def test_download_verifies_extracts_and_installs_the_archive(tmp_path, trusted):
    source = tmp_path / "upstream" / "cifar-10-batches-py"
    write_cifar10(source)
    archive = tar_gz(source, tmp_path / "cifar-10-python.tar.gz")
    sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    trusted("cifar10", source, origin=archive.as_uri(), archive_sha256=sha)

    message = data.download("cifar10", to=tmp_path / "shared")

    assert "Downloaded cifar10" in message and "IMGCLF_DATA_DIR=" in message
    installed = tmp_path / "shared" / "cifar-10-batches-py"
    assert sorted(p.name for p in installed.iterdir()) == sorted(
        f.name for f in registry.DATASETS["cifar10"].files)
    assert not [p for p in (tmp_path / "shared").iterdir() if p.name.startswith(".")]


def test_download_with_a_wrong_checksum_leaves_nothing(tmp_path, trusted):
    source = tmp_path / "upstream" / "cifar-10-batches-py"
    write_cifar10(source)
    archive = tar_gz(source, tmp_path / "cifar-10-python.tar.gz")
    trusted("cifar10", source, origin=archive.as_uri(), archive_sha256="0" * 64)
    with pytest.raises(CorruptDataError):
        data.download("cifar10", to=tmp_path / "shared")
    assert list((tmp_path / "shared").iterdir()) == []


def test_download_of_single_files_lands_in_the_keras_cache(tmp_path, trusted):
    upstream = tmp_path / "upstream"
    write_fashion(upstream)
    trusted("fashion_mnist", upstream, origin=upstream.as_uri() + "/", system_folders=())
    loaded = data.load("fashion_mnist")
    assert loaded.source == str(keras_datasets_dir() / "fashion-mnist")


def test_copy_to_a_shared_folder_for_offline_nodes(tmp_path, monkeypatch, trusted):
    write_fashion(tmp_path / "system")
    trusted("fashion_mnist", tmp_path / "system", system_folders=(str(tmp_path / "system"),),
            origin=OFFLINE)
    message = data.download("fashion_mnist", to=tmp_path / "shared")
    assert f"Copied fashion_mnist from {tmp_path / 'system'}" in message
    monkeypatch.setenv("IMGCLF_DATA_DIR", str(tmp_path / "shared"))
    assert data.load("fashion_mnist", download=False).source == str(
        tmp_path / "shared" / "fashion-mnist")


def test_no_data_and_no_network_lists_every_place_and_the_remedies(tmp_path, monkeypatch):
    spec = replace(registry.DATASETS["fashion_mnist"],
                   system_folders=(str(tmp_path / "nowhere"),), origin=OFFLINE)
    monkeypatch.setitem(registry.DATASETS, "fashion_mnist", spec)
    with pytest.raises(DataNotFoundError) as error:
        data.load("fashion_mnist")
    message = str(error.value)
    assert "'fashion_mnist' is not on this machine and could not be downloaded" in message
    for expected in ("$IMGCLF_DATA_DIR/fashion-mnist  [not set]", str(keras_datasets_dir()),
                     str(tmp_path / "nowhere"), OFFLINE, "python -m imgclf download fashion_mnist",
                     "apt-get install dataset-fashion-mnist"):
        assert expected in message


def test_incomplete_folder_is_skipped_and_reported(tmp_path, monkeypatch):
    folder = tmp_path / "cifar-10-batches-py"
    write_cifar10(folder)
    (folder / "test_batch").unlink()
    monkeypatch.setenv("IMGCLF_DATA_DIR", str(tmp_path))
    with pytest.raises(DataNotFoundError, match="incomplete, missing test_batch"):
        data.load("cifar10", download=False)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="Known data sets: fashion_mnist, mnist, cifar10"):
        data.load("imagenet")


def test_sample_is_shipped_balanced_and_verified():
    sample = data.load("sample")
    assert sample.x_train.shape == (1200, 28, 28, 1) and sample.x_test.shape == (300, 28, 28, 1)
    declared = data.spec("sample")  # the sizes imgclf.plans counts with
    assert (declared.train_images, declared.test_images, declared.image_shape) == (1200, 300,
                                                                                   (28, 28, 1))
    assert np.bincount(sample.y_train).tolist() == [120] * 10
    assert np.bincount(sample.y_test).tolist() == [30] * 10
    assert os.path.getsize(data.sample_path()) < 1_000_000


@pytest.mark.skipif(not SYSTEM_FASHION.is_dir(), reason="Debian's dataset-fashion-mnist absent")
def test_sample_is_real_fashion_mnist():
    sample_archive = np.load(data.sample_path())
    full = data.load("fashion_mnist", download=False)
    np.testing.assert_array_equal(full.x_train[sample_archive["train_index"], ..., 0],
                                  sample_archive["x_train"])
    np.testing.assert_array_equal(full.y_test[sample_archive["test_index"]],
                                  sample_archive["y_test"])


def test_stratified_subset_keeps_classes_balanced():
    sample = data.load("sample")
    small = sample.subset(train_size=100, test_size=25, seed=3)
    assert np.bincount(small.y_train, minlength=10).tolist() == [10] * 10
    assert sorted(np.bincount(small.y_test, minlength=10).tolist()) == [2] * 5 + [3] * 5
    assert sample.subset(None, None).x_train.shape == sample.x_train.shape


def test_dataset_rejects_inconsistent_arrays():
    with pytest.raises(ValueError, match="y_train must have shape"):
        data.Dataset("x", np.zeros((3, 2, 2, 1), np.uint8), np.zeros(2, np.int64),
                     np.zeros((1, 2, 2, 1), np.uint8), np.zeros(1, np.int64), ("a", "b"), "")
    with pytest.raises(ValueError, match="y_train must be in 0..1, got 0..5"):
        data.Dataset("x", np.zeros((2, 2, 2, 1), np.uint8), np.array([0, 5]),
                     np.zeros((1, 2, 2, 1), np.uint8), np.zeros(1, np.int64), ("a", "b"), "")
