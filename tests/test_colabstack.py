"""Colab's published stack (imgclf.course.colabstack): the constraints the Colab imitation
installs, and the comparison the weekly workflow makes."""

from __future__ import annotations

import sys

import pytest
from conftest import REPO

from imgclf.course import colablike, colabstack

pytestmark = pytest.mark.backend_independent

FREEZE = """# Do not modify this file directly
absl-py==1.4.0
google-colab @ file:///colabtools/dist/google_colab-1.0.0.tar.gz
keras==3.13.2
matplotlib==3.10.0
numpy==2.1.3
pip==24.1.2
setuptools==75.2.0
tensorflow==2.20.0
typing_extensions==4.15.0
"""


def test_requirements_keep_every_pypi_pin_but_the_packaging_tools():
    text = colabstack.requirements(FREEZE, "2026-08-19", "3.13.15")
    assert colabstack.pins(text) == {"absl-py": "1.4.0", "keras": "3.13.2",
                                     "matplotlib": "3.10.0", "numpy": "2.1.3",
                                     "tensorflow": "2.20.0", "typing-extensions": "4.15.0"}
    assert "google-colab" not in text and "setuptools==" not in text
    assert colabstack.published(text) == {"date": "2026-08-19", "python": "3.13.15"}
    assert "tensorflow 2.20.0, keras 3.13.2, numpy 2.1.3, matplotlib 3.10.0" in text


def test_differences_name_what_moved_watched_packages_first():
    committed = colabstack.requirements(FREEZE, "2026-08-19", "3.13.15")
    assert colabstack.differences(committed, FREEZE) == []
    moved = FREEZE.replace("keras==3.13.2", "keras==3.16.0").replace(
        "absl-py==1.4.0\n", "").replace("setuptools==75.2.0", "setuptools==80.0.0")
    assert colabstack.differences(committed, moved) == ["keras: 3.13.2 -> 3.16.0",
                                                        "absl-py: 1.4.0 -> absent"]


@pytest.mark.parametrize("freeze, date, python, message", [
    ("nothing pinned here\n", "2026-08-19", "3.13.15", "not a pip freeze"),
    (FREEZE.replace("keras==3.13.2\n", ""), "2026-08-19", "3.13.15", "lists no keras"),
    (FREEZE, "19 August", "3.13.15", "date must be YYYY-MM-DD"),
    (FREEZE, "2026-08-19", "three", "python must be a version"),
])
def test_requirements_refuse_what_is_not_colabs_freeze(freeze, date, python, message):
    with pytest.raises(ValueError, match=message):
        colabstack.requirements(freeze, date, python)


def test_the_committed_requirements_name_colabs_source_and_versions():
    text = (REPO / colabstack.REQUIREMENTS).read_text()
    published = colabstack.published(text)
    assert published["python"].startswith(colabstack.PYTHON + ".")
    assert set(colabstack.WATCHED) <= set(colabstack.pins(text))
    assert colabstack.SOURCE in text


def test_python313_is_found_from_the_variable_first(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHON313", str(tmp_path / "python3.13"))
    assert colabstack.python313() == tmp_path / "python3.13"


def test_a_stack_of_other_versions_is_refused(tmp_path):
    """This environment's own versions are not Colab's (our pins differ), and check_stack
    says which."""
    found = colablike.stack_versions(sys.executable)
    wanted = colabstack.pins((REPO / colabstack.REQUIREMENTS).read_text())
    if all(found[name] == wanted[name] for name in colabstack.WATCHED) and \
            found["python"].startswith(colabstack.PYTHON + "."):
        pytest.skip("this environment happens to be Colab's stack")
    with pytest.raises(RuntimeError, match="is not Colab's stack"):
        colablike.check_stack(REPO, sys.executable)


def test_the_python_classifiers_run_from_the_oldest_claimed_to_colabs():
    """pyproject's "Programming Language :: Python :: 3.X" classifiers name every minor
    version from requires-python's floor (what CI and the floors run) to Colab's."""
    import re
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    oldest = int(re.match(r">=\s*3\.(\d+)", project["requires-python"])[1])
    newest = int(colabstack.PYTHON.split(".")[1])
    named = {int(m[1]) for c in project["classifiers"]
             if (m := re.fullmatch(r"Programming Language :: Python :: 3\.(\d+)", c))}
    assert named == set(range(oldest, newest + 1))
