"""Colab's published software stack, as the Colab imitation installs it.

Google publishes what a Colab runtime holds in the repository googlecolab/backend-info:
`pip-freeze.gpu.txt` (the GPU runtime a chapter asks for) and `os-info-gpu.txt` (its Python).
`requirements/colab.txt` is that freeze as pip constraints, with its source and date in the
header: every `name==version` line, less what pip cannot take from PyPI (`name @ URL` lines)
and the packaging tools (`UNCONSTRAINED`). `make test-nbval` builds an environment on Python
3.13 under those constraints and runs every Colab notebook in it (`imgclf.course.colablike`).

`differences` compares the committed file with a fresh freeze: the weekly workflow
(`.github/workflows/colab-stack.yml`) fails when Colab's versions moved.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

REQUIREMENTS = Path("requirements") / "colab.txt"
SOURCE = "https://github.com/googlecolab/backend-info/blob/main/pip-freeze.gpu.txt"
PINNED = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)$")
#: Not constrained: Colab's pip builds imgclf in an isolated environment with the newest
#: setuptools from PyPI, which the imitation (no package index) must hold itself.
UNCONSTRAINED = ("pip", "setuptools", "wheel")
#: The libraries whose versions the course's results depend on; the header names them.
WATCHED = ("tensorflow", "keras", "numpy", "matplotlib")
#: The Python minor version of the runtime; `python313` finds an interpreter of it here.
PYTHON = "3.13"


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(freeze: str) -> dict[str, str]:
    """{normalised name: version} of every `name==version` line of a pip freeze or of
    `requirements/colab.txt`, less `UNCONSTRAINED`.

    Raises:
        ValueError: no such line at all (not a pip freeze).
    """
    found = {_key(m["name"]): m["version"] for line in freeze.splitlines()
             if (m := PINNED.match(line.strip()))}
    if not found:
        raise ValueError("no name==version line: this is not a pip freeze (expected Colab's "
                         f"pip-freeze.gpu.txt, from {SOURCE})")
    return {name: version for name, version in found.items() if name not in UNCONSTRAINED}


def requirements(freeze: str, date: str, python: str) -> str:
    """The text of `requirements/colab.txt` for Colab's `freeze`, published on `date`
    (YYYY-MM-DD) for a runtime of Python `python`."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise ValueError(f"date must be YYYY-MM-DD, got {date!r}")
    if not re.fullmatch(r"3\.\d+(\.\d+)?", python):
        raise ValueError(f"python must be a version such as 3.13.15, got {python!r}")
    pinned = pins(freeze)
    missing = [name for name in WATCHED if name not in pinned]
    if missing:
        raise ValueError(f"Colab's freeze lists no {', '.join(missing)}: expected "
                         f"{', '.join(WATCHED)} among its name==version lines")
    watched = ", ".join(f"{name} {pinned[name]}" for name in WATCHED)
    header = [
        "# Colab's GPU runtime, as pip constraints for the Colab imitation (make test-nbval).",
        f"# Source: {SOURCE}",
        f"# Published: {date}; Python {python}; {watched}.",
        f"# Left out: lines pip cannot take from PyPI (name @ URL) and {', '.join(UNCONSTRAINED)}",
        "# (Colab's pip builds imgclf with the newest setuptools from PyPI).",
        "# Regenerate: python -m imgclf.course colab-stack --freeze pip-freeze.gpu.txt "
        "--date YYYY-MM-DD --python X.Y.Z --write",
    ]
    return "\n".join(header + [f"{name}=={version}" for name, version in sorted(pinned.items())]
                     ) + "\n"


def published(text: str) -> dict[str, str]:
    """The date and Python version a committed `requirements/colab.txt` names."""
    found = re.search(r"^# Published: (?P<date>[\d-]+); Python (?P<python>[\d.]+);", text, re.M)
    if not found:
        raise ValueError(f"{REQUIREMENTS} has no '# Published: DATE; Python X.Y.Z;' line: "
                         f"regenerate it (python -m imgclf.course colab-stack --write)")
    return {"date": found["date"], "python": found["python"]}


def differences(committed: str, freeze: str) -> list[str]:
    """One line per package whose version in Colab's fresh `freeze` differs from the
    committed constraints ("keras: 3.13.2 -> 3.14.0"), added or removed; the watched ones
    first. Empty when they agree."""
    old, new = pins(committed), pins(freeze)
    lines = []
    for name in sorted(old.keys() | new.keys(), key=lambda n: (n not in WATCHED, n)):
        if old.get(name) != new.get(name):
            lines.append(f"{name}: {old.get(name, 'absent')} -> {new.get(name, 'absent')}")
    return lines


def python313() -> Path | None:
    """A Python 3.13 interpreter: $PYTHON313, else pyenv's newest 3.13, else `python3.13` on
    PATH; None where there is none."""
    named = os.environ.get("PYTHON313")
    if named:
        return Path(named)
    root = os.environ.get("PYENV_ROOT") or (subprocess.run(
        ["pyenv", "root"], capture_output=True, text=True).stdout.strip()
        if shutil.which("pyenv") else "")
    if root:
        found = sorted((Path(root) / "versions").glob(f"{PYTHON}.*/bin/python{PYTHON}"),
                       key=lambda p: [int(x) for x in p.parent.parent.name.split(".")[2:3]
                                      if x.isdigit()])
        if found:
            return found[-1]
    on_path = shutil.which(f"python{PYTHON}")
    return Path(on_path) if on_path else None
