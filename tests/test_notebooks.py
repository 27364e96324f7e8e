"""Every notebook, executed in the smoke profile, and the book built from those executions."""

from __future__ import annotations

import json
import math
import re

import pytest
from conftest import REPO

from imgclf import book
from imgclf.runs import notebook_sources, run_notebooks

pytestmark = pytest.mark.slow
SOURCES = notebook_sources(REPO / "notebooks")


@pytest.fixture(scope="session")
def smoke_runs(tmp_path_factory):
    """Execute every notebook once in the smoke profile; the records and executed notebooks."""
    out = tmp_path_factory.mktemp("runs")
    records = {r["notebook"]: r for r in run_notebooks("smoke", out, folder=REPO / "notebooks")}
    return out, records


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_runs_in_the_smoke_profile_under_a_minute(smoke_runs, source):
    out, records = smoke_runs
    record = records[source.stem]
    assert record["profile"] == "smoke" and record["dataset"] == "sample"
    assert record["seconds"] < 60
    assert record["metrics"] and all(math.isfinite(v) for v in record["metrics"].values())
    for name, value in record["metrics"].items():
        if "accuracy" in name:
            assert 0.0 <= value <= 1.0
    assert record["versions"]["keras"] and "cpu" in record["hardware"]
    executed = json.loads((out / f"{source.stem}.ipynb").read_text())
    outputs = [o for c in executed["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)


def test_book_builds_with_warnings_as_errors(smoke_runs, tmp_path):
    out, _ = smoke_runs
    index = book.build(out, root=REPO, output=tmp_path)
    html = index.parent
    assert index.is_file()
    for source in SOURCES:
        page = (html / "notebooks" / f"{source.stem}.html").read_text()
        images = re.findall(r'<img[^>]+src="([^"]+)"', page)
        figures = [src for src in images if "_images/" in src]
        assert figures, "the chapter shows its figures"
        for src in figures:
            assert (html / "notebooks" / src).resolve().is_file(), src
        colab = re.findall(r'https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/main/'
                           r'([^"]+\.ipynb)', page)
        assert colab == [f"notebooks/{source.stem}.ipynb"] * len(colab) and colab
        assert (REPO / colab[0]).is_file()
        assert "google.colab" not in page, "the install cell is hidden from the HTML"
        assert "dropdown" in page and "solution" in page
