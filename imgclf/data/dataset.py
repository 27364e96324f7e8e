"""The record a data set is loaded into, and stratified subsets of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from imgclf import _validate as check


@dataclass(frozen=True)
class Dataset:
    """Train and test images with integer labels.

    Attributes:
        name: the data set's name, as `imgclf.data.load` takes it.
        x_train: uint8 images, shape (N, height, width, channels) (NHWC), values 0-255.
        y_train: int64 class indices, shape (N,).
        x_test, y_test: the same for the test set.
        class_names: the name of each class index.
        source: where the files were read from.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str

    def __post_init__(self):
        check.text("name", self.name)
        names = check.names("class_names", self.class_names)
        if len(names) < 2:
            raise ValueError(f"class_names must name at least 2 classes (a classifier of one "
                             f"class learns nothing), got {list(names)}")
        object.__setattr__(self, "class_names", names)
        for split in ("train", "test"):
            x, y = getattr(self, f"x_{split}"), getattr(self, f"y_{split}")
            if not isinstance(x, np.ndarray) or x.dtype != np.uint8 or x.ndim != 4:
                got = f"{x.dtype} {x.shape}" if isinstance(x, np.ndarray) else type(x).__name__
                raise (ValueError if isinstance(x, np.ndarray) else TypeError)(
                    f"x_{split} must be a NumPy array of uint8 images (N, H, W, C), got {got}")
            if not isinstance(y, np.ndarray):
                raise TypeError(f"y_{split} must be a NumPy array of class indices (N,), got "
                                f"{type(y).__name__}")
            if y.shape != (len(x),):
                raise ValueError(f"y_{split} must have shape ({len(x)},), got {y.shape}")
            if len(y):  # whole indices in range, never silently truncated
                object.__setattr__(self, f"y_{split}",
                                   check.labels(f"y_{split}", y, num_classes=len(names)))
        if len(self.x_test) and self.x_test.shape[1:] != self.x_train.shape[1:]:
            raise ValueError(f"x_test's images are {self.x_test.shape[1:]}, x_train's "
                             f"{self.x_train.shape[1:]}: a network trained on one size cannot "
                             f"score the other; give both splits images of one shape")

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(height, width, channels) of one image."""
        return tuple(self.x_train.shape[1:])

    def subset(self, train_size: int | None, test_size: int | None, seed: int = 0) -> Dataset:
        """A stratified random subset: `train_size` and `test_size` images (None keeps all).

        Every class keeps its share of the images, so small subsets stay balanced.

        Raises:
            ValueError: a size below 1, or above the images there are (never clipped: ask
                for None to keep them all).
        """
        rng = np.random.default_rng(check.integer("seed", seed, minimum=0))
        _subset_size("train_size", train_size, len(self.y_train))
        _subset_size("test_size", test_size, len(self.y_test))
        train = stratified_indices(self.y_train, train_size, rng)
        test = stratified_indices(self.y_test, test_size, rng)
        return Dataset(
            self.name, self.x_train[train], self.y_train[train], self.x_test[test],
            self.y_test[test], self.class_names, self.source,
        )

    def select_classes(self, classes) -> Dataset:
        """Only the images of `classes` (indices into `class_names`), relabelled 0, 1, ... in
        the order given: the data for training on some classes and transferring to others.

        Raises:
            TypeError: classes that are not integers (class names: pass their indices,
                `class_names.index(name)`).
            ValueError: fewer than 2 classes, a repeated class, or an index outside
                0..num_classes-1.
        """
        if isinstance(classes, (str, bytes)) or not isinstance(classes, Iterable):
            raise TypeError(f"classes must be a list of class indices, got {classes!r:.60}")
        classes = list(classes)
        named = [c for c in classes if isinstance(c, str)]
        if named:
            known = {name: i for i, name in enumerate(self.class_names)}
            raise TypeError(f"classes must be class indices, not names: for {named} pass "
                            f"{[known.get(n, '?') for n in named]} (class_names.index(name)"
                            f"; {self.name} has {list(self.class_names)})")
        classes = [check.integer("each class", c, minimum=0) for c in classes]
        if len(classes) < 2 or len(set(classes)) != len(classes):
            raise ValueError(f"select_classes needs 2 or more distinct classes, got {classes}")
        unknown = [c for c in classes if not 0 <= c < self.num_classes]
        if unknown:
            raise ValueError(f"classes {unknown} are outside 0..{self.num_classes - 1} of "
                             f"{self.name}")
        relabel = np.full(self.num_classes, -1, dtype=np.int64)
        relabel[classes] = np.arange(len(classes))
        train = relabel[self.y_train] >= 0
        test = relabel[self.y_test] >= 0
        return Dataset(
            self.name, self.x_train[train], relabel[self.y_train[train]], self.x_test[test],
            relabel[self.y_test[test]], tuple(self.class_names[c] for c in classes),
            self.source,
        )

    def labels_per_class(self, count: int, seed: int = 0) -> Dataset:
        """`count` random training images of every class (the test set is kept whole): the
        few labelled examples of a transfer-learning experiment.

        Raises:
            ValueError: a count below 1, or above the images of the smallest class.
        """
        count = check.integer("count", count, minimum=1)
        seed = check.integer("seed", seed, minimum=0)
        smallest = int(np.bincount(self.y_train, minlength=self.num_classes).min())
        if count > smallest:
            raise ValueError(f"{self.name} has only {smallest} training images in its smallest "
                             f"class; count must be at most {smallest}, got {count}")
        train = stratified_indices(self.y_train, count * self.num_classes,
                                   np.random.default_rng(seed))
        return Dataset(self.name, self.x_train[train], self.y_train[train], self.x_test,
                       self.y_test, self.class_names, self.source)

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}: train {self.x_train.shape}, test {self.x_test.shape}, "
            f"{self.num_classes} classes, from {self.source})"
        )


def scale(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, H, W, C), values 0-255, as float32 in [0, 1]: the range every network
    of `imgclf.models` takes (`imgclf.train` and `imgclf.transfer` scale inside the model
    instead; this is for a notebook's own `model.fit` and `predict`).

    Raises:
        TypeError: images that are not a uint8 array.
        ValueError: an array that is not (N, H, W, C).
    """
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8:
        got = images.dtype if isinstance(images, np.ndarray) else type(images).__name__
        raise TypeError(f"scale takes uint8 images (N, H, W, C) with values 0-255, got {got}")
    if images.ndim != 4:
        raise ValueError(f"scale takes images (N, H, W, C), got shape {images.shape}")
    return images.astype(np.float32) / np.float32(255)


def _subset_size(argument: str, size: int | None, available: int) -> int | None:
    """`size` checked as the caller's `argument`: None, or a count in 1..available."""
    if size is None:
        return None
    size = check.integer(argument, size)
    if size < 1:
        raise ValueError(f"{argument} must be at least 1 (a subset needs an element), got "
                         f"{size}")
    if size > available:
        raise ValueError(f"{argument}={size} is more than the {available} there are; ask for "
                         f"None to keep them all")
    return size


def stratified_indices(
    labels: np.ndarray, size: int | None, rng: np.random.Generator
) -> np.ndarray:
    """Indices of `size` elements of `labels` with every class in proportion, in random order.

    Classes get `size // num_classes` each and the remainder goes to the first classes, as far
    as each class has elements. `size=None` returns every index shuffled.

    Raises:
        ValueError: a size below 1 or above len(labels) (never clipped), or labels that are
            not class indices (N,).
        TypeError: `rng` is not a `numpy.random.Generator`.
    """
    labels = check.array("labels", labels, ndim=1, nonempty=False,
                         what="of class indices (N,)")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    if size is None:
        return rng.permutation(len(labels))
    size = _subset_size("size", size, len(labels))
    classes = np.unique(labels)
    base, extra = divmod(size, len(classes))
    chosen = []
    for rank, cls in enumerate(classes):
        members = rng.permutation(np.flatnonzero(labels == cls))
        chosen.append(members[: base + (rank < extra)])
    return rng.permutation(np.concatenate(chosen))
