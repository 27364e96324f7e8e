"""imgclf is backend-neutral: importing it on JAX never imports TensorFlow."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# The same on every Keras backend: `make test-jax` leaves it to the TensorFlow pass.
pytestmark = pytest.mark.backend_independent

MODULES = ["imgclf", "imgclf.data", "imgclf.profiles", "imgclf.viz", "imgclf.models",
           "imgclf.check", "imgclf.runs", "imgclf.scenes", "imgclf.schedules", "imgclf.cli",
           "imgclf.analysis", "imgclf.network", "imgclf.train", "imgclf.augment",
           "imgclf.distribute", "imgclf.checkpoints", "imgclf.hardware"]


@pytest.mark.parametrize("module", MODULES)
def test_no_tensorflow_on_jax(module):
    code = f"import sys, {module}; assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
