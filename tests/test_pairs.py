"""The notebook pairs: the .md source and the committed .ipynb agree, and the .ipynb is clean."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
from unittest import mock

import jupytext
import pytest
import yaml
from conftest import REPO

import imgclf
from imgclf.course import repository
from imgclf.course.execute import notebook_sources
from imgclf.course.pairs import CHECKED_TAG, tags

# The same on every Keras backend: `make test-jax` leaves it to the TensorFlow pass.
pytestmark = pytest.mark.backend_independent

SOURCES = notebook_sources(REPO / "notebooks")


def committed(source):
    return json.loads(source.with_suffix(".ipynb").read_text())


def cell_text(cell):
    text = cell["source"]
    return ("".join(text) if isinstance(text, list) else text).strip()


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_md_and_ipynb_hold_the_same_cells(source):
    assert source.with_suffix(".ipynb").is_file(), f"{source} has no paired .ipynb: make sync"
    md = jupytext.read(source).cells
    ipynb = committed(source)["cells"]
    assert [(c["cell_type"], cell_text(c), tags(c)) for c in md] == [
        (c["cell_type"], cell_text(c), tags(c)) for c in ipynb
    ], f"{source.name} and its .ipynb differ: run `make sync`"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_committed_outputs_only_in_checked_cells(source):
    for cell in committed(source)["cells"]:
        if cell["cell_type"] != "code":
            continue
        if CHECKED_TAG in tags(cell):
            assert cell["outputs"], f"checked cell without reference output: {cell_text(cell)[:80]}"
        else:
            assert not cell["outputs"], f"output outside a checked cell: {cell_text(cell)[:80]}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_first_cell_installs_imgclf_in_colab_only(source):
    first = jupytext.read(source).cells[0]
    assert first["cell_type"] == "code" and "remove-cell" in tags(first)
    assert repository.configured(REPO).install in first["source"]
    with mock.patch.object(subprocess, "run") as run:
        exec(first["source"], {})
    run.assert_not_called()
    # The runtime's line (imgclf.profiles.runtime_report, tested in test_profiles and in the
    # Colab imitation) stands in here: the real one would import TensorFlow.
    with mock.patch.dict("sys.modules", {"google.colab": mock.MagicMock()}), \
            mock.patch.object(subprocess, "run") as run, \
            mock.patch("imgclf.profiles.runtime_report", return_value="the runtime's line"), \
            contextlib.redirect_stdout(io.StringIO()) as printed:
        run.return_value.returncode = 0
        exec(first["source"], {})
    command = run.call_args.args[0]
    assert repository.configured(REPO).install == command[-1] and "-c" in command
    assert printed.getvalue().splitlines()[-1] == "the runtime's line"
    with mock.patch.dict("sys.modules", {"google.colab": mock.MagicMock()}), \
            mock.patch.object(subprocess, "run") as run:
        run.return_value.returncode, run.return_value.stderr = 1, "ResolutionImpossible"
        with pytest.raises(RuntimeError, match="nothing was replaced. pip said:\nResolutionI"):
            exec(first["source"], {})


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_header_parameters_and_exercises(source):
    cells = jupytext.read(source).cells
    assert cells[1]["source"].startswith("# "), "the title comes right after the install cell"
    for part in ("**What.**", "**Why.**", "**How long.**"):
        assert part in cells[1]["source"]
    parameters = [c for c in cells if "parameters" in tags(c)]
    assert len(parameters) == 1
    names = {}
    exec(parameters[0]["source"], names)
    assert names["profile"] == "auto" and names["dataset"] is None and "seed" in names
    text = source.read_text()
    exercises = re.findall(r"```\{exercise\}", text)
    assert len(exercises) >= 2
    assert len(re.findall(r"```\{solution-start\}", text)) == len(exercises)
    assert "check.answer(" in text


def test_every_notebook_is_in_the_table_of_contents_and_the_repository_is_one():
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    files = [ch["file"] for part in toc["parts"] for ch in part["chapters"]] + [toc["root"]]
    for source in SOURCES:
        assert f"notebooks/{source.stem}" in files
    for name in files:
        assert (REPO / f"{name}.md").is_file(), name
    config = yaml.safe_load((REPO / "_config.yml").read_text())
    assert config["repository"]["url"] == imgclf.REPOSITORY
    assert f'Homepage = "{imgclf.REPOSITORY}"' in (REPO / "pyproject.toml").read_text()
