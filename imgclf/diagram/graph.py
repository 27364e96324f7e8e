"""A Keras model's layer graph as the boxes of a diagram: layers described in a line, batch
normalisation and activations folded into the layer before them, modules grouped into one box,
layers split in groups kept as towers, and runs of identical boxes collapsed into one "×n"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import keras

from imgclf.models.lrn import LocalResponseNormalization

# Layers folded into the box of the layer before them (when that is their only input).
FOLDED = (keras.layers.BatchNormalization, keras.layers.Activation, keras.layers.ReLU,
          keras.layers.Dropout, LocalResponseNormalization)
# Layers that act on each channel alone: after a layer split into towers, they stay split.
PER_CHANNEL = (*FOLDED, keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)


@dataclass
class Node:
    key: str
    lines: list[str]
    kind: str
    towers: int = 1
    parents: list[str] = field(default_factory=list)
    keeps_line: bool = False  # a residual addition: placed under its main path, not between
    split: bool = False  # towers that each read their own tower of the parent (grouped)
    side: bool = False  # a shortcut's own layer (a projection): placed beside the main path
    members: list[str] = field(default_factory=list)  # a group's layers, to tell groups apart


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
    if isinstance(layer, keras.layers.ZeroPadding2D):
        return ["zero padding", shape], "other", 1
    if isinstance(layer, keras.layers.Rescaling):
        return [f"× {float(keras.ops.convert_to_numpy(layer.scale)):g} (scale)", shape], "other", 1
    if isinstance(layer, keras.Model):
        return [f"{layer.name} (a network)", shape], "group", 1
    return [_short(layer), shape], "other", 1


def _short(layer) -> str:
    if isinstance(layer, keras.layers.BatchNormalization):
        return "BN"
    if isinstance(layer, keras.layers.Dropout):
        return f"dropout {layer.rate:g}"
    if isinstance(layer, LocalResponseNormalization):
        return "LRN"
    if isinstance(layer, keras.layers.ReLU) and layer.max_value is not None:
        return f"relu{float(layer.max_value):g}"  # MobileNet's ReLU6
    if isinstance(layer, (keras.layers.Activation, keras.layers.ReLU)):
        return getattr(getattr(layer, "activation", None), "__name__", "relu")
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", " ", type(layer).__name__).lower()


def _layers(model, fold: bool, group: Callable[[str], str | None] | None) -> dict[str, Node]:
    """The model's layers as nodes (in order), each with its parents' keys."""
    from imgclf.analysis import inbound_layers

    members = {id(layer) for layer in model.layers}
    nodes: dict[str, Node] = {}
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
        source = nodes[owner[id(parents[0])]] if len(parents) == 1 else None
        if named:
            key = f"group:{named}"
            if key not in nodes:
                nodes[key] = Node(key, [named, ""], "group")
            nodes[key].lines[1] = _size(layer.output.shape)
            nodes[key].members.append(lines[0])
            owner[id(layer)] = key
        elif fold and isinstance(layer, FOLDED) and source is not None \
                and children.get(id(parents[0])) == 1 and not source.key.startswith("group:") \
                and not isinstance(parents[0], keras.layers.InputLayer):
            source.lines[0] += f" + {_short(layer)}"
            owner[id(layer)] = source.key
            continue
        else:
            key = layer.name
            split = towers > 1
            if source is not None and source.towers > 1 and isinstance(layer, PER_CHANNEL):
                towers, split = source.towers, True  # AlexNet's pooling, on each GPU's half
            nodes[key] = Node(key, lines, kind, towers, split=split,
                               keeps_line=isinstance(layer, keras.layers.Add))
            owner[id(layer)] = key
        for parent in parents:
            source_key = owner[id(parent)]
            if source_key != key and source_key not in nodes[key].parents:
                nodes[key].parents.append(source_key)
    _mark_sides(nodes)
    return nodes


def _mark_sides(nodes: dict[str, Node]) -> None:
    """Mark the layers of a residual addition's shortcut (a projection, a padding) that feed
    only the addition: the addition's main input is its deepest one."""
    row: dict[str, int] = {}
    children: dict[str, int] = {}
    for key, node in nodes.items():
        row[key] = 1 + max((row[p] for p in node.parents), default=-1)
        for parent in node.parents:
            children[parent] = children.get(parent, 0) + 1
    for node in nodes.values():
        if node.keeps_line and len(node.parents) > 1:
            deepest = max(node.parents, key=lambda p: row[p])
            for parent in node.parents:
                if parent != deepest and children[parent] == 1 \
                        and row[parent] < row[deepest]:
                    nodes[parent].side = True


_NUMBERED = re.compile(r"^(.*?)[ _]?(\d+)([a-z]?)$")


def _signature(node: Node) -> tuple:
    """What two boxes in a row must share to be drawn as one box "x n"."""
    label = node.lines[0]
    if node.kind == "group":
        numbered = _NUMBERED.match(label)
        label = numbered[1] if numbered else label
    return node.kind, node.towers, label, tuple(node.lines[1:]), tuple(node.members)


def _collapse_repeats(nodes: dict[str, Node]) -> dict[str, Node]:
    """Runs of identical boxes, each the only input of the next, as one box marked "xn"."""
    children: dict[str, list[str]] = {}
    for node in nodes.values():
        for parent in node.parents:
            children.setdefault(parent, []).append(node.key)
    kept: dict[str, Node] = {}
    renamed: dict[str, str] = {}
    run: list[Node] = []

    def close(run: list[Node]) -> None:
        if len(run) < 2:
            return
        first, last = run[0], run[-1]
        label = first.lines[0]
        if first.kind == "group" and _NUMBERED.match(label) and _NUMBERED.match(last.lines[0]):
            head, end = _NUMBERED.match(label), _NUMBERED.match(last.lines[0])
            label = f"{head[1]} {head[2]}{head[3]}–{end[2]}{end[3]} ×{len(run)}"
        else:
            label = f"{len(run)} × {label}"
        first.lines = [label, *last.lines[1:]]
        for node in run[1:]:
            renamed[node.key] = first.key

    for node in nodes.values():
        previous = run[-1] if run else None
        if previous is not None and node.parents == [previous.key] \
                and children.get(previous.key) == [node.key] \
                and _signature(node) == _signature(previous):
            run.append(node)
            continue
        close(run)
        node.parents = [renamed.get(p, p) for p in node.parents]
        run = [node]
        kept[node.key] = node
    close(run)
    return kept


def graph(model, fold: bool, group: Callable[[str], str | None] | None) -> dict[str, Node]:
    """The boxes of `model`'s diagram, in topological order, each with its parents' keys:
    `fold` and `group` as in `imgclf.diagram.architecture`."""
    return _collapse_repeats(_layers(model, fold, group))
