"""The Colab notebooks (colab/NN-topic.ipynb): generated from the chapters, plain markdown, a
GPU runtime asked for, solutions hidden and never run by Run all."""

from __future__ import annotations

import os
import re
import subprocess

import jupytext
import nbformat
import pytest
from conftest import REPO

from imgclf.course import colab, colablike, repository
from imgclf.course.execute import notebook_sources

pytestmark = pytest.mark.backend_independent
SOURCES = notebook_sources(REPO / "notebooks")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_colab_notebook_is_committed_and_up_to_date(source):
    committed = colab.colab_notebook(source)
    assert committed.parent == REPO / "colab"
    assert committed.read_text() == nbformat.writes(colab.convert(source, REPO)) + "\n", \
        "run: make sync"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_colab_notebook_reads_as_a_plain_notebook(source):
    notebook = nbformat.read(colab.colab_notebook(source), as_version=4)
    nbformat.validate(notebook)
    assert colab.leftovers(notebook) == []
    named = repository.configured(REPO)
    assert notebook.metadata["accelerator"] == "GPU"
    assert notebook.metadata["colab"]["name"] == f"{source.stem}.ipynb"
    badge = notebook.cells[0]
    assert badge.cell_type == "markdown" and colab.BADGE in badge.source
    assert f"({named.colab}colab/{source.stem}.ipynb)" in badge.source
    assert f"({named.book}notebooks/{source.stem}.html)" in badge.source
    install = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert named.install in install.source and "google.colab" in install.source
    text = source.read_text()
    solutions = [cell.source for cell in notebook.cells if cell.source.startswith("<details>")]
    assert len(solutions) == text.count("```{solution-start}") >= 2
    assert len(re.findall(r"\*\*Exercise \d+\.\*\*", "".join(
        cell.source for cell in notebook.cells))) == text.count("```{exercise}")
    captions = [cell.source for cell in notebook.cells if cell.source.startswith("**Fig. ")]
    first = colab.first_figure(source)
    named = colab.figures(jupytext.read(source).cells, first)
    assert [c.split(".**")[0] for c in captions] == [f"**Fig. {n}" for n in
                                                      range(first, first + len(named))] and named
    code = {cell.source.strip() for cell in notebook.cells if cell.cell_type == "code"}
    for solution in solutions:
        for snippet in re.findall(r"```python\n(.*?)\n```", solution, re.S):
            assert snippet.strip() not in code, "a solution's code would run under Run all"


def test_leftover_myst_is_found():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("As shown by {cite}`he2015resnet`."),
        nbformat.v4.new_markdown_cell("```{note}\nA note.\n```"),
        nbformat.v4.new_markdown_cell("Plain text with `code` and $x^2$."),
        nbformat.v4.new_markdown_cell("```python\nprint(f'{name}')\n```"),
    ])
    found = colab.leftovers(notebook)
    assert [line.split(":")[0] for line in found] == ["cell 0", "cell 1"]


def test_unknown_citation_is_an_error(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "book").mkdir()
    (tmp_path / "_config.yml").write_text(
        "repository:\n  url: https://github.com/a/b\n  branch: main\n  release: v1.2.3\n"
        "html:\n  baseurl: https://a.github.io/b/\n")
    (tmp_path / "book" / "references.bib").write_text(
        "@article{known,\n  author = {Doe, Jane},\n  year = {2020}\n}\n")
    source = tmp_path / "notebooks" / "01-x.md"
    source.write_text("# 1. X\n\nSee {cite}`known` and {cite}`unknown`.\n")
    with pytest.raises(ValueError, match="citation unknown is not in book/references.bib"):
        colab.convert(source, tmp_path)
    source.write_text("# 1. X\n\nSee Doe {cite}`known`.\n")
    assert "See Doe (2020)." in colab.convert(source, tmp_path).cells[1].source


def test_a_cell_that_needs_a_solution_is_refused(tmp_path):
    """Run all skips the solutions: a later cell that reads what only a solution defines would
    fail in Colab though the book's execution, which runs the solutions, succeeds."""
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "references.bib").write_text("")
    (tmp_path / "_config.yml").write_text(
        "repository:\n  url: https://github.com/a/b\n  branch: main\n  release: v1.2.3\n"
        "html:\n  baseurl: https://a.github.io/b/\n")
    source = tmp_path / "01-x.md"
    chapter = ("# 1. X\n\n```{{code-cell}} ipython3\nshared = 1\n```\n\n"
               "```{{solution-start}} ex\n```\n\n```{{code-cell}} ipython3\n"
               "answer, shared = 2, 3\n```\n\n```{{solution-end}}\n```\n\n"
               "```{{code-cell}} ipython3\nprint(shared{later})\n```\n")
    source.write_text(chapter.format(later=""))
    assert colab.convert(source, tmp_path).cells  # `shared` is bound outside too
    source.write_text(chapter.format(later=", answer"))
    with pytest.raises(ValueError, match=r"read what only a solution defines: answer in "
                                         r"'print\(shared, answer\)'"):
        colab.convert(source, tmp_path)


def test_checked_outputs_are_compared_as_nbval_compares_them():
    """A checked cell's text must match; its image, execution count and the way its stream
    was split into pieces need not; a checked cell that never ran is a difference."""
    def notebook(*cells):
        return {"cells": [{"cell_type": "code", "source": source, "outputs": outputs,
                           "metadata": {"tags": ["nbval-check-output"]}}
                          for source, outputs in cells]}

    def stream(*texts):
        return [{"output_type": "stream", "name": "stdout", "text": t} for t in texts]

    table = {"output_type": "execute_result", "execution_count": 3, "metadata": {},
             "data": {"text/plain": "12 parameters", "image/png": "AAAA"}}
    committed = notebook(("print(n)", stream("1\n2\n")),
                         ("table", [{**table, "execution_count": 9}]))
    assert colablike.checked_differences(
        notebook(("print(n)", stream("1\n", "2\n")), ("table", [table])), committed) == []
    as_lines = notebook(("print(n)", stream(["1\n", "2\n"])),
                        ("table", [{**table, "data": {"text/plain": ["12 ", "parameters"]}}]))
    assert colablike.checked_differences(as_lines, committed) == []
    changed = notebook(("print(n)", stream("1\n3\n")), ("table", [table]))
    assert colablike.checked_differences(changed, committed)[0].startswith(
        "the outputs of 'print(n)' differ")
    assert colablike.checked_differences(notebook(("table", [table])), committed) == [
        "a checked cell of the Colab notebook did not run: 'print(n)'"]


def test_colab_like_environment_has_the_course_packages_but_not_its_imgclf(tmp_path):
    """make test-nbval's environment (imgclf.course.colablike): Colab's TensorFlow and Keras
    are there, google.colab is imported at start-up, and imgclf only comes by installing it."""
    python = colablike.environment(tmp_path)
    probe = ("import sys, importlib.util as u; print('google.colab' in sys.modules, "
             "u.find_spec('keras') is not None, u.find_spec('imgclf') is None)")
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True,
                          cwd=tmp_path, env={k: v for k, v in os.environ.items()
                                             if k != "PYTHONPATH"})
    assert done.stdout.split() == ["True", "True", "True"], done.stderr


def test_colab_like_copies_install_from_the_clone(tmp_path):
    fake = colablike.ColabLike(tmp_path / "python", tmp_path / "clone", "abc123",
                               f"imgclf @ git+file://localhost{tmp_path}/clone@abc123")
    copies = colablike.copy_notebooks(REPO, fake, tmp_path / "out")
    assert [c.name for c in copies] == [f"{s.stem}.ipynb" for s in SOURCES]
    published = repository.configured(REPO).install
    for copy in copies:
        text = copy.read_text()
        assert fake.requirement in text and published not in text


def test_colab_like_chapters_install_from_the_clone(tmp_path):
    fake = colablike.ColabLike(tmp_path / "python", tmp_path / "clone", "abc123",
                               f"imgclf @ git+file://localhost{tmp_path}/clone@abc123")
    folder = colablike.copy_chapters(REPO, fake, tmp_path / "out")
    assert notebook_sources(folder) == [folder / s.name for s in SOURCES]
    assert (folder / "expected.toml").read_text() == \
        (REPO / "notebooks" / "expected.toml").read_text()
    for source in SOURCES:
        text = (folder / source.name).read_text()
        assert text == source.read_text().replace(repository.configured(REPO).install,
                                                  fake.requirement)
        assert fake.requirement in text


def test_colab_like_refuses_a_stale_notebook_and_a_folder_inside_the_repository(tmp_path):
    (tmp_path / "colab").mkdir()
    (tmp_path / "_config.yml").write_text(
        "repository:\n  url: https://github.com/a/b\n  branch: main\n  release: v1.2.3\n"
        "html:\n  baseurl: https://a.github.io/b/\n")
    (tmp_path / "colab" / "01-x.ipynb").write_text('{"cells": []}')
    fake = colablike.ColabLike(tmp_path, tmp_path, "abc", "imgclf @ git+file://localhost/x@abc")
    with pytest.raises(ValueError, match="does not install 'imgclf @ git\\+https://github.com/"
                                         "a/b@v1.2.3': run make sync"):
        colablike.copy_notebooks(tmp_path, fake, tmp_path / "out")
    with pytest.raises(ValueError, match="inside the repository"):
        colablike.check(REPO, REPO / "_build" / "colab")
