"""Every notebook, executed in the smoke profile, and the book built from those executions."""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from pathlib import Path

import jupytext
import pytest
from conftest import REPO

from imgclf import diagram, plans, profiles
from imgclf.course import book, colab, colablike, sitecheck
from imgclf.course.execute import notebook_sources

pytestmark = pytest.mark.slow
SOURCES = notebook_sources(REPO / "notebooks")


#: The Python of an environment with Colab's versions (make test's .venv-colab); without it the
#: chapters run over this environment's packages.
COLAB_STACK = "IMGCLF_COLAB_STACK"


@pytest.fixture(scope="session")
def colab_run(tmp_path_factory):
    """Every chapter executed once, in the smoke profile, as Colab runs it
    (`colablike.run_chapters`: over Colab's stack when $IMGCLF_COLAB_STACK names it, imgclf
    installed by the chapter's own install cell from a clone), with the network blocked in the
    kernels (tests/offline). Everything below reads this one execution: (the environment, the
    folder of executed notebooks and records, the records by chapter, the stack or None)."""
    stack = os.environ.get(COLAB_STACK)
    if stack:
        print(colablike.check_stack(REPO, Path(stack)))
    elif os.environ.get("IMGCLF_REQUIRE_TOOLS") == "1":
        pytest.fail(f"no ${COLAB_STACK}: make test-package builds Colab's stack and names it")
    out = tmp_path_factory.mktemp("runs")
    colab, records = colablike.run_chapters(REPO, tmp_path_factory.mktemp("colab"), out,
                                            Path(stack) if stack else None,
                                            pythonpath=(REPO / "tests" / "offline",))
    return colab, out, {r["notebook"]: r for r in records}, stack


@pytest.fixture(scope="session")
def smoke_runs(colab_run):
    """The executed notebooks' folder and the records by chapter, of `colab_run`."""
    _, out, records, _ = colab_run
    return out, records


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_runs_in_the_smoke_profile(smoke_runs, source):
    out, records = smoke_runs
    record = records[source.stem]
    assert record["profile"] == "smoke" and record["dataset"] == "sample"
    assert record["metrics"] and all(math.isfinite(v) for v in record["metrics"].values())
    for name, value in record["metrics"].items():
        if "accuracy" in name:
            assert 0.0 <= value <= 1.0
    assert record["versions"]["keras"] and "cpu" in record["hardware"]
    executed = json.loads((out / f"{source.stem}.ipynb").read_text())
    if source.stem == "08-transfer-learning":  # without network: a note, not the predictions
        text = json.dumps(executed)
        assert "Not shown here: The ImageNet weights of mobilenet" in text
        assert "Network is unreachable (blocked by tests/offline)" in text
    outputs = [o for c in executed["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    # Every solution's self-check, the experiments' included, accepts the solution's result.
    rejected = [o for o in outputs if "Not yet." in json.dumps(o)]
    assert not rejected, f"a solution's self-check rejects its own result: {rejected}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_each_chapter_trains_what_its_plan_says(smoke_runs, source):
    """Every training the notebook ran (its record's "trainings", from
    `imgclf.runs.RecordTraining`) is one of its plan's trainings, and every trained network of
    the plan ran: the plan the cost model prices is the chapter's real one. Networks are told
    apart by parameters, steps per epoch (images over batch size) and epochs."""
    _, records = smoke_runs
    plan = plans.chapter(source.stem, profiles.resolve("smoke"))
    planned = Counter((t.parameters, math.ceil(t.images / t.batch_size), t.epochs)
                      for t in plan.trainings if t.epochs)
    ran = Counter((r["parameters"], r["steps"], r["epochs"])
                  for r in records[source.stem]["trainings"])
    assert ran == planned, f"ran but not planned: {ran - planned}; planned but not run: " \
                           f"{planned - ran}"


def figure_cells(executed: dict) -> list[dict]:
    """The code cells of an executed notebook that showed an image."""
    return [cell for cell in executed["cells"] if cell["cell_type"] == "code"
            and any("image/png" in o.get("data", {}) for o in cell["outputs"])]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_figure_is_numbered_captioned_and_a_network_is_drawn(smoke_runs, source):
    """Each figure a chapter shows has a numbered caption (the cell's mystnb.figure: a name and
    a caption); every {numref} names one of them; each chapter draws at least one network from
    its model (imgclf.diagram.architecture) and refers to that drawing in its text."""
    out, _ = smoke_runs
    executed = json.loads((out / f"{source.stem}.ipynb").read_text())
    shown = figure_cells(executed)
    assert shown
    for cell in shown:
        figure = cell["metadata"].get("mystnb", {}).get("figure", {})
        assert figure.get("name", "").startswith("fig-") and len(figure.get("caption", "")) > 40, \
            f"a figure without a numbered caption: {''.join(cell['source'])[:120]}"
    text = source.read_text()
    named = colab.figures(jupytext.read(source).cells)
    referenced = set(colab.NUMREF.findall(text))
    assert referenced <= set(named), f"numref to no figure: {referenced - set(named)}"
    drawn = [cell for cell in shown if re.search(r"diagram\.(architecture|side_by_side)\(",
                                                 "".join(cell["source"]))]
    assert drawn, "no architecture diagram"
    assert any(cell["metadata"]["mystnb"]["figure"]["name"] in referenced for cell in drawn)
    # Every diagram reads in the book's column: no wider than it (so its text keeps the
    # diagram's own size, at least 8 pt), at most 7 in tall, and none broke a rule as drawn.
    for cell in drawn:
        name = cell["metadata"]["mystnb"]["figure"]["name"]
        assert "IllegibleDiagramWarning" not in json.dumps(cell["outputs"]), name
        for output in cell["outputs"]:
            if "image/png" in output.get("data", {}):
                width, height, dpi = png_size(output["data"]["image/png"])
                assert width <= diagram.COLUMN_PX, f"{name} is {width} px wide"
                assert height / dpi <= diagram.MAX_HEIGHT_IN + 0.05, f"{name}: {height} px"


def png_size(encoded: str) -> tuple[int, int, float]:
    """(width, height, dots per inch) of a base64 PNG, read from its IHDR and pHYs chunks
    (matplotlib writes the figure's dpi there)."""
    import base64
    import struct

    data = base64.b64decode(encoded)
    width, height = struct.unpack(">II", data[16:24])
    at = data.find(b"pHYs")
    per_metre = struct.unpack(">I", data[at + 4:at + 8])[0] if at > 0 else 3937
    return width, height, per_metre * 0.0254


def test_the_student_edition_is_staged_without_the_solutions(smoke_runs, tmp_path):
    """`make student`'s pages: every chapter's exercises, none of its solutions (staging only;
    the HTML build is the same as the book's, tested above)."""
    out, _ = smoke_runs
    site = book.stage(out, REPO, tmp_path / "site", student=True)
    for source in SOURCES:
        staged = json.loads((site / "notebooks" / f"{source.stem}.ipynb").read_text())
        text = json.dumps(staged)
        assert "{solution-start}" not in text and "{solution-end}" not in text, source.stem
        assert text.count("{exercise}") == source.read_text().count("```{exercise}")


@pytest.fixture(scope="session")
def built_book(smoke_runs, tmp_path_factory):
    """The HTML book built from the smoke runs: the path of its index.html."""
    out, _ = smoke_runs
    return book.build(out, root=REPO, output=tmp_path_factory.mktemp("book"))


def test_book_builds_with_warnings_as_errors(built_book):
    index = built_book
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
        assert colab == [f"colab/{source.stem}.ipynb"] * len(colab) and colab
        assert (REPO / colab[0]).is_file()
        assert "google.colab" not in page, "the install cell is hidden from the HTML"
        assert "dropdown" in page and "solution" in page


def test_site_in_a_real_browser(smoke_runs, built_book):
    """Every page in headless Chromium at 1280 px: no console or script errors, no request off
    the local files, every image loaded, every internal link and anchor found, every Colab
    button on a committed notebook, no code cut off, no injected parameters cell, and no
    serious or critical accessibility violation (axe-core). A screenshot of chapter 6 is kept
    for CI's artifacts."""
    try:
        sitecheck.chromium()
    except sitecheck.BrowserUnavailableError as error:
        if os.environ.get("IMGCLF_REQUIRE_TOOLS") == "1":
            raise
        pytest.skip(str(error))
    if sitecheck.axe_script(REPO) is None and os.environ.get("IMGCLF_REQUIRE_TOOLS") == "1":
        pytest.fail("axe-core is missing: make browser installs it with npm")
    shot = REPO / "_build" / "artifacts" / "06-inception.png"
    report = sitecheck.check(built_book.parent, REPO, ("notebooks/06-inception.html", shot))
    print(report.summary())
    assert report.problems == []
    assert report.axe or os.environ.get("IMGCLF_REQUIRE_TOOLS") != "1"
    chapters = {f"colab/{source.stem}.ipynb" for source in SOURCES}
    assert set(report.colab_targets) == chapters
    # Each chapter states its objectives, and its first uses of terms link to the glossary
    # (each link is one of the internal links checked above).
    assert set(report.objectives) >= {f"notebooks/{source.stem}.html" for source in SOURCES}
    terms = sum(len(colab.TERM.findall(source.read_text())) for source in SOURCES)
    assert report.glossary_links >= terms > 0
    assert report.pages >= len(SOURCES) + 4 and report.images >= len(SOURCES)
    assert report.internal_links > 10 * report.pages
    assert shot.stat().st_size > 10_000
    out, _ = smoke_runs
    for source in SOURCES:  # every figure of a chapter, numbered in order, as the browser sees it
        executed = json.loads((out / f"{source.stem}.ipynb").read_text())
        count, first = len(figure_cells(executed)), colab.first_figure(source)
        assert report.figures.get(f"notebooks/{source.stem}.html") == \
            [f"Fig. {n}" for n in range(first, first + count)], source.stem


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_the_colab_notebook_gives_its_checked_outputs(smoke_runs, source):
    """The cells tagged nbval-check-output give the outputs committed in the Colab notebook
    (and its pair), compared as nbval compares them. The Colab notebook's code is the
    chapter's outside the solutions (test_colab), and none of it needs a solution
    (`colab.needs_a_solution`): this execution is the one Run all would do, solutions added."""
    out, _ = smoke_runs
    executed = json.loads((out / f"{source.stem}.ipynb").read_text())
    committed = json.loads(colab.colab_notebook(source).read_text())
    assert colablike.checked_differences(executed, committed) == []


def test_the_chapters_ran_as_in_colab(colab_run):
    """imgclf came from the install cell (a plain install of the clone's commit, not this
    checkout), the kernels ran Colab's versions (when make test built the stack), and on a
    runtime without a GPU the install cell says so and how to get one."""
    colab, _, records, stack = colab_run
    variables = colablike.environment_variables()
    print(colablike.installed(colab, variables))
    print(colablike.told_without_gpu(colab, variables))
    if stack:
        versions = colablike.stack_versions(stack)
        for record in records.values():
            assert record["versions"]["keras"] == versions["keras"], record["notebook"]
            assert record["versions"]["python"] == versions["python"], record["notebook"]


