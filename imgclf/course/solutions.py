"""Where a chapter's solutions are: between its `solution-start` and `solution-end` directives
(sphinx-exercise), across markdown and code cells. The Colab notebook folds each solution into
one collapsed block (`imgclf.course.colab`); the student edition leaves them out
(`without_solutions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

START = re.compile(r"```\{solution-start\}[^\n]*\n(?::[\w-]+:[^\n]*\n)*```")
END = re.compile(r"```\{solution-end\}\s*\n?```")


def pieces(cells: Iterable[dict]) -> Iterator[tuple[dict, str | None, bool, bool]]:
    """Each cell's parts in order: (cell, text, inside, closes). `text` is a markdown cell's
    text between solution markers (None for a code cell, whose source is the cell's own);
    `inside` says whether the part belongs to a solution; `closes` marks the last part of a
    solution (the one its `solution-end` follows).

    Raises:
        ValueError: a solution-start without its solution-end.
    """
    inside = False
    for cell in cells:
        if cell["cell_type"] != "markdown":
            yield cell, None, inside, False
            continue
        rest = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        while rest:
            match = (END if inside else START).search(rest)
            before, rest = (rest[:match.start()], rest[match.end():]) if match else (rest, "")
            yield cell, before, inside, bool(match) and inside
            if match:
                inside = not inside
    if inside:
        raise ValueError("a solution-start without its solution-end")


def without_solutions(notebook: dict) -> dict:
    """`notebook` (nbformat JSON) without its solutions: their text, their code cells and
    their directives; the exercises stay, with the self-check they name."""
    cells, kept = [], {}
    for cell, text, inside, _ in pieces(notebook["cells"]):
        if inside:
            continue
        if text is None:
            cells.append(cell)
        elif id(cell) in kept:
            kept[id(cell)]["source"] += text
        elif text.strip():
            kept[id(cell)] = {**cell, "source": text}
            cells.append(kept[id(cell)])
    for cell in kept.values():
        cell["source"] = re.sub(r"\n{3,}", "\n\n", cell["source"]).strip() + "\n"
    return {**notebook, "cells": cells}
