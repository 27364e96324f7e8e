"""imgclf is backend-neutral: importing it on JAX never imports TensorFlow."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import HANG_S, REPO

# The same on every Keras backend: `make test-jax` leaves it to the TensorFlow pass.
pytestmark = pytest.mark.backend_independent

# Imports every module of the learner's package in turn, in one process, and prints the first
# whose import brought TensorFlow in (null if none did): each import adds only what the ones
# before it did not, so the first to add TensorFlow is the one that imports it.
PROBE = """
import importlib, json, sys
names = json.loads(sys.argv[1])
for name in names:
    importlib.import_module(name)
    if "tensorflow" in sys.modules:
        print(json.dumps(name))
        break
else:
    print(json.dumps(None))
"""


def package_modules() -> list[str]:
    """Every module of imgclf but the course's tooling and `__main__` (which runs the command
    line), the package itself first."""
    found = []
    for path in sorted((REPO / "imgclf").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        if "course" in parts or parts[-1] == "__main__":
            continue
        found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(found, key=lambda name: (name != "imgclf", name))


def test_no_module_imports_tensorflow_on_jax():
    modules = package_modules()
    assert {"imgclf", "imgclf.train", "imgclf.models", "imgclf.chapters.resnet"} <= set(modules)
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(modules)],
                          env={**os.environ, "KERAS_BACKEND": "jax"}, capture_output=True,
                          text=True, timeout=HANG_S)
    assert done.returncode == 0, done.stderr[-2000:]
    first = json.loads(done.stdout.strip().splitlines()[-1])
    assert first is None, f"importing {first} on JAX imported TensorFlow"
