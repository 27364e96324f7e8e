"""Architecture diagrams drawn from a model's own layer graph, with matplotlib.

`architecture(model, title)` draws what trains: one box per layer, data flowing top to bottom,
branches side by side (an Inception module's four paths, a residual block's shortcut). Why our
own drawing rather than `keras.utils.plot_model`: it needs no pydot or Graphviz (nothing to
install in Colab or here), it folds batch normalisation and activations into the layer before
them so a block reads like the paper's figure, it draws a convolution split into groups as its
towers side by side (AlexNet's two GPUs), and a whole network can be drawn one box per module
or stage (`group`), which is how the papers draw GoogLeNet and Xception's three flows.

Every diagram is drawn for the book's column: at most `MAX_WIDTH_IN` wide, so that its text
(`FONT_PT`) is not shrunk below 8 pt, and a run of identical layers or blocks is one box marked
"×8". Arrows that skip rows run in lanes of their own, so no arrow crosses a box. `defects`
measures a drawn diagram against these rules; `architecture` warns (`IllegibleDiagramWarning`)
when one is broken.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import keras
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from imgclf import _validate as check
from imgclf.diagram.layout import LINE_IN, Drawing, lay_out, text_width
from imgclf.diagram.rules import (
    COLUMN_PX,
    FONT_PT,
    MAX_HEIGHT_IN,
    MAX_WIDTH_IN,
    MIN_TEXT_PT,
    IllegibleDiagramWarning,
    Legibility,
    defects,
    legibility,
)

TITLE_IN, LEGEND_ROW_IN = 0.4, 0.22  # the title's band and a row of the legend (inches)
TITLE_PT = 11.0

KINDS = {  # kind: (colour, legend text)
    "convolution": ("#9ecae1", "convolution"),
    "pooling": ("#fdd0a2", "pooling"),
    "dense": ("#a1d99b", "dense"),
    "merge": ("#d9d9d9", "add / concatenate"),
    "group": ("#dadaeb", "module (several layers)"),
    "other": ("#ffffff", "input, reshaping, other"),
}
def _render(drawings: list[Drawing], title: str) -> Figure:
    from matplotlib.backends.backend_agg import RendererAgg

    gap = 0.35 if len(drawings) > 1 else 0.0
    subtitles = any(d.title for d in drawings)
    kinds = list(dict.fromkeys(k for d in drawings for k in d.kinds))
    renderer = RendererAgg(10, 10, 72)
    entry = max(text_width(renderer, KINDS[k][1]) for k in kinds) / 72 + 0.6  # + its patch
    heading = text_width(renderer, title) * TITLE_PT / FONT_PT / 72 + 0.2
    drawn_width = max(sum(d.width for d in drawings) + gap * (len(drawings) - 1) + 0.2,
                      heading)
    beside = drawn_width + entry <= MAX_WIDTH_IN + 0.2  # narrow: the legend to its right
    columns = 1 if beside else max(1, min(len(kinds), int(drawn_width // entry)))
    legend = 0.0 if beside else LEGEND_ROW_IN * -(-len(kinds) // columns) + 0.1
    top = TITLE_IN + (LINE_IN + 0.1 if subtitles else 0.0)
    height = top + max(d.height for d in drawings) + legend + 0.1
    width = drawn_width + entry if beside else max(drawn_width, entry * columns)
    # Through pyplot, as imgclf.viz does, so that a notebook shows it even as its first figure
    # (IPython's inline display is set up when pyplot makes one); closed, so it shows once.
    fig = plt.figure(figsize=(width, height))
    plt.close(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)  # inches from the top
    ax.axis("off")
    ax.text(drawn_width / 2, 0.12, title, ha="center", va="top", fontsize=TITLE_PT, gid="title")
    x = (drawn_width - sum(d.width for d in drawings) - gap * (len(drawings) - 1)) / 2
    for drawing in drawings:
        if drawing.title:
            ax.text(x + drawing.width / 2, TITLE_IN, drawing.title, ha="center", va="top",
                    fontsize=FONT_PT + 1, gid="subtitle")
        for bx, by, bw, bh, text, kind in drawing.boxes:
            ax.add_patch(FancyBboxPatch((x + bx, top + by), bw, bh,
                                        boxstyle="round,pad=0,rounding_size=0.04",
                                        facecolor=KINDS[kind][0], edgecolor="#444444",
                                        linewidth=0.8, gid="box"))
            ax.text(x + bx + bw / 2, top + by + bh / 2, text, ha="center", va="center",
                    fontsize=FONT_PT, linespacing=1.1, gid="label")
        for points in drawing.arrows:
            xs = [x + px for px, _ in points]
            ys = [top + py for _, py in points]
            ax.add_line(Line2D(xs, ys, color="#333333", linewidth=0.8, gid="arrow"))
            ax.add_patch(FancyArrowPatch((xs[-2], ys[-2]), (xs[-1], ys[-1]), arrowstyle="-|>",
                                         mutation_scale=8, color="#333333", linewidth=0,
                                         shrinkA=0, shrinkB=0))
        x += drawing.width + gap
    handles = [Patch(facecolor=KINDS[k][0], edgecolor="#444444", label=KINDS[k][1])
               for k in kinds]
    if beside:
        fig.legend(handles=handles, loc="upper right", fontsize=FONT_PT, frameon=False,
                   bbox_to_anchor=(1.0, 1 - top / height))
    else:
        fig.legend(handles=handles, loc="lower center", ncols=columns, fontsize=FONT_PT,
                   frameon=False, bbox_to_anchor=(0.5, 0.02))
    problems = defects(fig)
    if problems:
        warnings.warn(f"the diagram {title!r} breaks the book's rules for figures: "
                      + "; ".join(problems), IllegibleDiagramWarning, stacklevel=3)
    return fig


def _check_arguments(model, title: str, fold: bool, group) -> None:
    check.model("model", model, built=True)
    check.text("title", title)
    check.boolean("fold", fold)
    if group is not None and not callable(group):
        raise TypeError(f"group must map a layer name to a module name or None, got "
                        f"{type(group).__name__}")
def architecture(model, title: str, fold: bool = True,
                 group: Callable[[str], str | None] | None = None) -> Figure:
    """A diagram of `model` (a functional Keras model) from its layer graph.

    Args:
        model: the network, as `imgclf.models` builds it.
        title: the figure's title.
        fold: draw batch normalisation, activations, dropout and local response normalisation
            in the box of the layer before them (where that layer feeds nothing else).
        group: maps a layer's name to the module or stage it belongs to (one box for all the
            layers of one name), or to None to draw the layer itself (the input always is);
            e.g. `lambda name: name[:12] if name.startswith("inception_") else None`.
            Consecutive modules of one shape whose names differ only in a final number
            ("block 5", "block 6", ...) are drawn as one box "block 5–12 ×8".

    Returns a Figure at most `MAX_WIDTH_IN` wide: boxes coloured by kind (a legend says
    which), the output shape (height x width x channels) under each, arrows along the data
    flow, top to bottom. It warns (`IllegibleDiagramWarning`) when the result breaks a rule of
    `defects`.

    Raises:
        TypeError: not a Keras model, or `group` not callable.
        ValueError: an empty title, or a model with no layers built.
    """
    _check_arguments(model, title, fold, group)
    return _render([lay_out(model, "", fold, group, MAX_WIDTH_IN)], title)


def side_by_side(models: dict, title: str, fold: bool = True) -> Figure:
    """Several diagrams in one figure, left to right, each under its own label: a block beside
    its variant (the original residual block and the pre-activation one), or a network at
    stage level beside its block.

    Args:
        models: {label: model}, or {label: (model, group)} to draw a model by module or stage
            (`group` as in `architecture`).
        title, fold: as in `architecture`.

    Raises:
        TypeError: `models` not a {label: model or (model, group)} mapping, or as
            `architecture`.
        ValueError: no models, or as `architecture`.
    """
    check.mapping("models", models, what="{label: keras.Model or (keras.Model, group)}")
    parts = []
    for label, value in models.items():
        check.text("each label of models", label)
        model, group = value if isinstance(value, tuple) and len(value) == 2 else (value, None)
        _check_arguments(model, title, fold, group)
        parts.append((label, model, group))
    share = (MAX_WIDTH_IN - 0.35 * (len(parts) - 1)) / len(parts)
    return _render([lay_out(model, label, fold, group, share)
                    for label, model, group in parts], title)
def block_model(block: Callable, input_shape, **arguments) -> keras.Model:
    """A model of one block alone, `block(inputs, **arguments)` on inputs of `input_shape`
    (height, width, channels): a residual block or an Inception module, for `architecture`.

    Raises:
        TypeError: `block` is not callable.
        ValueError: an input shape that is not three positive sizes.
    """
    if not callable(block):
        raise TypeError(f"block must be a block function of imgclf.models, got "
                        f"{type(block).__name__}")
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else ()
    if len(shape) != 3 or not all(isinstance(size, int) and size > 0 for size in shape):
        raise ValueError(f"input_shape must be (height, width, channels), three positive "
                         f"integers, got {input_shape!r}")
    inputs = keras.Input(shape, name="block_input")
    return keras.Model(inputs, block(inputs, **arguments), name=block.__name__)


__all__ = [
    "COLUMN_PX", "FONT_PT", "KINDS", "MAX_HEIGHT_IN", "MAX_WIDTH_IN", "MIN_TEXT_PT",
    "IllegibleDiagramWarning", "Legibility", "architecture", "block_model", "defects",
    "legibility", "side_by_side",
]
