"""Argument checks shared by the package's public functions.

Each returns the value (converted where that is safe) or raises, naming the argument, what it
got and what is allowed: TypeError for the wrong kind of object, ValueError for a wrong value.
Booleans are not accepted as numbers.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np


def _kind(value) -> str:
    return type(value).__name__


def integer(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number (any `numbers.Integral` but a bool: Python's or NumPy's) in
    [minimum, maximum]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({_kind(value)})")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = (f">= {minimum}" if maximum is None else
                  f"<= {maximum}" if minimum is None else f"in {minimum}..{maximum}")
        raise ValueError(f"{name} must be an integer {bounds}, got {value}")
    return value


def number(name: str, value, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number (any `numbers.Real` but a bool: Python's or NumPy's) in the
    interval given (closed unless `*_open`)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({_kind(value)})")
    value = float(value)
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and (value >= high if high_open else value > high)
    if not math.isfinite(value) or below or above:
        interval = (f"{'(' if low_open else '['}{'-inf' if low is None else f'{low:g}'}, "
                    f"{'inf' if high is None else f'{high:g}'}{')' if high_open else ']'}")
        raise ValueError(f"{name} must be a finite number in {interval}, got {value!r}")
    return value


def rate(name: str, value) -> float:
    """A number in [0, 1): a dropout rate, a momentum, a share of the data."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def path(name: str, value, kind: str = "file") -> Path:
    """A file or folder path (str or Path) that is not the other kind on disk."""
    if not isinstance(value, (str, Path)) or not str(value):
        raise TypeError(f"{name} must be a {kind} path (str or Path), got {value!r}")
    result = Path(value)
    if (kind == "file" and result.is_dir()) or (kind == "folder" and result.is_file()):
        raise ValueError(f"{name} must be a {kind}, but {result} is a "
                         f"{'folder' if kind == 'file' else 'file'}")
    return result


def text(name: str, value) -> str:
    """A non-empty string (a title, an axis label, a name)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {value!r} ({_kind(value)})")
    if not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return value


def boolean(name: str, value) -> bool:
    """True or False (not 0, 1 or a string)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} ({_kind(value)})")
    return bool(value)


def one_of(name: str, value, choices: Sequence):
    """`value` if it is one of `choices`."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def model(name: str, value, built: bool = False):
    """A Keras model (`keras.Model`, functional or Sequential); with `built`, one that has
    layers and knows its input shape (an empty or unbuilt Sequential has neither)."""
    import keras

    if not isinstance(value, keras.Model):
        hint = (": build it first (imgclf.models.get(name) for a network by name)"
                if isinstance(value, str) else "")
        raise TypeError(f"{name} must be a keras.Model, got {_kind(value)}{hint}")
    if built and (not value.layers or not value.built):
        raise ValueError(f"{name} ({value.name}) has no layers built yet: give it layers and "
                         f"an input shape (keras.Input) before passing it here")
    return value


def layer(name: str, value):
    """A Keras layer (a model is one too)."""
    import keras

    if not isinstance(value, keras.layers.Layer):
        raise TypeError(f"{name} must be a keras layer, got {_kind(value)}")
    return value


# Floating-point types NumPy knows only through ml_dtypes (which JAX and TensorFlow install):
# mixed-precision models compute in them. They are read as float32.
REDUCED_FLOATS = ("bfloat16", "float8_e4m3fn", "float8_e5m2")


def array(name: str, value, ndim: int | Sequence[int] | None = None, finite: bool = False,
          nonempty: bool = True, what: str = "") -> np.ndarray:
    """A NumPy array (anything `np.asarray` takes) of numbers: `ndim` dimensions, at least one
    element, all finite if `finite`. `what` describes the expected shape for the message."""
    if isinstance(value, (str, bytes, Mapping)) or value is None:
        raise TypeError(f"{name} must be an array{what and f' {what}'}, got {_kind(value)}")
    try:
        result = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged lists
        raise ValueError(f"{name} must be an array{what and f' {what}'}: {error}") from None
    if result.dtype.name in REDUCED_FLOATS:  # what a mixed-precision model returns
        result = result.astype(np.float32)
    if result.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers{what and f' {what}'}, got dtype "
                        f"{result.dtype}")
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and result.ndim not in allowed:
        expected = (f"an array {what}" if what.startswith("of ") else what) or \
            f"{allowed[0]}-dimensional"
        raise ValueError(f"{name} must be {expected}, got shape {result.shape}")
    if nonempty and result.size == 0:
        raise ValueError(f"{name} must not be empty{what and f' ({what})'}, got shape "
                         f"{result.shape}")
    if finite and result.dtype.kind == "f" and not np.all(np.isfinite(result)):
        raise ValueError(f"{name} holds {int(np.sum(~np.isfinite(result)))} values that are "
                         f"not finite (NaN or infinite)")
    return result


def labels(name: str, value, num_classes: int | None = None) -> np.ndarray:
    """Class indices (N,), N >= 1, integers in 0..num_classes-1."""
    result = array(name, value, ndim=1, what="of class indices (N,)")
    if result.dtype.kind == "f":
        if not np.all(np.isfinite(result)) or not np.all(result == np.round(result)):
            raise ValueError(f"{name} must hold whole class indices, got {result[:5]}...")
    result = result.astype(np.int64)
    if result.min() < 0 or (num_classes is not None and result.max() >= num_classes):
        top = "" if num_classes is None else f"..{num_classes - 1}"
        raise ValueError(f"{name} must be in 0{top}, got {result.min()}..{result.max()}")
    return result


def mapping(name: str, value, nonempty: bool = True, what: str = "") -> Mapping:
    """A dict-like object, with at least one entry if `nonempty`."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict{what and f' {what}'}, got {_kind(value)}")
    if nonempty and not value:
        raise ValueError(f"{name} needs at least one entry{what and f' ({what})'}")
    return value


def names(name: str, value, count: int | None = None) -> tuple[str, ...]:
    """A sequence of strings (class names), `count` of them if given."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not all(
            isinstance(v, str) for v in value):
        raise TypeError(f"{name} must be a sequence of strings, got {value!r:.80}")
    if not value or (count is not None and len(value) < count):
        raise ValueError(f"{name} must hold {count or 'at least one'} names, got {len(value)}")
    return tuple(value)


class ScaledTwiceWarning(UserWarning):
    """Images that look scaled already were given to something that scales them again."""


class BatchLargerThanDataWarning(UserWarning):
    """A training batch larger than the images it trains on: every epoch is one step."""


def warn_if_batch_exceeds(batch_size: int, images: int, stacklevel: int = 3) -> None:
    """Warn (`BatchLargerThanDataWarning`) when `batch_size` exceeds the `images` a training
    steps through: each epoch is then a single step on all of them, so a run of E epochs
    takes E optimiser steps, far fewer than its settings suggest. `stacklevel` points the
    warning at the caller's line."""
    import warnings

    if batch_size > images:
        warnings.warn(f"batch_size {batch_size} is larger than the {images} images trained on: "
                      f"each epoch is one step, so the run takes as many steps as epochs. "
                      f"Lower batch_size (imgclf.train.config(settings, batch_size=...)) or "
                      f"train on more images.", BatchLargerThanDataWarning,
                      stacklevel=stacklevel)


def takes_uint8(model) -> bool:
    """Whether `model` scales its inputs itself: its first layer after the input is a
    Rescaling by 1/255 (what `imgclf.train.scaled_inputs` builds), so it expects uint8 images
    (0-255)."""
    import keras

    first = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    return bool(first) and isinstance(first[0], keras.layers.Rescaling) and \
        math.isclose(float(np.asarray(first[0].scale)), 1 / 255)


def warn_if_scaled_twice(name: str, images: np.ndarray, model) -> None:
    """Warn (`ScaledTwiceWarning`) when float `images` lie within [0, 1] but `model` scales
    its inputs from 0-255 itself: they would come out within [0, 1/255], a near-black image
    the network never saw."""
    import warnings

    if images.dtype.kind == "f" and images.size and takes_uint8(model) and \
            0.0 <= float(np.nanmin(images)) and float(np.nanmax(images)) <= 1.0:
        warnings.warn(f"{name} look scaled to [0, 1] already (max {float(np.nanmax(images)):.3g})"
                      f", but {model.name} scales its inputs from 0-255 itself: they would be "
                      f"scaled twice. Pass the uint8 images (0-255) instead.",
                      ScaledTwiceWarning, stacklevel=3)


def images(name: str, value) -> np.ndarray:
    """Images as the package takes them (the input contract): uint8 (0-255) or floats in
    [0, 1], shape (N, H, W, C). Floats within [0, 255] but above 1 (images not scaled yet) are
    refused with what to do, not drawn or used as if scaled."""
    result = array(name, value, ndim=4, finite=True, what="of images (N, H, W, C)")
    if result.dtype == np.uint8:
        return result
    if result.dtype.kind in "iu":
        if result.min() < 0 or result.max() > 255:
            raise ValueError(f"{name} holds integers outside 0..255 ({result.min()}.."
                             f"{result.max()}): images are uint8 (0-255) or floats in [0, 1]")
        return result.astype(np.uint8)
    low, high = float(result.min()), float(result.max())
    if low < 0 or high > 1:
        hint = (" They look like 0-255 values stored as floats: pass them as uint8 "
                "(images.astype('uint8')) or scale them with imgclf.data.scale."
                if low >= 0 and high <= 255 else "")
        raise ValueError(f"{name} must be uint8 (0-255) or floats in [0, 1], got floats in "
                         f"[{low:.3g}, {high:.3g}].{hint}")
    return result
