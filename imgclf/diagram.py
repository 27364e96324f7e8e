"""Architecture diagrams drawn from a model's own layer graph, with matplotlib.

`architecture(model, title)` draws what trains: one box per layer, data flowing top to bottom,
branches side by side (an Inception module's four paths, a residual block's shortcut). Why our
own drawing rather than `keras.utils.plot_model`: it needs no pydot or Graphviz (nothing to
install in Colab or here), it folds batch normalisation and activations into the layer before
them so a block reads like the paper's figure, it draws a convolution split into groups as its
towers side by side (AlexNet's two GPUs), and a whole network can be drawn one box per module
(`group`), which is how the papers draw GoogLeNet and Xception's three flows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import keras
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Patch

from imgclf import _validate as check

# Layers folded into the box of the layer before them (when that is their only input).
FOLDED = (keras.layers.BatchNormalization, keras.layers.Activation, keras.layers.ReLU,
          keras.layers.Dropout)
KINDS = {  # kind: (colour, legend text)
    "convolution": ("#9ecae1", "convolution"),
    "pooling": ("#fdd0a2", "pooling"),
    "dense": ("#a1d99b", "dense"),
    "merge": ("#d9d9d9", "add / concatenate"),
    "group": ("#dadaeb", "module (several layers)"),
    "other": ("#ffffff", "input, reshaping, other"),
}


@dataclass
class _Node:
    key: str
    lines: list[str]
    kind: str
    towers: int = 1
    parents: list[str] = field(default_factory=list)


def _size(shape) -> str:
    return "x".join(str(d) for d in tuple(shape)[1:])


def _describe(layer) -> tuple[list[str], str, int]:
    """(text lines, kind, towers) of one layer."""
    lines, kind, towers = _describe_layer(layer)
    activation = getattr(getattr(layer, "activation", None), "__name__", "linear")
    if kind in ("convolution", "dense") and activation != "linear":
        lines[0] += f" + {activation}"  # an activation built into the layer
    return lines, kind, towers


def _describe_layer(layer) -> tuple[list[str], str, int]:
    name = type(layer).__name__
    shape = _size(layer.output.shape) if hasattr(layer, "output") else ""
    if isinstance(layer, (keras.layers.SeparableConv2D, keras.layers.DepthwiseConv2D,
                          keras.layers.Conv2D)):
        kh, kw = layer.kernel_size
        stride = f" /{layer.strides[0]}" if layer.strides[0] > 1 else ""
        what = {"SeparableConv2D": "separable conv", "DepthwiseConv2D": "depthwise conv"}.get(
            name, "conv")
        filters = "" if name == "DepthwiseConv2D" else f", {layer.filters}"
        towers = getattr(layer, "groups", 1) if name == "Conv2D" else 1
        return [f"{what} {kh}x{kw}{filters}{stride}", shape], "convolution", towers
    if isinstance(layer, keras.layers.Dense):
        return [f"dense {layer.units}", shape], "dense", 1
    if "Pooling" in name:
        if name.startswith("Global"):
            return ["global " + ("avg" if "Average" in name else "max") + " pool", shape], \
                "pooling", 1
        k, s = layer.pool_size[0], layer.strides[0]
        return [f"{'max' if 'Max' in name else 'avg'} pool {k}x{k}" + (f" /{s}" if s > 1
                                                                       else ""), shape], \
            "pooling", 1
    if isinstance(layer, keras.layers.Add):
        return ["+ (add)", shape], "merge", 1
    if isinstance(layer, keras.layers.Concatenate):
        return ["concatenate", shape], "merge", 1
    if isinstance(layer, keras.layers.InputLayer):
        return [f"input {_size(layer.output.shape)}"], "other", 1
    if isinstance(layer, keras.Model):
        return [f"{layer.name} (a network)", shape], "group", 1
    return [_short(layer), shape], "other", 1


def _short(layer) -> str:
    if isinstance(layer, keras.layers.BatchNormalization):
        return "BN"
    if isinstance(layer, keras.layers.Dropout):
        return f"dropout {layer.rate:g}"
    if isinstance(layer, (keras.layers.Activation, keras.layers.ReLU)):
        return getattr(getattr(layer, "activation", None), "__name__", "relu")
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", " ", type(layer).__name__).lower()


def _graph(model, fold: bool, group: Callable[[str], str | None] | None) -> dict[str, _Node]:
    """The model's layers as nodes (in order), each with its parents' keys."""
    from imgclf.analysis import inbound_layers

    members = {id(layer) for layer in model.layers}
    nodes: dict[str, _Node] = {}
    owner: dict[int, str] = {}  # layer id -> the node that shows it
    children: dict[int, int] = {}
    parents_of = {}
    for layer in model.layers:
        calls = inbound_layers(layer) if not isinstance(layer, keras.layers.InputLayer) else []
        parents = next((call for call in calls if all(id(p) in members for p in call)), [])
        parents_of[id(layer)] = parents
        for parent in parents:
            children[id(parent)] = children.get(id(parent), 0) + 1
    for layer in model.layers:
        parents = parents_of[id(layer)]
        lines, kind, towers = _describe(layer)
        named = group(layer.name) if group and not isinstance(layer, keras.layers.InputLayer) \
            else None
        if named:
            key = f"group:{named}"
            if key not in nodes:
                nodes[key] = _Node(key, [named, ""], "group")
            nodes[key].lines[1] = _size(layer.output.shape)
            owner[id(layer)] = key
        elif fold and isinstance(layer, FOLDED) and len(parents) == 1 \
                and children.get(id(parents[0])) == 1 \
                and not nodes[owner[id(parents[0])]].key.startswith("group:"):
            key = owner[id(parents[0])]
            nodes[key].lines[0] += f" + {_short(layer)}"
            owner[id(layer)] = key
            continue
        else:
            key = layer.name
            nodes[key] = _Node(key, lines, kind, towers)
            owner[id(layer)] = key
        for parent in parents:
            source = owner[id(parent)]
            if source != key and source not in nodes[key].parents:
                nodes[key].parents.append(source)
    return nodes


def _layout(nodes: dict[str, _Node]) -> dict[str, tuple[float, int]]:
    """(x, row) per node: rows by the longest path from the input, x by the parents' mean."""
    row: dict[str, int] = {}
    for key, node in nodes.items():  # model.layers is in topological order
        row[key] = 1 + max((row[p] for p in node.parents), default=-1)
    by_row: dict[int, list[str]] = {}
    for key in nodes:
        by_row.setdefault(row[key], []).append(key)
    x: dict[str, float] = {}
    for r in sorted(by_row):
        keys = by_row[r]
        wanted = {k: sum(x[p] for p in nodes[k].parents) / len(nodes[k].parents)
                  if nodes[k].parents else 0.0 for k in keys}
        keys.sort(key=lambda k: wanted[k])
        for i, k in enumerate(keys):
            x[k] = i - (len(keys) - 1) / 2 + (sum(wanted.values()) / len(keys)
                                               if len(keys) == 1 else 0.0)
    return {k: (x[k], row[k]) for k in nodes}


def _tower_texts(node: _Node) -> list[str]:
    """The text of each box of `node`: one, or one per tower of a convolution in groups
    (each tower has its share of the filters and of the output channels)."""
    text = "\n".join(filter(None, node.lines))
    if node.towers == 1:
        return [text]
    first, *rest = node.lines
    layer, _, folded = first.partition(" + ")
    share = re.sub(r", (\d+)", lambda m: f", {int(m[1]) // node.towers}", layer, count=1)
    shape = re.sub(r"x(\d+)$", lambda m: f"x{int(m[1]) // node.towers}", rest[0]) if rest else ""
    return [f"tower {t + 1}: {share}" + (f" + {folded}" if folded else "") + f"\n{shape}"
            for t in range(node.towers)]


def architecture(model, title: str, fold: bool = True,
                 group: Callable[[str], str | None] | None = None) -> Figure:
    """A diagram of `model` (a functional Keras model) from its layer graph.

    Args:
        model: the network, as `imgclf.models` builds it.
        title: the figure's title.
        fold: draw batch normalisation, activations and dropout in the box of the layer before
            them (where that layer feeds nothing else).
        group: maps a layer's name to the module it belongs to (one box per module), or to
            None to draw the layer itself (the input always is); e.g. `lambda name:
            name[:12] if name.startswith("inception_") else None`.

    Returns a Figure: boxes coloured by kind (a legend says which), the output shape
    (height x width x channels) under each, arrows along the data flow, top to bottom.

    Raises:
        TypeError: not a Keras model, or `group` not callable.
        ValueError: an empty title.
    """
    check.model("model", model, built=True)
    check.text("title", title)
    check.boolean("fold", fold)
    if group is not None and not callable(group):
        raise TypeError(f"group must map a layer name to a module name or None, got "
                        f"{type(group).__name__}")
    nodes = _graph(model, fold, group)
    places = _layout(nodes)
    rows = 1 + max(r for _, r in places.values())
    columns = max(sum(1 for _, r in places.values() if r == row) for row in range(rows))
    span = max(x + (nodes[k].towers - 1) / 2 for k, (x, _) in places.items()) - \
        min(x - (nodes[k].towers - 1) / 2 for k, (x, _) in places.items())
    # Through pyplot, as imgclf.viz does, so that a notebook shows it even as its first figure
    # (IPython's inline display is set up when pyplot makes one); closed, so it shows once.
    fig, ax = plt.subplots(figsize=(min(16, 2.2 + 2.6 * max(columns, span + 1)),
                                    0.9 + 0.62 * rows), layout="constrained")
    plt.close(fig)
    width, height = 0.86, 0.62
    for key, node in nodes.items():
        x, row = places[key]
        colour = KINDS[node.kind][0]
        for tower, text in enumerate(_tower_texts(node)):
            centre = x + tower - (node.towers - 1) / 2  # a split layer's towers side by side
            ax.add_patch(FancyBboxPatch((centre - width / 2, -row - height / 2), width, height,
                                        boxstyle="round,pad=0.02", facecolor=colour,
                                        edgecolor="#444444", linewidth=0.8))
            ax.text(centre, -row, text, ha="center", va="center", fontsize=7.5)
        for parent in node.parents:
            px, prow = places[parent]
            arrow = {"arrowstyle": "-|>", "color": "#333333", "lw": 0.8}
            if row - prow > 1 and abs(px - x) < 0.5:  # a shortcut past the boxes between
                ax.annotate("", xy=(x + width / 2, -row), xytext=(px + width / 2, -prow),
                            arrowprops={**arrow, "connectionstyle": "bar,fraction=-0.12"})
            else:
                ax.annotate("", xy=(x, -row + height / 2 + 0.03),
                            xytext=(px, -prow - height / 2 - 0.03), arrowprops=arrow)
    xs = [x + side * (nodes[k].towers - 1) / 2 for k, (x, _) in places.items()
          for side in (-1, 1)]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.9)
    ax.set_ylim(-rows + 0.4, 0.6)
    ax.axis("off")
    used = dict.fromkeys(node.kind for node in nodes.values())
    ax.legend(handles=[Patch(facecolor=KINDS[k][0], edgecolor="#444444", label=KINDS[k][1])
                       for k in used], loc="upper left", bbox_to_anchor=(1.0, 1.0),
              fontsize=8, frameon=False)
    ax.set_title(title)
    return fig


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
