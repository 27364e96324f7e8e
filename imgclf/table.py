"""A small table that shows as Markdown in a notebook and as aligned text elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@dataclass(frozen=True)
class Table:
    """Rows of values under named columns; integers get thousands separators."""

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    caption: str = ""

    def __post_init__(self):
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"rows: row {row} has {len(row)} cells, the table "
                                 f"{len(self.columns)} columns")

    @classmethod
    def of(cls, columns: Sequence[str], rows: Sequence[Sequence], caption: str = "") -> Table:
        return cls(tuple(columns), tuple(tuple(row) for row in rows), caption)

    def _text_rows(self) -> list[list[str]]:
        return [list(self.columns)] + [[_cell(v) for v in row] for row in self.rows]

    def _repr_markdown_(self) -> str:
        header, *body = self._text_rows()
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return (f"**{self.caption}**\n\n" if self.caption else "") + "\n".join(lines)

    def __str__(self) -> str:
        rows = self._text_rows()
        widths = [max(len(row[i]) for row in rows) for i in range(len(self.columns))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                 for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return (self.caption + "\n" if self.caption else "") + "\n".join(lines)

    __repr__ = __str__
