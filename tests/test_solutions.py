"""The student edition: the chapters without their solutions (`imgclf.course.solutions`), as
the book (`make student`) and the Colab notebooks show them."""

from __future__ import annotations

import jupytext
import pytest
from conftest import REPO

from imgclf.course import colab
from imgclf.course.execute import notebook_sources
from imgclf.course.solutions import pieces, without_solutions

# Text only: the same on every Keras backend.
pytestmark = pytest.mark.backend_independent
SOURCES = notebook_sources(REPO / "notebooks")


def markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(text):
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": []}


NOTEBOOK = {"cells": [
    markdown("Intro.\n\n```{exercise}\n:label: ex-a\n\nHow many? Check with "
             "`check.answer(\"a\", n)`.\n```\n\n```{solution-start} ex-a\n:class: dropdown\n```"
             "\n\nThe solution's reasoning."),
    code("check.answer(\"a\", 42)"),
    markdown("```{solution-end}\n```\n\nText after the solution."),
    code("print('kept')"),
], "metadata": {}}


def test_a_solution_leaves_with_its_text_and_code_and_the_rest_stays():
    student = without_solutions(NOTEBOOK)
    text = "".join(cell["source"] for cell in student["cells"])
    assert "The solution's reasoning" not in text and "check.answer(\"a\", 42)" not in text
    assert "solution-start" not in text and "solution-end" not in text
    assert "How many? Check with `check.answer(\"a\", n)`." in text  # the exercise's self-check
    assert "Text after the solution." in text and "print('kept')" in text
    assert [cell["cell_type"] for cell in student["cells"]] == ["markdown", "markdown", "code"]
    assert len(NOTEBOOK["cells"]) == 4, "the notebook given is left as it was"


def test_an_unclosed_solution_is_an_error():
    with pytest.raises(ValueError, match="a solution-start without its solution-end"):
        list(pieces([markdown("```{solution-start} ex-a\n```\n\nNo end.")]))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_the_student_edition_of_a_chapter_has_its_exercises_and_no_solution(source):
    chapter = jupytext.read(source)
    cells = [{"cell_type": c.cell_type, "metadata": dict(c.metadata), "source": c.source}
             for c in chapter.cells]
    inside = [cell for cell, text, within, _ in pieces(cells) if within and text is None]
    assert inside, "every chapter has a solution with code"
    student = without_solutions({"cells": cells, "metadata": {}})
    text = "\n".join(cell["source"] for cell in student["cells"])
    assert "{solution-" not in text
    assert text.count("{exercise}") == source.read_text().count("{exercise}") > 0
    assert not any(cell["source"] == solved["source"] for solved in inside
                   for cell in student["cells"] if cell["cell_type"] == "code")
    notebook = colab.convert(source, REPO, solutions=False)
    shown = "\n".join(cell.source for cell in notebook.cells)
    assert "<details>" not in shown and "Solution" not in shown
    assert shown.count("**Exercise ") == text.count("{exercise}")
