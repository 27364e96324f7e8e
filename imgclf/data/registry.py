"""What each data set is and where its files live: names, Keras folders, checksums, origins."""

from __future__ import annotations

from dataclasses import dataclass

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
MNIST_CLASSES = tuple(str(digit) for digit in range(10))
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
TORONTO_ORIGIN = "https://www.cs.toronto.edu/~kriz/"


@dataclass(frozen=True)
class DataFile:
    """One file of a data set, as Keras names it, and its sha256 where it is fixed.

    Files extracted from an archive have no published checksum of their own (the archive has):
    they are checked by parsing them instead.
    """

    name: str
    sha256: str | None = None


@dataclass(frozen=True)
class DataSpec:
    """A data set the course can load.

    Attributes:
        name: the name `imgclf.data.load` takes.
        folder: the folder, under a data directory, that holds `files` (Keras's name for it);
            "" when the file sits directly in the data directory (Keras's `mnist.npz`).
        files: the files in `folder`, with the names Keras gives them.
        format: how the files are parsed: "idx", "npz" or "cifar".
        keras_cache_folders: where Keras's own loaders leave `folder` under `~/.keras/datasets`
            (it moved between Keras versions).
        system_folders: where operating-system packages install it.
        origin: the URL of the download, and `archive_sha256` its checksum when it is an archive.
        description: one line on what it holds (`python -m imgclf download --help` lists them).
        install_hint: the operating-system package that provides it, if there is one.
        class_names: the label of each class index, or None to read them from the files.
        train_images, test_images: how many images each split of the published data set holds.
        image_shape: one image's (height, width, channels) (`read` checks it).
        num_classes: how many classes the labels name.
    """

    name: str
    folder: str
    files: tuple[DataFile, ...]
    format: str
    origin: str
    description: str
    train_images: int
    test_images: int
    image_shape: tuple[int, int, int]
    num_classes: int
    class_names: tuple[str, ...] | None = None
    archive_sha256: str | None = None
    keras_cache_folders: tuple[str, ...] = ()
    system_folders: tuple[str, ...] = ()
    install_hint: str | None = None


DATASETS: dict[str, DataSpec] = {
    spec.name: spec
    for spec in (
        DataSpec(
            name="fashion_mnist",
            folder="fashion-mnist",
            files=(
                DataFile("train-images-idx3-ubyte.gz",
                         "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"),
                DataFile("train-labels-idx1-ubyte.gz",
                         "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"),
                DataFile("t10k-images-idx3-ubyte.gz",
                         "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
                DataFile("t10k-labels-idx1-ubyte.gz",
                         "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"),
            ),
            format="idx",
            origin=KERAS_ORIGIN,
            description="Fashion-MNIST: 70,000 28x28 grey images of 10 kinds of clothing",
            train_images=60_000, test_images=10_000, image_shape=(28, 28, 1), num_classes=10,
            class_names=FASHION_MNIST_CLASSES,
            keras_cache_folders=("fashion-mnist",),
            system_folders=("/usr/share/datasets/fashion-mnist",),
            install_hint="sudo apt-get install dataset-fashion-mnist   (Debian/Ubuntu)",
        ),
        DataSpec(
            name="mnist",
            folder="",
            files=(
                DataFile("mnist.npz",
                         "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"),
            ),
            format="npz",
            origin=KERAS_ORIGIN,
            description="MNIST: 70,000 28x28 grey images of handwritten digits",
            train_images=60_000, test_images=10_000, image_shape=(28, 28, 1), num_classes=10,
            class_names=MNIST_CLASSES,
            keras_cache_folders=("",),
        ),
        DataSpec(
            name="cifar10",
            folder="cifar-10-batches-py",
            files=tuple(DataFile(f"data_batch_{i}") for i in range(1, 6))
            + (DataFile("test_batch"),),
            format="cifar",
            origin=TORONTO_ORIGIN + "cifar-10-python.tar.gz",
            archive_sha256="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
            description="CIFAR-10: 60,000 32x32 colour images of 10 classes",
            train_images=50_000, test_images=10_000, image_shape=(32, 32, 3), num_classes=10,
            class_names=CIFAR10_CLASSES,
            keras_cache_folders=(
                "cifar-10-batches-py-target/cifar-10-batches-py",  # Keras >= 3.5
                "cifar-10-batches-py",  # older Keras
            ),
        ),
        DataSpec(
            name="cifar100",
            folder="cifar-100-python",
            files=(DataFile("train"), DataFile("test"), DataFile("meta")),
            format="cifar",
            origin=TORONTO_ORIGIN + "cifar-100-python.tar.gz",
            archive_sha256="85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
            description="CIFAR-100: 60,000 32x32 colour images of 100 classes (fine labels)",
            train_images=50_000, test_images=10_000, image_shape=(32, 32, 3), num_classes=100,
            keras_cache_folders=(
                "cifar-100-python-target/cifar-100-python",
                "cifar-100-python",
            ),
        ),
        DataSpec(
            name="sample",
            folder="",
            files=(
                DataFile("sample.npz",
                         "306f2fa4badc1d60675a746f3e21466cdebf4f8f332d8b277a6b0a552b3004bb"),
            ),
            format="npz",
            origin="",
            description=(
                "sample: a stratified subset of Fashion-MNIST shipped inside imgclf "
                "(120 training and 30 test images per class)"
            ),
            train_images=1_200, test_images=300, image_shape=(28, 28, 1), num_classes=10,
            class_names=FASHION_MNIST_CLASSES,
        ),
    )
}


def names() -> list[str]:
    """The names `imgclf.data.load` accepts."""
    return list(DATASETS)


def spec(name: str, argument: str = "name") -> DataSpec:
    """The `DataSpec` of `name`; raises ValueError listing the known names for any other,
    naming the caller's `argument` that held it, and TypeError for what is not a name."""
    if not isinstance(name, str):
        raise TypeError(f"{argument} must be a data set's name, a string, got {name!r} "
                        f"({type(name).__name__}). Known data sets: {', '.join(DATASETS)}.")
    if name not in DATASETS:
        raise ValueError(
            f"Unknown data set {argument}={name!r}. Known data sets: {', '.join(DATASETS)}."
        )
    return DATASETS[name]
