"""Where a data set's files are looked for, in order, and what was found in each place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from imgclf.data.registry import DataSpec

DATA_DIR_VARIABLE = "IMGCLF_DATA_DIR"


class DataNotFoundError(FileNotFoundError):
    """A data set is in none of the places looked in and could not be downloaded."""


def keras_datasets_dir() -> Path:
    """Keras's download cache, `$KERAS_HOME/datasets` (default `~/.keras/datasets`)."""
    home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(home) / "datasets"


@dataclass(frozen=True)
class Place:
    """A folder that may hold a data set's files, and why it is looked in."""

    folder: Path
    kind: str  # "IMGCLF_DATA_DIR", "Keras cache" or "system"

    def missing(self, spec: DataSpec) -> list[str]:
        """The names of `spec`'s files that are not in this folder."""
        return [f.name for f in spec.files if not (self.folder / f.name).is_file()]

    def describe(self, spec: DataSpec) -> str:
        """One line: the folder and what is there."""
        missing = self.missing(spec)
        if len(missing) == len(spec.files):
            state = "not there"
        elif missing:
            state = f"incomplete, missing {', '.join(missing)}"
        else:
            state = "complete"
        return f"{self.folder}  [{self.kind}: {state}]"


def places(spec: DataSpec) -> list[Place]:
    """Every folder to look in for `spec` (an `imgclf.data.spec(name)`), in the order they
    are tried."""
    if not isinstance(spec, DataSpec):
        raise TypeError(f"spec must be a DataSpec (imgclf.data.spec(name)), got "
                        f"{type(spec).__name__}")
    found = []
    data_dir = os.environ.get(DATA_DIR_VARIABLE)
    if data_dir:
        found.append(Place(Path(data_dir) / spec.folder, DATA_DIR_VARIABLE))
    cache = keras_datasets_dir()
    found += [Place(cache / sub, "Keras cache") for sub in spec.keras_cache_folders]
    found += [Place(Path(folder), "system") for folder in spec.system_folders]
    return found


def find(spec: DataSpec) -> Place | None:
    """The first place that holds every file of `spec`, or None."""
    return next((place for place in places(spec) if not place.missing(spec)), None)


def not_found_message(spec: DataSpec, download_error: str | None) -> str:
    """The message for a data set found nowhere: where it looked and how to get it."""
    looked = [place.describe(spec) for place in places(spec)]
    if not os.environ.get(DATA_DIR_VARIABLE):
        looked.insert(0, f"${DATA_DIR_VARIABLE}/{spec.folder}  [not set]")
    if download_error:
        looked.append(f"download from {spec.origin}  [failed: {download_error}; no network?]")
    files = ", ".join(f.name for f in spec.files)
    lines = [
        f"Data set {spec.name!r} is not on this machine"
        + (" and could not be downloaded." if download_error else "."),
        "Looked in:",
        *(f"  - {line}" for line in looked),
        "To get it:",
        f"  - on a machine with network: python -m imgclf download {spec.name} --to DIR,",
        f"    then copy DIR here and set {DATA_DIR_VARIABLE}=DIR;",
        f"  - or put the Keras files ({files}) in ${DATA_DIR_VARIABLE}/{spec.folder or '.'}",
    ]
    if spec.install_hint:
        lines.append(f"  - or install it: {spec.install_hint}")
    return "\n".join(lines)
