"""The rules a diagram of the book keeps, measured on the drawn figure: text at least
`MIN_TEXT_PT` and height at most `MAX_HEIGHT_IN` once scaled to the book's column, no arrow
through a box, every label inside its box."""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

#: The book's article column at a 1280 px window, in CSS pixels; figures wider than it shrink.
COLUMN_PX = 750
#: The smallest text a reader should have to read, in points, at the column's width.
MIN_TEXT_PT = 8.0
#: The tallest a diagram should be at the column's width, in inches.
MAX_HEIGHT_IN = 7.0
#: The widest a diagram is drawn, in inches: within the column at the notebooks' 100 dpi.
MAX_WIDTH_IN = 7.0
#: The size of the text in the boxes, in points.
FONT_PT = 8.0
class IllegibleDiagramWarning(UserWarning):
    """A diagram that breaks a rule of the book's figures (text too small at the column's
    width, too tall, an arrow through a box, a label out of its box)."""
@dataclass(frozen=True)
class Legibility:
    """How a figure reads in the book's column: its smallest text in points and its height in
    inches once scaled to the column's width (figures wider than the column shrink)."""
    smallest_text_pt: float
    height_in: float
    scale: float  # the column's shrinking: 1 for a figure within it


def legibility(figure: Figure) -> Legibility:
    """`figure`'s smallest text and its height at the book's column width (`COLUMN_PX`, the
    figure at its own dpi, as the notebooks show it).

    Raises:
        TypeError: not a matplotlib Figure.
    """
    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    width, height = figure.get_size_inches()
    scale = min(1.0, COLUMN_PX / (width * figure.dpi))
    texts = [*figure.texts, *(text for legend in figure.legends for text in legend.get_texts())]
    for ax in figure.axes:
        texts += [*ax.texts, ax.title, ax.xaxis.label, ax.yaxis.label]
        if ax.axison:
            texts += [*ax.get_xticklabels(), *ax.get_yticklabels()]
        if ax.get_legend():
            texts += ax.get_legend().get_texts()
    sizes = [text.get_fontsize() for text in texts if text.get_text() and text.get_visible()]
    return Legibility(min(sizes, default=MIN_TEXT_PT) * scale, height * scale, scale)


def _crosses(points: list[tuple[float, float]], box) -> bool:
    """Whether the polyline `points` enters the rectangle (x0, y0, x1, y1), beyond a hair."""
    x0, y0, x1, y1 = box
    inset = 0.01
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    for (ax_, ay), (bx, by) in zip(points, points[1:], strict=False):
        low, high = 0.0, 1.0  # Liang-Barsky clipping of the segment to the rectangle
        for p, q in ((ax_ - bx, ax_ - x0), (bx - ax_, x1 - ax_), (ay - by, ay - y0),
                     (by - ay, y1 - ay)):
            if p == 0:
                if q < 0:
                    break
                continue
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
        else:
            if low < high:
                return True
    return False


def defects(figure: Figure) -> list[str]:
    """What in a drawn diagram breaks the book's rules, read from its artists: text below
    `MIN_TEXT_PT` or a height above `MAX_HEIGHT_IN` at the column's width, an arrow through
    a box it does not start or end at, a label wider or taller than its box. [] when none.

    Raises:
        TypeError: not a matplotlib Figure.
    """
    seen = legibility(figure)
    problems = []
    if seen.smallest_text_pt < MIN_TEXT_PT - 1e-6:
        problems.append(f"its smallest text is {seen.smallest_text_pt:.1f} pt at the column's "
                        f"width (at least {MIN_TEXT_PT:g})")
    if seen.height_in > MAX_HEIGHT_IN + 1e-6:
        problems.append(f"it is {seen.height_in:.1f} in tall at the column's width (at most "
                        f"{MAX_HEIGHT_IN:g})")
    ax = figure.axes[0] if figure.axes else None
    if ax is None:
        return problems
    boxes = [patch for patch in ax.patches if patch.get_gid() == "box"]
    rectangles = [(b.get_x(), b.get_y(), b.get_x() + b.get_width(), b.get_y() + b.get_height())
                  for b in boxes]
    for line in ax.lines:
        if line.get_gid() != "arrow":
            continue
        points = list(zip(line.get_xdata(), line.get_ydata(), strict=True))
        ends = [r for r in rectangles if _touches(points[0], r) or _touches(points[-1], r)]
        for rectangle in rectangles:
            if rectangle not in ends and _crosses(points, rectangle):
                problems.append(f"an arrow crosses the box at x={rectangle[0]:.2f} in, "
                                f"y={rectangle[1]:.2f} in")
    labels = [text for text in ax.texts if text.get_gid() == "label"]
    for text, box in zip(labels, boxes, strict=True):
        inside = box.get_window_extent()
        extent = text.get_window_extent()  # with the figure's own renderer
        if extent.x0 < inside.x0 or extent.x1 > inside.x1 or extent.y0 < inside.y0 \
                or extent.y1 > inside.y1:
            problems.append(f"the label {text.get_text()!r} does not fit its box")
    return problems


def _touches(point: tuple[float, float], rectangle) -> bool:
    x, y = point
    x0, y0, x1, y1 = rectangle
    return x0 - 1e-6 <= x <= x1 + 1e-6 and y0 - 1e-6 <= y <= y1 + 1e-6
