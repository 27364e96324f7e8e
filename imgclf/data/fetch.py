"""Moving a data set's files here: from its origin on the web, or from another folder.

Both verify every file (checksum) and land whole or not at all: files are fetched into a
scratch folder beside their destination and moved in once complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tarfile
import tempfile
import urllib.request
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


def from_origin(spec: DataSpec, root: Path, timeout_s: float = network.TIMEOUT_S) -> Path:
    """Download `spec` from `spec.origin` into `root/spec.folder`; return the folder.

    Every socket operation waits at most `timeout_s` seconds (a machine without network fails
    fast); the archive or each file is checked against its sha256; an archive is unpacked
    with tarfile's "data" filter (no links out of the folder, no absolute paths).

    Raises:
        OSError: the origin cannot be reached, or its download lacks a file.
        CorruptDataError: a download does not match its checksum.
    """
    with staging(root) as scratch:
        try:
            if spec.archive_sha256:
                archive = scratch / "archive.tar.gz"
                _download(spec.origin, archive, spec.archive_sha256, timeout_s)
                with tarfile.open(archive) as tar:
                    tar.extractall(scratch / "unpacked", filter="data")
                staged = scratch / "unpacked" / spec.folder
            else:
                for data_file in spec.files:
                    _download(spec.origin + data_file.name, scratch / data_file.name,
                              data_file.sha256, timeout_s)
                staged = scratch
        except tarfile.TarError as error:
            raise CorruptDataError(spec.origin, f"not a readable tar.gz ({error})") from None
        missing = [f.name for f in spec.files if not (staged / f.name).is_file()]
        if missing:
            raise OSError(f"the download from {spec.origin} lacks {', '.join(missing)}")
        return install(staged, spec, root)


def _download(url: str, target: Path, sha256: str | None, timeout_s: float) -> None:
    """Stream `url` into `target`, then check its sha256 (if one is given)."""
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response, \
                open(target, "wb") as out:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                digest.update(chunk)
                out.write(chunk)
    except OSError as error:  # URLError, timeouts and refused connections are OSErrors
        raise OSError(network.reason(error)) from None
    if sha256 and digest.hexdigest() != sha256:
        raise CorruptDataError(url, f"its sha256 is {digest.hexdigest()}, expected {sha256}")


def copy(spec: DataSpec, source: Path, root: Path) -> Path:
    """Copy the files of `spec` from the folder `source` to `root/spec.folder`, verified."""
    with staging(root) as scratch:
        for data_file in spec.files:
            shutil.copyfile(source / data_file.name, scratch / data_file.name)
            if data_file.sha256:
                verify_sha256(scratch / data_file.name, data_file.sha256)
        return install(scratch, spec, root)
