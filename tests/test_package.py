"""The learner's package, as pip builds it (what Colab installs): every module a chapter
imports, none of the course's tooling, and tooling commands that say where the tooling is."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import HANG_S, REPO

import imgclf
from imgclf.course import repository

# The same on every Keras backend: `make test-jax` leaves it to the TensorFlow pass.
pytestmark = pytest.mark.backend_independent

IMPORT = re.compile(r"^\s*(?:from|import)\s+(imgclf(?:\.\w+)*)", re.M)
# Runs `python -m imgclf ARGS` as if imgclf were installed from the wheel only: without the
# editable install's finder (make installs the checkout in editable mode into .venv).
FROM_WHEEL = """
import runpy, sys
sys.meta_path[:] = [f for f in sys.meta_path
                    if "__editable__" not in str(getattr(f, "__module__", ""))]
sys.argv = ["imgclf", *sys.argv[1:]]
runpy.run_module("imgclf", run_name="__main__", alter_sys=True)
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel pip builds from the repository's files as a clone has them (a copy, so no
    build folder of an earlier build can slip stale modules in)."""
    clone, out = tmp_path_factory.mktemp("clone"), tmp_path_factory.mktemp("wheel")
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    for name in listed:
        if (REPO / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, clone / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-v", "-w", str(out), str(clone)],
                          capture_output=True, text=True, timeout=HANG_S)
    assert done.returncode == 0, done.stderr[-2000:]
    [built] = out.glob("imgclf-*.whl")
    return built, done.stdout + done.stderr


def test_the_wheel_builds_without_a_deprecation_and_with_its_metadata(wheel):
    """setuptools >= 77 builds it without a warning (the old license table stops being
    supported in 2027), with the version of imgclf.__version__ and the SPDX licence."""
    built, log = wheel
    assert "Deprecat" not in log, [line for line in log.splitlines() if "Deprecat" in line]
    with zipfile.ZipFile(built) as archive:
        [metadata] = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        fields = archive.read(metadata).decode()
    assert f"Version: {imgclf.__version__}\n" in fields
    assert "License-Expression: MIT\n" in fields
    assert "License-File: LICENSE\n" in fields
    assert f"Project-URL: Documentation, {repository.configured(REPO).book}" in fields


def test_the_wheel_holds_what_the_chapters_import_and_not_the_tooling(wheel):
    files = set(zipfile.ZipFile(wheel[0]).namelist())
    assert not [f for f in files if f.startswith("imgclf/course")]
    imported = {m for source in (REPO / "notebooks").glob("[0-9][0-9]-*.md")
                for m in IMPORT.findall(source.read_text())}
    assert {"imgclf", "imgclf.runs", "imgclf.models"} <= imported
    for module in imported:
        path = module.replace(".", "/")
        assert f"{path}.py" in files or f"{path}/__init__.py" in files, module
    assert "imgclf/data/sample.npz" in files
    # The seed records the chapters' sentences read in Colab, every one committed.
    committed = {str(path.relative_to(REPO))
                 for path in (REPO / "imgclf" / "spread").rglob("*.json")}
    assert committed and committed <= files


def test_a_tooling_command_of_the_installed_package_says_where_the_tooling_is(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel[0]).extractall(site)
    environment = {**os.environ, "PYTHONPATH": str(site)}

    def imgclf(*args):
        return subprocess.run([sys.executable, "-c", FROM_WHEEL, *args], capture_output=True,
                              text=True, env=environment, cwd=tmp_path, timeout=HANG_S)

    done = imgclf("--version")
    assert done.returncode == 0 and "imgclf 0." in done.stdout
    done = imgclf("run-notebooks", "--profile", "smoke")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "run-notebooks is part of the course's tooling (imgclf/course), which is in a " \
           "clone" in done.stderr
    done = imgclf("settings", "--profile", "smoke", "--field", "dataset")
    assert done.stdout.strip() == "sample", "the learner's commands work from the wheel"
