"""The Colab notebooks: `colab/NN-topic.ipynb`, generated from `notebooks/NN-topic.md` by
`make sync` and opened by the book's Colab buttons and the README's badges.

The Jupytext pair `notebooks/NN-topic.ipynb` mirrors the MyST source cell for cell, so Colab
would show its markdown raw (roles, directive fences, solutions beside their questions). The
Colab notebook is the same chapter as plain notebook markdown:

- citations become "(He et al. 2015)", from `book/references.bib`;
- an exercise becomes a bold "Exercise N." paragraph;
- a solution (its text and its code) becomes one collapsed `<details>` block, so nothing in
  it runs under *Run all* and it stays hidden until asked for;
- a glossary link ({term}) becomes its text;
- a figure's caption (the code cell's `mystnb.figure`) becomes a "**Fig. N.** caption"
  paragraph under the cell, and a `{numref}` to it "Fig. N", numbered as the book numbers
  them: on from the figures of the chapters before;
- a first cell holds the Open-in-Colab badge and a link to the chapter in the book;
- the metadata asks for a GPU runtime and names the chapter;
- the cells tagged `nbval-check-output` keep the tag and the reference outputs of the pair
  (`notebooks/NN-topic.ipynb`): `make test` runs the Colab notebooks as Colab would
  (`imgclf.course.colablike`) and nbval compares those outputs. The `parameters` cell keeps its
  tag, for papermill.
"""

from __future__ import annotations

import re
from pathlib import Path

from imgclf import atomic
from imgclf.course.pairs import CHECKED_TAG, paired_notebook, tags
from imgclf.course.repository import configured
from imgclf.course.solutions import pieces

FOLDER = "colab"
BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
NUMREF = re.compile(r"\{numref\}`([^`]+)`")
# A glossary link, {term}`text` or {term}`text <term>`: in Colab, its text.
TERM = re.compile(r"\{term\}`(?P<text>[^`<]*?)\s*(?:<(?P<term>[^>`]+)>)?`")
EXERCISE = re.compile(r"```\{exercise\}[^\n]*\n(?P<body>.*?)\n```", re.S)
OPTION = re.compile(r"^:[\w-]+:.*$", re.M)
TARGET = re.compile(r"^\([\w-]+\)=\s*$", re.M)
LEFTOVER = re.compile(r"\{[a-z][a-z-]*\}`|```\{[a-z]|^:[a-z-]+:", re.M)
KEPT_TAGS = (CHECKED_TAG, "parameters")


def colab_notebook(source: Path | str) -> Path:
    """Where the Colab notebook of `notebooks/NN-topic.md` goes: `colab/NN-topic.ipynb`."""
    source = Path(source)
    return source.parent.parent / FOLDER / f"{source.stem}.ipynb"


def _authors(entry: str) -> str:
    field = re.search(r"author\s*=\s*\{(.+?)\},?\s*\n", entry, re.S)
    if field and field[1].startswith("{") and field[1].endswith("}"):  # an organisation
        return field[1][1:-1]
    names = [n.strip() for n in (field[1] if field else "").split(" and ") if n.strip()]
    last = [n.split(",")[0].strip("{} ") if "," in n else n.split()[-1].strip("{}")
            for n in names]
    if not last:
        return "?"
    if len(last) == 1:
        return last[0]
    return f"{last[0]} and {last[1]}" if len(last) == 2 else f"{last[0]} et al."


def citations(bibliography: Path | str) -> dict[str, tuple[str, str]]:
    """{key: ("He et al.", "2015")} for every entry of a BibTeX file."""
    text = Path(bibliography).read_text()
    found = {}
    for match in re.finditer(r"@\w+\{([^,\s]+),(.*?)\n\}", text, re.S):
        year = re.search(r"year\s*=\s*\{?(\d{4})", match[2])
        found[match[1]] = (_authors(match[2]), year[1] if year else "n.d.")
    return found


def figures(cells, first: int = 1) -> dict[str, tuple[int, str]]:
    """{name: (number, caption)} of the figures of a chapter's cells, numbered in order from
    `first`."""
    found = {}
    for cell in cells:
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure")
        if cell["cell_type"] == "code" and figure:
            found[figure["name"]] = (first + len(found), " ".join(figure["caption"].split()))
    return found


def first_figure(source: Path | str) -> int:
    """The book's number of the first figure of chapter `source`: Sphinx numbers the figures
    of the whole book in one sequence (its chapters are not numbered sections), in chapter
    order."""
    import jupytext

    source = Path(source)
    earlier = sorted(p for p in source.parent.glob("[0-9][0-9]-*.md") if p.name < source.name)
    return 1 + sum(len(figures(jupytext.read(p).cells)) for p in earlier)


def _markdown(text: str, cited: dict[str, tuple[str, str]], counter: list[int],
              numbered: dict[str, tuple[int, str]] | None = None) -> str:
    def cite(match):
        keys = [k.strip() for k in match[1].split(",")]
        missing = [k for k in keys if k not in cited]
        if missing:
            raise ValueError(f"citation {', '.join(missing)} is not in book/references.bib")
        before = match.string[:match.start()].rstrip()
        if len(keys) == 1 and before.endswith(cited[keys[0]][0]):  # "He et al. {cite}`…`"
            return f"({cited[keys[0]][1]})"
        return "(" + "; ".join(" ".join(cited[k]) for k in keys) + ")"

    def exercise(match):
        counter[0] += 1
        body = OPTION.sub("", match["body"]).strip()
        return f"**Exercise {counter[0]}.** {body}"

    def numref(match):
        if match[1] not in (numbered or {}):
            raise ValueError(f"{{numref}} to {match[1]}, which no figure of the chapter is named")
        return f"Fig. {numbered[match[1]][0]}"

    text = CITE.sub(cite, text)
    text = TERM.sub(lambda match: match[1], text)
    text = NUMREF.sub(numref, text)
    text = EXERCISE.sub(exercise, text)
    return TARGET.sub("", text).strip()


def _first_cell(repository, stem: str, title: str) -> str:
    """The Colab notebook's first cell: its badge, and where the book and the code are."""
    return (f"[![Open In Colab]({BADGE})]({repository.colab}{FOLDER}/{stem}.ipynb)\n\n"
            f"*{title}*, a chapter of the course *Image classification with deep CNNs*: "
            f"[read it in the book]({repository.book}notebooks/{stem}.html), with its figures "
            f"and the other chapters; the code and the package are at {repository.url}. "
            f"Choose a GPU runtime, then *Run all*: the first code cell installs the course's "
            f"package.")


def _names(code: str) -> tuple[set[str], set[str]]:
    """(the names a cell's code binds, the names it reads), IPython syntax allowed."""
    import ast

    from IPython.core.inputtransformer2 import TransformerManager

    tree = ast.parse(TransformerManager().transform_cell(code))
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return bound, read


def needs_a_solution(parts) -> list[str]:
    """The code cells outside the solutions that read a name which only a solution's code
    binds (`parts`: `solutions.pieces` of a chapter's cells), each as "name in 'cell…'".
    Under Run all the Colab notebook skips the solutions, so such a cell would fail there
    though the book's execution, which runs them, succeeds."""
    outside, only_in_solutions, found = set(), set(), []
    for cell, text, inside, _ in parts:
        if text is not None or cell["cell_type"] != "code":
            continue
        bound, read = _names(cell["source"])
        if inside:
            only_in_solutions |= bound - outside
            continue
        outside |= bound
        found += [f"{name} in {cell['source'].strip()[:60]!r}"
                  for name in sorted(read & only_in_solutions - outside)]
    return found


def _runnable_parts(source: Path | str, cells) -> list:
    """The chapter's parts (`solutions.pieces`).

    Raises:
        ValueError: a solution-start without its end, or a cell outside the solutions that
            needs a solution's code (`needs_a_solution`).
    """
    try:
        parts = list(pieces(cells))
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from None
    needed = needs_a_solution(parts)
    if needed:
        raise ValueError(f"{source}: under Run all, which skips the solutions, these cells "
                         f"read what only a solution defines: {'; '.join(needed)}")
    return parts


def convert(source: Path | str, root: Path | str = ".", solutions: bool = True):
    """The Colab notebook (an nbformat NotebookNode) of the MyST chapter `source`; with
    `solutions=False`, the student edition's, where the solutions are left out."""
    import jupytext
    import nbformat

    root = Path(root)
    repository = configured(root)
    cited = citations(root / "book" / "references.bib")
    chapter = jupytext.read(source)
    stem = Path(source).stem
    title = next((line[2:].strip() for cell in chapter.cells if cell["cell_type"] == "markdown"
                  for line in cell["source"].splitlines() if line.startswith("# ")), stem)
    cells = [nbformat.v4.new_markdown_cell(_first_cell(repository, stem, title))]
    checked = _checked_outputs(source)
    numbered = figures(chapter.cells, first_figure(source))
    counter, solution = [0], []
    parts = _runnable_parts(source, chapter.cells)
    for cell, text, inside, closes in parts:
        if inside and not solutions:
            continue
        if text is None:  # a code cell
            if inside:
                solution.append(f"```python\n{cell['source'].strip()}\n```")
                continue
            cells.append(_code_cell(cell, checked))
            figure = cell.get("metadata", {}).get("mystnb", {}).get("figure")
            if figure:
                number, caption = numbered[figure["name"]]
                cells.append(nbformat.v4.new_markdown_cell(
                    f"**Fig. {number}.** {_markdown(caption, cited, counter, numbered)}"))
            continue
        text = _markdown(text, cited, counter, numbered)
        if not inside:
            if text:
                cells.append(nbformat.v4.new_markdown_cell(text))
            continue
        if text:
            solution.append(text)
        if closes:
            body = "\n\n".join(solution)
            cells.append(nbformat.v4.new_markdown_cell(
                f"<details>\n<summary><b>Solution</b> (click to show)</summary>\n\n"
                f"{body}\n\n</details>"))
            solution = []
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={
        "accelerator": "GPU",
        "colab": {"name": f"{stem}.ipynb", "provenance": [], "gpuType": "T4",
                  "toc_visible": True},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"c{index:03d}"  # stable ids: a sync changes only what changed
    return notebook


def _checked_outputs(source: Path | str) -> dict[str, dict]:
    """The committed pair's checked cells, by their source: (outputs, execution count)."""
    import nbformat

    pair = paired_notebook(source)
    if not pair.exists():
        return {}
    return {cell["source"].strip(): cell for cell in nbformat.read(pair, as_version=4).cells
            if cell["cell_type"] == "code" and CHECKED_TAG in tags(cell)}


def _code_cell(cell, checked: dict):
    """A Colab code cell: the source, the kept tags, and for a checked cell the pair's
    reference outputs (nbval skips a cell that was never run: it keeps the count too)."""
    import nbformat

    kept = [tag for tag in tags(cell) if tag in KEPT_TAGS]
    new = nbformat.v4.new_code_cell(cell["source"], metadata={"tags": kept} if kept else {})
    reference = checked.get(cell["source"].strip()) if CHECKED_TAG in kept else None
    if reference is not None:
        new["outputs"] = reference["outputs"]
        new["execution_count"] = reference["execution_count"]
    return new


def leftovers(notebook) -> list[str]:
    """MyST that a plain notebook would show raw: roles, directive fences, option lines,
    found in the markdown cells' text as a CommonMark renderer (markdown-it-py) sees it."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark")
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell["cell_type"] != "markdown":
            continue
        for token in renderer.parse(cell["source"]):
            pieces = [token] + list(token.children or [])
            for piece in pieces:
                where = piece.info if piece.type == "fence" else piece.content
                if piece.type == "fence" and piece.info.startswith("{"):
                    found.append(f"cell {index}: directive ```{piece.info}")
                elif piece.type in ("text", "inline", "paragraph_open") and where and \
                        LEFTOVER.search(where):
                    found.append(f"cell {index}: {LEFTOVER.search(where)[0]!r} in "
                                 f"{where[:80]!r}")
    return found


def write(source: Path | str, root: Path | str = ".") -> Path:
    """Write the Colab notebook of `source` (see `colab_notebook`); return its path."""
    import nbformat

    notebook = convert(source, root)
    problems = leftovers(notebook)
    if problems:
        raise ValueError(f"{source}: MyST left in the Colab notebook: " + "; ".join(problems))
    path = colab_notebook(source)
    path.parent.mkdir(exist_ok=True)
    return atomic.write_bytes(path, (nbformat.writes(notebook) + "\n").encode())
