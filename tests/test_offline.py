"""Without network: every path that needs it fails with one clear message that says what is
missing and how to get it. (The smoke runs of every chapter, in test_notebooks.py, also run
with the network blocked.)"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import HANG_S
from test_cli import OFFLINE_SITE, imgclf
from test_data import SYSTEM_FASHION

# The same on every Keras backend: `make test-jax` leaves it to the TensorFlow pass.
pytestmark = pytest.mark.backend_independent


@pytest.mark.parametrize("args, says", [
    (("download", "cifar10"), "'cifar10' is not on this machine and could not be downloaded"),
    (("download", "cifar100"), "'cifar100' is not on this machine and could not be downloaded"),
    (("weights", "mobilenet"), "ImageNet weights of mobilenet (MobileNet) are not in the Keras "
                               "cache"),
    (("weights", "xception"), "ImageNet weights of xception (Xception) are not in the Keras "
                              "cache"),
])
@pytest.mark.integration
def test_what_needs_the_network_fails_clearly(args, says, tmp_path):
    done = imgclf(*args, offline=True, env={"KERAS_HOME": str(tmp_path),
                                            "IMGCLF_DATA_DIR": str(tmp_path)})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and says in done.stderr
    assert "Network is unreachable" in done.stderr
    assert f"python -m imgclf {args[0]} {args[1]}" in done.stderr  # the remedy
    left = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "keras.json"]
    assert left == [], "nothing half-downloaded is left"


def test_the_smoke_data_loads_without_network_or_home(tmp_path):
    code = "import imgclf; print(len(imgclf.data.load('sample').x_train))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": str(OFFLINE_SITE), "HOME": str(tmp_path),
                               "PATH": os.defpath}, timeout=HANG_S)
    assert done.stdout.split() == ["1200"], done.stderr[-500:]


@pytest.mark.skipif(not SYSTEM_FASHION.is_dir(), reason="Debian's dataset-fashion-mnist absent")
def test_the_quick_profiles_data_loads_without_network(tmp_path):
    code = ("import imgclf; s = imgclf.profiles.resolve('quick'); "
            "d = imgclf.data.load(s.dataset); print(s.dataset, len(d.x_train), len(d.x_test))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": str(OFFLINE_SITE), "HOME": str(tmp_path),
                               "PATH": os.defpath}, timeout=HANG_S)
    assert done.stdout.split() == ["fashion_mnist", "60000", "10000"], done.stderr[-500:]
