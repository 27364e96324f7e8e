"""Where a network's parameters and computation sit: per-layer tables and totals.

Multiply-adds (MACs) count the multiplications of weights with inputs in one forward pass of
one image: for a convolution, output height x width x filters x (kernel area x input channels
per group). Layers without weights (activations, pooling, normalisation statistics) count 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras

from imgclf import _keras_compat
from imgclf import _validate as check
from imgclf.table import Table


def _spatial(shape) -> int:
    return int(shape[1]) * int(shape[2])


def multiply_adds(layer) -> int:
    """Multiply-adds of `layer` for one input image (0 for layers without weights).

    Raises:
        TypeError: not a Keras layer.
        ValueError: a layer not yet built into a model (it has no input shape).
    """
    check.layer("layer", layer)
    try:
        _ = layer.output
    except (AttributeError, ValueError):
        raise ValueError(f"layer {layer.name} has not been called on an input yet: its "
                         f"multiply-adds depend on the shapes a model gives it") from None
    if isinstance(layer, keras.layers.SeparableConv2D):
        kh, kw = layer.kernel_size
        channels = layer.input.shape[-1]
        area = _spatial(layer.output.shape)
        depthwise = area * channels * layer.depth_multiplier * kh * kw
        return depthwise + area * channels * layer.depth_multiplier * layer.filters
    if isinstance(layer, keras.layers.DepthwiseConv2D):
        kh, kw = layer.kernel_size
        return _spatial(layer.output.shape) * layer.input.shape[-1] * layer.depth_multiplier \
            * kh * kw
    if isinstance(layer, keras.layers.Conv2D):
        kh, kw = layer.kernel_size
        per_output = kh * kw * layer.input.shape[-1] // layer.groups
        return _spatial(layer.output.shape) * layer.filters * per_output
    if isinstance(layer, keras.layers.Dense):
        return int(layer.input.shape[-1]) * layer.units
    return 0


def layers_of(model) -> list:
    """Every layer of `model`, with nested models expanded, in order (input layers left out)."""
    check.model("model", model)
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found += layers_of(layer)
        elif not isinstance(layer, keras.layers.InputLayer):
            found.append(layer)
    return found


def inbound_layers(layer) -> list[list]:
    """For each call of `layer` in a model, the layers whose outputs it took.

    Keras 3 has no public API for a functional model's graph; `imgclf._keras_compat` reads
    it (the versions it was verified on are there). tests/test_analysis.py checks it on a
    known graph, so a Keras release that changes it fails that test first.

    Raises:
        TypeError: not a Keras layer.
        KerasInternalsChanged: this Keras keeps a layer's calls elsewhere.
    """
    check.layer("layer", layer)
    return _keras_compat.inbound_layers(layer)


def _shape(layer) -> str:
    output = layer.output
    shapes = [o.shape for o in output] if isinstance(output, (list, tuple)) else [output.shape]
    return ", ".join(str(tuple(s[1:])) for s in shapes)


@dataclass(frozen=True)
class Totals:
    """A model's parameters (all, trainable) and multiply-adds per image."""

    parameters: int
    trainable: int
    multiply_adds: int


def totals(model) -> Totals:
    """The parameter count (as `model.count_params()`), trainable part, and MACs per image."""
    check.model("model", model)
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    return Totals(model.count_params(), trainable, sum(multiply_adds(x) for x in layers_of(model)))


def layer_table(model, all_layers: bool = False) -> Table:
    """A table of the layers (name, type, output shape, parameters, multiply-adds) and totals.

    Only layers with weights are listed unless `all_layers`.
    """
    check.model("model", model)
    check.boolean("all_layers", all_layers)
    rows = []
    for layer in layers_of(model):
        if all_layers or layer.count_params():
            rows.append((layer.name, type(layer).__name__, _shape(layer), layer.count_params(),
                         multiply_adds(layer)))
    total = totals(model)
    rows.append(("total", "", "", total.parameters, total.multiply_adds))
    return Table.of(["layer", "type", "output shape", "parameters", "multiply-adds"], rows,
                    caption=f"{model.name}: parameters and multiply-adds per image")


@dataclass(frozen=True)
class WeightedLayer:
    """A convolution or dense layer as a paper's table names it.

    `kernel` and `stride` are (rows, columns) in pixels, None for a dense layer; `width` is the
    number of filters or units; `groups` > 1 for a convolution split into groups.
    """

    name: str
    kind: str
    width: int
    kernel: tuple[int, int] | None = None
    stride: tuple[int, int] | None = None
    groups: int = 1

    def __str__(self) -> str:
        if self.kernel is None:
            return f"{self.kind} {self.width:,}"
        size = "x".join(str(k) for k in self.kernel)
        steps = sorted(set(self.stride))
        stride = "" if steps == [1] else "/" + "x".join(str(s) for s in
                                                       (steps if len(steps) == 1 else self.stride))
        groups = f" in {self.groups} groups" if self.groups > 1 else ""
        return f"{size}{stride} {self.kind} {self.width:,}{groups}"


def weighted_layers(model) -> list[WeightedLayer]:
    """The convolutions and dense layers of `model` (nested models expanded), in order.

    A depthwise convolution's width is its input channels times its depth multiplier.
    """
    found = []
    for layer in layers_of(model):
        if isinstance(layer, keras.layers.Dense):
            found.append(WeightedLayer(layer.name, "dense", int(layer.units)))
        elif isinstance(layer, keras.layers.DepthwiseConv2D):
            found.append(WeightedLayer(layer.name, "depthwise",
                                       int(layer.input.shape[-1]) * layer.depth_multiplier,
                                       tuple(layer.kernel_size), tuple(layer.strides)))
        elif isinstance(layer, (keras.layers.Conv2D, keras.layers.SeparableConv2D)):
            kind = "separable" if isinstance(layer, keras.layers.SeparableConv2D) else "conv"
            found.append(WeightedLayer(layer.name, kind, int(layer.filters),
                                       tuple(layer.kernel_size), tuple(layer.strides),
                                       int(getattr(layer, "groups", 1))))
    return found


def weighted_depth(model) -> int:
    """The number of convolution and dense layers on the longest path from input to output.

    This is how papers count depth: GoogLeNet is "22 layers deep", though it has 58 such
    layers side by side in its modules; batch normalisation does not count.
    """
    check.model("model", model)
    depth: dict[int, int] = {}
    for layer in layers_of(model):
        parents = [parent for call in inbound_layers(layer) for parent in call]
        before = max((depth.get(id(p), 0) for p in parents), default=0)
        depth[id(layer)] = before + (1 if multiply_adds(layer) else 0)
    return max(depth.values(), default=0)


def receptive_field(model) -> tuple[int, int]:
    """How many input pixels (rows, columns) one output pixel of `model` sees.

    Computed from the windows and strides of the layers on the way: a layer with a k-wide
    window widens the field by (k - 1) times the product of the strides before it, on each
    axis. The model must be a single chain of layers (no branches).

    Raises:
        ValueError: a model with branches.
    """
    check.model("model", model)
    field, jump = [1, 1], [1, 1]
    for layer in layers_of(model):
        calls = inbound_layers(layer)
        if len(calls) != 1 or len(calls[0]) > 1:
            raise ValueError(f"receptive_field needs a model that is a chain of layers; "
                             f"{layer.name} joins several inputs")
        window = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
        if window is None:
            continue
        dilation = getattr(layer, "dilation_rate", (1, 1))
        for axis in (0, 1):
            field[axis] += (window[axis] - 1) * dilation[axis] * jump[axis]
            jump[axis] *= layer.strides[axis]
    return tuple(field)
