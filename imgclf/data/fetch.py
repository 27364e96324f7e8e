"""Downloads through Keras, verified by checksum, and copies; both land whole or not at all."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from imgclf import network
from imgclf.data.formats import CorruptDataError, verify_sha256
from imgclf.data.registry import DataSpec


@contextlib.contextmanager
def staging(root: Path) -> Iterator[Path]:
    """A scratch folder inside `root` (same file system, so moves out of it are atomic)."""
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".imgclf-partial-") as scratch:
        yield Path(scratch)


def install(staged: Path, spec: DataSpec, root: Path) -> Path:
    """Move the complete files of `spec` from `staged` into `root/spec.folder`.

    Each file replaces its destination atomically, so an interrupted install leaves either the
    old file or the new one, never part of one.
    """
    destination = root / spec.folder
    destination.mkdir(parents=True, exist_ok=True)
    for data_file in spec.files:
        (staged / data_file.name).replace(destination / data_file.name)
    return destination


def download(spec: DataSpec, root: Path) -> Path:
    """Download `spec` into `root/spec.folder` through `keras.utils.get_file`; return the folder.

    Raises OSError when the network cannot be reached, CorruptDataError (a ValueError) when
    a download does not match its checksum.
    """
    from keras.utils import get_file

    with staging(root) as scratch, network.bounded():
        try:
            staged = _get_files(spec, scratch, get_file)
        except ValueError as error:  # Keras's word for a checksum mismatch
            raise CorruptDataError(spec.origin, str(error)) from None
        except Exception as error:  # Keras wraps every URL failure in a bare Exception
            raise OSError(network.reason(error)) from None
        missing = [f.name for f in spec.files if not (staged / f.name).is_file()]
        if missing:
            raise OSError(f"the download from {spec.origin} lacks {', '.join(missing)}")
        return install(staged, spec, root)


def _get_files(spec: DataSpec, scratch: Path, get_file) -> Path:
    """Fetch the files of `spec` into `scratch`; return the folder that holds them."""
    if spec.archive_sha256:
        extracted = get_file(
            fname="archive.tar.gz", origin=spec.origin, file_hash=spec.archive_sha256,
            cache_dir=str(scratch), cache_subdir="", extract=True,
        )
        return Path(extracted) / spec.folder
    for data_file in spec.files:
        get_file(
            fname=data_file.name, origin=spec.origin + data_file.name,
            file_hash=data_file.sha256, cache_dir=str(scratch), cache_subdir="",
        )
    return scratch


def copy(spec: DataSpec, source: Path, root: Path) -> Path:
    """Copy the files of `spec` from the folder `source` to `root/spec.folder`, verified."""
    with staging(root) as scratch:
        for data_file in spec.files:
            shutil.copyfile(source / data_file.name, scratch / data_file.name)
            if data_file.sha256:
                verify_sha256(scratch / data_file.name, data_file.sha256)
        return install(scratch, spec, root)
