"""Where each box and arrow of a diagram goes: rows by the longest path from the input, a
lane of its own for every arrow that skips a row (so that no arrow crosses a box), each box
under what feeds it (a residual addition under its main path), text wrapped to its box."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from imgclf.diagram.graph import Node, graph
from imgclf.diagram.rules import FONT_PT

SLOT_IN = (1.05, 2.3)  # the width of one box's column: at least, at most (inches)
LANE = 0.3  # the width of a lane that carries an arrow past a row, in slots
BOX = 0.9  # a box's share of its slot's width
LINE_IN = FONT_PT * 1.25 / 72  # one line of text
PAD_IN = 0.05  # between a box's edge and its text
GAP_IN = 0.16  # between rows, where the arrows run
@dataclass
class _Item:
    """One place in a row: a box (`key`) or a lane carrying an arrow past the row."""
    key: str
    lane: bool
    before: list[_Item] = field(default_factory=list)  # what feeds it from the row above
    x: float = 0.0  # in slots
    width: float = 1.0  # in slots


def _rows(nodes: dict[str, Node]) -> tuple[list[list[_Item]], list[tuple[str, str, list]]]:
    """The rows of boxes and lanes, and every arrow as (parent, child, its lanes)."""
    row: dict[str, int] = {}
    for key, node in nodes.items():  # model.layers is in topological order
        row[key] = 1 + max((row[p] for p in node.parents), default=-1)
    rows: list[list[_Item]] = [[] for _ in range(1 + max(row.values()))]
    items = {}
    for key, node in nodes.items():
        items[key] = _Item(key, lane=False, width=float(node.towers))
        rows[row[key]].append(items[key])
    arrows = []
    for key, node in nodes.items():
        for parent in node.parents:
            above, lanes = items[parent], []
            for r in range(row[parent] + 1, row[key]):
                lane = _Item(f"{parent}->{key}", lane=True, before=[above], width=LANE)
                rows[r].append(lane)
                lanes.append(lane)
                above = lane
            items[key].before.append(above)
            arrows.append((parent, key, lanes))
    return rows, arrows


def _place(rows: list[list[_Item]], nodes: dict[str, Node]) -> None:
    """x of every box and lane, in slots: each under what feeds it (a residual addition under
    its main path), in the order that keeps arrows from crossing, never overlapping."""
    for r, items in enumerate(rows):
        for item in items:
            sources = item.before
            if not item.lane and nodes[item.key].keeps_line and \
                    any(not s.lane for s in sources):
                sources = [s for s in sources if not s.lane]
            item.x = sum(s.x for s in sources) / len(sources) if sources else 0.0
        targets = {id(item): item.x for item in items}
        aside = {id(item): item.lane or nodes[item.key].side for item in items}
        order = sorted(range(len(items)),
                       key=lambda i: (targets[id(items[i])], aside[id(items[i])], i) if r else i)
        items[:] = [items[i] for i in order]
        for i, item in enumerate(items):
            if i:
                previous = items[i - 1]
                item.x = max(item.x, previous.x + (previous.width + item.width) / 2)
        main = [item for item in items if not aside[id(item)]] or \
            [item for item in items if not item.lane]
        shift = sum(targets[id(item)] - item.x for item in main) / len(main)
        for item in items:
            item.x += shift


def _wrap(lines: list[str], width_pt: float, measure: Callable[[str], float]) -> list[str]:
    """Break each line that is wider than `width_pt` at " + " (the layers folded into a box),
    then at ", " (a layer's settings)."""
    wrapped = []
    for line in lines:
        pieces = [line]
        for separator in (" + ", ", "):
            pieces = [part for piece in pieces for part in (
                _split(piece, separator, width_pt, measure) if measure(piece) > width_pt
                else [piece])]
        wrapped.extend(pieces)
    return wrapped


def _split(line: str, separator: str, width_pt: float,
           measure: Callable[[str], float]) -> list[str]:
    """`line` in as few pieces as fit `width_pt`, broken at `separator`: "conv 3x3 | + relu",
    "conv 3x3, | 128"."""
    parts = line.split(separator)
    pieces = [parts[0]]
    for part in parts[1:]:
        joined = pieces[-1] + separator + part
        if measure(joined) <= width_pt:
            pieces[-1] = joined
        elif separator == " + ":
            pieces.append("+ " + part)
        else:
            pieces[-1] += separator.rstrip()
            pieces.append(part)
    return pieces


def text_width(renderer, text: str) -> float:
    """Width in points of `text` at FONT_PT (the renderer runs at 72 dpi)."""
    from matplotlib.font_manager import FontProperties

    width, _, _ = renderer.get_text_width_height_descent(text, FontProperties(size=FONT_PT),
                                                         ismath=False)
    return width


def _tower_texts(node: Node) -> list[list[str]]:
    """The lines of each box of `node`: one, or one per tower of a layer split in groups
    (each tower has its share of the filters and of the output channels)."""
    if node.towers == 1:
        return [[line for line in node.lines if line]]
    first, *rest = node.lines
    layer, _, folded = first.partition(" + ")
    share = re.sub(r", (\d+)", lambda m: f", {int(m[1]) // node.towers}", layer, count=1)
    shape = re.sub(r"x(\d+)$", lambda m: f"x{int(m[1]) // node.towers}", rest[0]) if rest else ""
    return [[share + (f" + {folded}" if folded else ""), shape] for _ in range(node.towers)]


@dataclass
class Drawing:
    """A diagram laid out in inches (x right, y down from the top), ready to draw."""
    title: str
    width: float
    height: float
    boxes: list[tuple[float, float, float, float, str, str]]  # x, y, w, h, text, kind
    arrows: list[list[tuple[float, float]]]
    kinds: list[str]


def lay_out(model, title: str, fold: bool, group, max_width: float) -> Drawing:
    from matplotlib.backends.backend_agg import RendererAgg

    nodes = graph(model, fold, group)
    rows, arrows = _rows(nodes)
    _place(rows, nodes)
    left = min(item.x - item.width / 2 for items in rows for item in items)
    right = max(item.x + item.width / 2 for items in rows for item in items)
    slot = min(SLOT_IN[1], max(SLOT_IN[0], max_width / (right - left)))
    box_width = BOX * slot
    renderer = RendererAgg(10, 10, 72)
    texts = {key: [_wrap(lines, (box_width - 2 * PAD_IN) * 72,
                         lambda s: text_width(renderer, s)) for lines in _tower_texts(node)]
             for key, node in nodes.items()}
    heights = [max((len(lines) * LINE_IN + 2 * PAD_IN for item in items if not item.lane
                    for lines in texts[item.key]), default=LINE_IN) for items in rows]
    tops = [sum(heights[:r]) + GAP_IN * r for r in range(len(rows))]
    boxes, box_of = [], {}
    for r, items in enumerate(rows):
        for item in items:
            if item.lane:
                continue
            node = nodes[item.key]
            for tower, lines in enumerate(texts[item.key]):
                centre = (item.x - left + tower - (node.towers - 1) / 2) * slot
                box = (centre - box_width / 2, tops[r], box_width, heights[r], "\n".join(lines),
                       node.kind)
                box_of.setdefault(item.key, []).append(box)
                boxes.append(box)
    drawn = []
    row_of = {item.key: r for r, items in enumerate(rows) for item in items if not item.lane}
    for parent, child, lanes in arrows:
        pairs = _tower_pairs(nodes[parent], nodes[child]) if not lanes else [(None, None)]
        for start, end in pairs:
            sources = box_of[parent] if start is None else [box_of[parent][start]]
            targets = box_of[child] if end is None else [box_of[child][end]]
            x0 = (sources[0][0] + sources[-1][0] + sources[-1][2]) / 2
            x1 = (targets[0][0] + targets[-1][0] + targets[-1][2]) / 2
            points = [(x0, tops[row_of[parent]] + heights[row_of[parent]])]
            for lane in lanes:
                r = next(r for r, items in enumerate(rows) if lane in items)
                x = (lane.x - left) * slot
                points += [(x, tops[r]), (x, tops[r] + heights[r])]
            points.append((x1, tops[row_of[child]]))
            drawn.append(points)
    kinds = list(dict.fromkeys(node.kind for node in nodes.values()))
    width = (right - left) * slot
    return Drawing(title, width, tops[-1] + heights[-1], boxes, drawn, kinds)


def _tower_pairs(parent: Node, child: Node) -> list[tuple[int | None, int | None]]:
    """Which box of `parent` feeds which of `child`: tower to tower where the child is split
    as the parent is, every tower into one box where the child reads them all (AlexNet's
    conv3 and dense layers), one box into every tower where a split begins."""
    if parent.towers > 1 and child.towers == parent.towers and child.split:
        return [(t, t) for t in range(child.towers)]
    if parent.towers > 1:
        return [(t, None) for t in range(parent.towers)]
    if child.towers > 1:
        return [(None, t) for t in range(child.towers)]
    return [(None, None)]
