"""`load(name)`: find a data set (or download it), verify it and read it into a `Dataset`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np

from imgclf import _validate as check
from imgclf.data import fetch, formats
from imgclf.data.dataset import Dataset
from imgclf.data.formats import CorruptDataError
from imgclf.data.registry import DataSpec, spec
from imgclf.data.sources import (
    DataNotFoundError,
    Place,
    find,
    keras_datasets_dir,
    not_found_message,
)


def sample_path() -> Path:
    """The path of the `sample` data set shipped inside the package."""
    return Path(str(resources.files("imgclf.data") / "sample.npz"))


def load(name: str, download: bool = True) -> Dataset:
    """Load the data set `name` (see `imgclf.data.names()`) as uint8 NHWC images.

    Looks in `$IMGCLF_DATA_DIR/<folder>`, the Keras cache, then the system's data set folders;
    when none holds the files and `download` is true, downloads them into the Keras cache.
    Every file is verified (checksum or structure) before it is used.

    Raises:
        ValueError: `name` is not a known data set.
        DataNotFoundError: the data is nowhere here and could not be downloaded.
        CorruptDataError: a file is truncated or corrupt (its path is in the message).
    """
    data_spec = spec(name)
    check.boolean("download", download)
    if data_spec.name == "sample":
        return read(data_spec, sample_path().parent)
    folder, _ = _locate(data_spec, keras_datasets_dir(), download)
    return read(data_spec, folder)


def _locate(data_spec: DataSpec, root: Path, download: bool) -> tuple[Path, Place | None]:
    """Where `data_spec`'s files are: the first place that holds them all, else a download
    into `root` (if `download`). Returns (folder, the place found, or None if downloaded).

    Raises:
        DataNotFoundError: nowhere here, and not downloaded (not allowed, or no network).
    """
    place = find(data_spec)
    if place is not None:
        return place.folder, place
    if not download:
        raise DataNotFoundError(not_found_message(data_spec, None))
    try:
        return fetch.from_origin(data_spec, root), None
    except CorruptDataError:
        raise
    except OSError as error:
        raise DataNotFoundError(not_found_message(data_spec, str(error))) from None


def read(data_spec: DataSpec, folder: Path) -> Dataset:
    """Verify and parse the files of `data_spec` in `folder`."""
    for data_file in data_spec.files:
        if data_file.sha256:
            formats.verify_sha256(folder / data_file.name, data_file.sha256)
    reader = {"idx": _read_idx, "npz": _read_npz, "cifar": _read_cifar}[data_spec.format]
    (x_train, y_train), (x_test, y_test), class_names = reader(data_spec, folder)
    x_train, x_test = _nhwc(x_train), _nhwc(x_test)
    for split, images in (("training", x_train), ("test", x_test)):
        if images.shape[1:] != data_spec.image_shape:
            raise formats.CorruptDataError(
                folder, f"{data_spec.name}'s {split} images are {images.shape[1:]}; "
                f"{data_spec.image_shape} expected")
    return Dataset(
        name=data_spec.name,
        x_train=x_train, y_train=np.asarray(y_train, np.int64).reshape(-1),
        x_test=x_test, y_test=np.asarray(y_test, np.int64).reshape(-1),
        class_names=tuple(class_names), source=str(folder),
    )


def _nhwc(images: np.ndarray) -> np.ndarray:
    """Grey images (N, H, W) get a channel axis; colour images stay (N, H, W, 3)."""
    return images[..., np.newaxis] if images.ndim == 3 else images


def _read_idx(data_spec: DataSpec, folder: Path):
    splits = []
    for prefix in ("train", "t10k"):
        images_path = folder / f"{prefix}-images-idx3-ubyte.gz"
        images = formats.read_idx(images_path)
        labels = formats.read_idx(folder / f"{prefix}-labels-idx1-ubyte.gz")
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise formats.CorruptDataError(
                images_path, f"{images.shape} images do not match {labels.shape} labels"
            )
        splits.append((images, labels))
    return splits[0], splits[1], data_spec.class_names


def _read_npz(data_spec: DataSpec, folder: Path):
    path = folder / data_spec.files[0].name
    arrays = formats.read_npz(path)
    if arrays["x_train"].dtype != np.uint8 or len(arrays["x_train"]) != len(arrays["y_train"]):
        raise formats.CorruptDataError(path, "x_train is not uint8 or does not match y_train")
    return (
        (arrays["x_train"], arrays["y_train"]),
        (arrays["x_test"], arrays["y_test"]),
        data_spec.class_names,
    )


def _read_cifar(data_spec: DataSpec, folder: Path):
    if data_spec.name == "cifar100":
        train = formats.read_cifar_batch(folder / "train", "fine_labels")
        test = formats.read_cifar_batch(folder / "test", "fine_labels")
        class_names = formats.read_cifar_meta(folder / "meta", "fine_label_names")
        return train, test, class_names
    batches = [formats.read_cifar_batch(folder / f"data_batch_{i}", "labels") for i in range(1, 6)]
    train = (np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches]))
    test = formats.read_cifar_batch(folder / "test_batch", "labels")
    return train, test, data_spec.class_names


def download(name: str, to: Path | str | None = None, allow_network: bool = True) -> str:
    """Make the data set `name` available here, or in the folder `to` (for machines without
    network: `IMGCLF_DATA_DIR=to` there); return what was done, in a sentence.

    Uses the files already on this machine when there are any (copying them into `to` when it
    is given), otherwise downloads them (unless `allow_network` is false). The files are read
    once to verify them.

    Raises:
        ValueError: an unknown `name`.
        DataNotFoundError: nowhere here, and not downloaded.
        CorruptDataError: a file found or downloaded is corrupt.
    """
    data_spec = spec(name)
    check.boolean("allow_network", allow_network)
    if to is not None:
        check.path("to", to, kind="folder")
    if data_spec.name == "sample":
        return f"'sample' ships inside imgclf, nothing to download: {sample_path()}"
    root = Path(to) if to is not None else keras_datasets_dir()
    folder, place = _locate(data_spec, root, allow_network)
    if place is not None:
        read(data_spec, folder)
        if to is None or folder == root / data_spec.folder:
            return f"Found {name} at {folder} ({place.kind}); it is complete and verified."
        folder = fetch.copy(data_spec, folder, root)
        action = f"Copied {name} from {place.folder} to {folder}"
    else:
        action = f"Downloaded {name} from {data_spec.origin} to {folder}"
    dataset = read(data_spec, folder)
    summary = f"{len(dataset.x_train)} train and {len(dataset.x_test)} test images, verified"
    if to is not None:
        summary += f". On the machines that use it: export IMGCLF_DATA_DIR={root}"
    return f"{action} ({summary})."
