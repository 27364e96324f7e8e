"""Which finished runs can be reused: a run is keyed on everything its outcome depends on."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import imgclf
from imgclf import hardware
from imgclf.profiles import Settings, resolve


def installed_versions() -> list[str]:
    """"name==version" of every installed distribution, sorted: a lock bump changes it."""
    found = {f"{d.metadata['Name']}=={d.version}".lower() for d in metadata.distributions()
             if d.metadata["Name"]}
    return sorted(found)


def inputs_digest(source: Path, profile: str, dataset: str | None = None,
                  versions: list[str] | None = None, settings: Settings | None = None) -> str:
    """A sha256 of what a run's outcome depends on: the notebook's source, the code of the
    imgclf package, the settings the profile resolves to, the Keras backend, and the
    installed libraries and their versions (`versions`, default `installed_versions()`), and
    a precision forced by `$IMGCLF_PRECISION`. `settings`: the profile's, when the caller
    resolved them already."""
    import keras

    digest = hashlib.sha256(Path(source).read_bytes())
    package = Path(imgclf.__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    settings = asdict(settings or resolve(profile, dataset))
    versions = installed_versions() if versions is None else versions
    forced = os.environ.get(hardware.PRECISION_VARIABLE) or None
    digest.update(json.dumps([settings, keras.config.backend(), versions, forced],
                             sort_keys=True).encode())
    return digest.hexdigest()


def reusable(source: Path, out_dir: Path, digest: str) -> dict | None:
    """The record of an earlier, finished run of `source` in `out_dir` with the same inputs,
    or None. A record that cannot be read, or whose executed notebook is missing, is not
    reused: the notebook runs again."""
    name = Path(source).stem
    try:
        record = json.loads((Path(out_dir) / f"{name}.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("inputs_sha256") != digest:
        return None
    return record if (Path(out_dir) / f"{name}.ipynb").is_file() else None
