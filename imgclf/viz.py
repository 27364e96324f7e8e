"""Figures the chapters share. Each function returns a titled, labelled matplotlib Figure.

Figures are closed before they are returned, so a notebook shows each exactly once: as the
value of the cell that makes it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from imgclf import _validate as check


def _labels(**texts) -> None:
    """Every figure has a title and labelled axes: each must be a non-empty string."""
    for name, value in texts.items():
        check.text(name, value)


def _numbers_by_label(name: str, values, what: str) -> dict:
    """{label: number} with string labels and finite numbers, at least one entry."""
    check.mapping(name, values, what=what)
    for label, value in values.items():
        check.text(f"a label of {name}", label)
        check.number(f"{name}[{label!r}]", value)
    return values


def _figure(nrows: int = 1, ncols: int = 1, **kwargs):
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, layout="constrained", **kwargs)
    plt.close(fig)
    return fig, axes


def _show_image(ax, image: np.ndarray) -> None:
    """Draw one HWC image (grey or colour; uint8, or floats in [0, 1]) without ticks."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        ax.imshow(image[..., 0], cmap="gray_r", vmin=0,
                  vmax=255 if image.dtype == np.uint8 else 1.0)
    else:
        ax.imshow(image, cmap="gray_r" if image.ndim == 2 else None)
    ax.set_xticks([])
    ax.set_yticks([])


def image_grid(
    images: np.ndarray,
    labels: Sequence[int],
    class_names: Sequence[str],
    title: str,
    ncols: int = 8,
    predicted: Sequence[int] | None = None,
) -> Figure:
    """A grid of images, each titled with its class name.

    Args:
        images: uint8 array (N, H, W, C), C = 1 or 3, or floats in [0, 1] (imgclf.data.scale's
            output); floats beyond [0, 1] are refused, never drawn blank.
        labels: the N true class indices.
        class_names: the name of each class index.
        title: the figure's title.
        predicted: optional predicted class indices; wrong ones are titled "pred (true)" in red.
    """
    _labels(title=title)
    ncols = check.integer("ncols", ncols, minimum=1)
    images = check.images("images", images)
    labels = check.array("labels", labels, ndim=1, nonempty=False)
    if images.ndim != 4 or len(images) != len(labels) or len(images) == 0:
        raise ValueError(
            f"image_grid needs images (N, H, W, C) with N labels, N > 0; got images "
            f"{images.shape} and {len(labels)} labels"
        )
    check.labels("labels", labels, num_classes=len(check.names("class_names", class_names)))
    if predicted is not None:
        predicted = check.labels("predicted", predicted, num_classes=len(class_names))
        if len(predicted) != len(images):
            raise ValueError(f"predicted holds {len(predicted)} labels for {len(images)} images")
    nrows = int(np.ceil(len(images) / ncols))
    ncols = min(ncols, len(images))
    fig, axes = _figure(nrows, ncols, figsize=(1.4 * ncols, 1.6 * nrows + 0.5))
    for ax in axes.flat[len(images):]:
        ax.set_visible(False)
    for i, (ax, image, label) in enumerate(zip(axes.flat, images, labels, strict=False)):
        _show_image(ax, image)
        name = class_names[int(label)]
        if predicted is not None and predicted[i] != label:
            ax.set_title(f"{class_names[int(predicted[i])]}\n({name})", fontsize=8, color="red")
        else:
            ax.set_title(name, fontsize=8)
    fig.suptitle(title)
    return fig


def class_balance(
    y_train: np.ndarray, y_test: np.ndarray, class_names: Sequence[str], title: str
) -> Figure:
    """Bars of the number of images per class, training and test set side by side."""
    _labels(title=title)
    check.names("class_names", class_names)
    for split, labels in (("y_train", y_train), ("y_test", y_test)):
        labels = np.asarray(labels)
        if labels.ndim != 1 or not len(labels):
            raise ValueError(f"{split} must be a non-empty array of labels (N,), got shape "
                             f"{labels.shape}")
        if labels.min() < 0 or labels.max() >= len(class_names):
            raise ValueError(f"{split} holds labels {labels.min()}..{labels.max()}, outside "
                             f"0..{len(class_names) - 1} for {len(class_names)} class names")
    classes = np.arange(len(class_names))
    width = 0.4
    fig, axes = _figure(figsize=(max(6, 0.7 * len(classes)), 3.5))
    ax = axes[0, 0]
    for offset, labels, split in ((-width / 2, y_train, "train"), (width / 2, y_test, "test")):
        counts = np.bincount(np.asarray(labels, np.int64), minlength=len(classes))
        ax.bar(classes + offset, counts, width, label=f"{split} ({len(labels):,} images)")
    ax.set_xticks(classes, class_names, rotation=45, ha="right")
    ax.set_xlabel("class")
    ax.set_ylabel("number of images")
    ax.set_title(title)
    ax.legend()
    return fig


def training_curves(history, title: str) -> Figure:
    """Loss and accuracy per epoch, training vs validation.

    Args:
        history: a `keras.callbacks.History` or its `.history` dict
            (keys like "loss", "val_loss", "accuracy", "val_accuracy").
    """
    _labels(title=title)
    logs: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    check.mapping("history", logs, nonempty=False,
                  what="of per-epoch metrics (model.fit(...).history)")
    metrics = [key for key in logs if not key.startswith("val_") and key != "learning_rate"]
    for key, values in logs.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence | np.ndarray):
            raise TypeError(f"history[{key!r}] must be a list of per-epoch values, got "
                            f"{type(values).__name__}: pass model.fit(...)'s History (or its "
                            f".history), not model.evaluate(..., return_dict=True)'s numbers")
    if not metrics or not logs[metrics[0]]:
        raise ValueError(f"training_curves needs a non-empty history, got keys {list(logs)}")
    fig, axes = _figure(1, len(metrics), figsize=(4.5 * len(metrics), 3.4))
    for ax, metric in zip(axes.flat, metrics, strict=True):
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], "o-", label="training")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], "s--", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric.replace("_", " "))
        ax.set_title(metric.replace("_", " "))
        ax.set_xticks(epochs)
        ax.legend()
    fig.suptitle(title)
    return fig


def vision_tasks(scene, class_names: Sequence[str], title: str) -> Figure:
    """Classification, detection and segmentation of one `imgclf.scenes.Scene`, side by side."""
    from imgclf.scenes import Scene

    _labels(title=title)
    if not isinstance(scene, Scene):
        raise TypeError(f"scene must be an imgclf.scenes.Scene (scenes.compose(...)), got "
                        f"{type(scene).__name__}")
    check.names("class_names", class_names,
                count=1 + max(obj.label for obj in scene.objects))
    fig, axes = _figure(1, 3, figsize=(12, 4.8))
    classify, detect, segment = axes[0]

    first = scene.objects[0]
    _show_image(classify, first.image)
    classify.set_title(f"Classification\none label per image: {class_names[first.label]!r}")

    _show_image(detect, scene.image)
    colours = plt.get_cmap("tab10")
    for obj in scene.objects:
        top, left, bottom, right = obj.box
        detect.add_patch(Rectangle((left - 0.5, top - 0.5), right - left, bottom - top,
                                   fill=False, edgecolor=colours(obj.label), linewidth=2))
        detect.text(left, top - 1.5, class_names[obj.label], color=colours(obj.label),
                    fontsize=8, fontweight="bold")
    detect.set_title("Detection\na box and a label per object")

    coloured = np.ones(scene.mask.shape + (3,))
    for obj in scene.objects:
        coloured[scene.mask == obj.label] = colours(obj.label)[:3]
    segment.imshow(coloured)
    segment.set_xticks([])
    segment.set_yticks([])
    segment.set_title("Segmentation\na label per pixel")
    segment.legend(
        handles=[Patch(color=colours(o.label), label=class_names[o.label]) for o in scene.objects]
        + [Patch(facecolor="white", edgecolor="grey", label="background")],
        loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8,
    )
    fig.suptitle(title)
    return fig


def dataset_sizes(facts: Sequence, title: str) -> Figure:
    """Horizontal bars of labelled images per data set (log scale), annotated with image size
    and classes; colour data sets in blue, grey ones in grey.

    Args:
        facts: `imgclf.catalog.DatasetFacts` records (name, images, image_size, classes, colour).
    """
    from imgclf.catalog import DatasetFacts

    _labels(title=title)
    if not facts or not all(isinstance(d, DatasetFacts) for d in facts):
        raise TypeError("facts must be a non-empty list of imgclf.catalog.DatasetFacts")
    ordered = sorted(facts, key=lambda d: d.images)
    fig, axes = _figure(figsize=(8, 0.45 * len(ordered) + 1.2))
    ax = axes[0, 0]
    colours = ["tab:blue" if d.colour else "tab:gray" for d in ordered]
    ax.barh([d.name for d in ordered], [d.images for d in ordered], color=colours)
    for row, d in enumerate(ordered):
        ax.text(d.images * 1.08, row, f"{d.image_size}, {d.classes:,} classes",
                va="center", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(right=max(d.images for d in ordered) * 60)
    ax.set_xlabel("labelled images (log scale)")
    ax.set_ylabel("data set")
    ax.set_title(title)
    ax.legend(handles=[Patch(color="tab:blue", label="colour"),
                       Patch(color="tab:gray", label="grey")], loc="lower right")
    return fig


def challenge_errors(results: Sequence, human_error: float, title: str) -> Figure:
    """Top-5 error of each year's winner (bars, percent) and human error (a line).

    Args:
        results: `imgclf.catalog.ChallengeResult` records (year, network, top5_error).
        human_error: a human's top-5 error as a fraction.
    """
    from imgclf.catalog import ChallengeResult

    _labels(title=title)
    if not results or not all(isinstance(r, ChallengeResult) for r in results):
        raise TypeError("results must be a non-empty list of imgclf.catalog.ChallengeResult")
    check.number("human_error", human_error, low=0, high=1)
    fig, axes = _figure(figsize=(8, 4))
    ax = axes[0, 0]
    years = [r.year for r in results]
    errors = [100 * r.top5_error for r in results]
    colours = ["tab:gray" if r.year < 2012 else "tab:blue" for r in results]
    ax.bar(years, errors, color=colours)
    for r, e in zip(results, errors, strict=True):
        ax.text(r.year, e + 0.5, f"{e:.3g}", ha="center", fontsize=8)  # 2.25, as the papers
    human = ax.axhline(100 * human_error, color="tab:red", linestyle="--",
                       label=f"human (one expert): {100 * human_error:.1f}%")
    from matplotlib.patches import Patch

    ax.set_xticks(years)
    ax.set_xlabel("year")
    ax.set_ylabel("top-5 error of the winner (%)")
    ax.set_title(title)
    ax.legend(handles=[human, Patch(color="tab:gray", label="hand-crafted features"),
                       Patch(color="tab:blue", label="deep CNNs")])
    return fig


def accuracy_by_k(accuracies: Sequence[float], title: str) -> Figure:
    """Top-k accuracy (percent) for k = 1, 2, ...: how often the truth is among k guesses."""
    _labels(title=title)
    accuracies = check.array("accuracies", accuracies, ndim=1, finite=True,
                             what="of fractions (k = 1, 2, ...)")
    if accuracies.min() < 0 or accuracies.max() > 1:
        raise ValueError(f"accuracies must be fractions in [0, 1], got "
                         f"{accuracies.min():g}..{accuracies.max():g}")
    ks = np.arange(1, len(accuracies) + 1)
    fig, axes = _figure(figsize=(6, 3.5))
    ax = axes[0, 0]
    ax.plot(ks, 100 * np.asarray(accuracies), "o-", label="model")
    ax.plot(ks, 100 * ks / len(ks), "s--", color="tab:gray", label="random guesses")
    ax.set_xticks(ks)
    ax.set_xlabel("k (number of guesses)")
    ax.set_ylabel("top-k accuracy (%)")
    ax.set_title(title)
    ax.legend()
    return fig


def top5_bars(images: np.ndarray, labels: Sequence[int], probabilities: np.ndarray,
              class_names: Sequence[str], title: str) -> Figure:
    """Each image beside a bar chart of its five most probable classes (the true one in green).

    Args:
        images: uint8 (N, H, W, C); labels: (N,) true classes; probabilities: (N, classes).
    """
    _labels(title=title)
    images = check.array("images", images, ndim=4, nonempty=False, what="(N, H, W, C)")
    count = len(images)
    if count == 0 or len(labels) != count or len(probabilities) != count:
        raise ValueError("top5_bars needs as many labels and probability rows as images (N > 0)")
    probabilities = check.array("probabilities", probabilities, ndim=2, finite=True,
                                what="(N, classes)")
    check.names("class_names", class_names, count=probabilities.shape[1])
    labels = check.labels("labels", labels, num_classes=probabilities.shape[1])
    fig, axes = _figure(count, 2, figsize=(7, 1.5 * count + 0.6),
                        gridspec_kw={"width_ratios": [1, 3]})
    for row, (image, label, p) in enumerate(zip(images, labels, probabilities, strict=True)):
        _show_image(axes[row, 0], image)
        axes[row, 0].set_title(f"truth: {class_names[int(label)]}", fontsize=8)
        top = np.argsort(-p)[:5][::-1]
        colours = ["tab:green" if c == label else "tab:gray" for c in top]
        axes[row, 1].barh([class_names[c] for c in top], 100 * p[top], color=colours)
        axes[row, 1].set_xlim(0, 100)
        axes[row, 1].set_xlabel("probability (%)")
        axes[row, 1].set_ylabel("top 5")
        axes[row, 1].set_title("in the top 5" if label in top else "not in the top 5",
                               fontsize=8)
        axes[row, 1].tick_params(labelsize=8)
    fig.suptitle(title)
    return fig


def confusion(matrix: np.ndarray, class_names: Sequence[str], title: str) -> Figure:
    """A confusion matrix as a heat map with its counts: rows true, columns predicted."""
    _labels(title=title)
    matrix = check.array("matrix", matrix, ndim=2, finite=True, what="of counts (C, C)")
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square (C, C), got shape {matrix.shape}")
    check.names("class_names", class_names, count=len(matrix))
    n = len(matrix)
    fig, axes = _figure(figsize=(0.6 * n + 2.5, 0.6 * n + 2))
    ax = axes[0, 0]
    shown = ax.imshow(matrix, cmap="Blues")
    for i in range(n):
        for j in range(n):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if matrix[i, j] > matrix.max() / 2 else "black")
    ax.set_xticks(range(n), class_names, rotation=45, ha="right")
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    fig.colorbar(shown, ax=ax, label="test images")
    return fig


def compare_bars(values: dict[str, float], ylabel: str, title: str,
                 percent: bool = True) -> Figure:
    """One bar per labelled value (fractions shown as percent), each with its value on top."""
    _labels(ylabel=ylabel, title=title)
    if isinstance(values, dict) and not values:
        raise ValueError("values must hold at least one value to draw a bar, got {}")
    _numbers_by_label("values", values, "{label: value}")
    check.boolean("percent", percent)
    fig, axes = _figure(figsize=(max(4.5, 1.4 * len(values)), 3.5))
    ax = axes[0, 0]
    scale = 100 if percent else 1
    names = list(values)
    heights = [scale * values[n] for n in names]
    ax.bar([textwrap.fill(n, 16) for n in names], heights,
           color=plt.get_cmap("tab10")(np.arange(len(names)) % 10))
    for i, h in enumerate(heights):
        shown = f"{h:.1f}" if percent else f"{h:,.0f}" if abs(h) >= 1000 else f"{h:.3g}"
        ax.text(i, h, shown, ha="center", va="bottom")
    ax.set_ylim(0, 1.15 * max(max(heights), 0) or 1)
    ax.set_xlabel("compared")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return fig


def parameter_share(model, title: str) -> Figure:
    """Bars of each weighted layer's parameters, labelled with its share of the total."""
    check.model("model", model)
    _labels(title=title)
    weighted = [layer for layer in model.layers if layer.count_params()]
    if not weighted:
        raise ValueError(f"{model.name} has no layers with parameters")
    counts = np.array([layer.count_params() for layer in weighted], dtype=float)
    fig, axes = _figure(figsize=(max(6, 0.8 * len(weighted)), 3.8))
    ax = axes[0, 0]
    ax.bar([layer.name for layer in weighted], counts / 1e6)
    for i, count in enumerate(counts):
        ax.text(i, count / 1e6, f"{count / counts.sum():.1%}", ha="center", va="bottom",
                fontsize=8)
    ax.set_xlabel("layer")
    ax.set_ylabel("parameters (millions)")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=45)
    return fig


def filters(kernel: np.ndarray, title: str, ncols: int = 16) -> Figure:
    """The filters of a first convolution layer as small images.

    Args:
        kernel: the layer's weights, shape (height, width, input channels, filters); 1 or 3
            input channels. Each filter is stretched to the full grey/colour range.
    """
    _labels(title=title)
    ncols = check.integer("ncols", ncols, minimum=1)
    kernel = check.array("kernel", kernel, finite=True, what="(h, w, 1 or 3, filters)")
    if kernel.ndim != 4 or kernel.shape[2] not in (1, 3):
        raise ValueError(f"filters needs a kernel (h, w, 1 or 3, filters), got {kernel.shape}")
    count = kernel.shape[-1]
    nrows = int(np.ceil(count / ncols))
    fig, axes = _figure(nrows, min(ncols, count), figsize=(0.6 * min(ncols, count),
                                                           0.6 * nrows + 0.6))
    for ax in axes.flat:
        ax.set_axis_off()
    for i, ax in zip(range(count), axes.flat, strict=False):
        f = kernel[..., i]
        f = (f - f.min()) / (np.ptp(f) or 1.0)
        ax.imshow(f[..., 0] if f.shape[-1] == 1 else f, cmap="gray" if f.shape[-1] == 1 else None)
        ax.set_title(str(i), fontsize=6)
    fig.suptitle(title)
    return fig


def compare_curves(histories: dict[str, dict], metric: str, title: str,
                   ylabel: str | None = None, error: bool = False) -> Figure:
    """One metric per epoch for several runs: a line per run (validation dashed, if present).

    Args:
        histories: {run label: history dict or keras History}.
        metric: a key of the histories, such as "accuracy" or "loss".
        error: plot 1 - metric in percent (for accuracies: the error rate).
    """
    _labels(metric=metric, title=title)
    if ylabel is not None:
        check.text("ylabel", ylabel)
    if isinstance(histories, dict) and not histories:
        raise ValueError("histories must hold at least one history, got {}")
    check.mapping("histories", histories, what="{run label: history}")
    for label, history in histories.items():
        logs = getattr(history, "history", history)
        if not isinstance(logs, Mapping) or metric not in logs:
            raise ValueError(f"histories[{label!r}] has no metric {metric!r}; it has "
                             f"{sorted(logs) if isinstance(logs, Mapping) else type(logs)}")
    fig, axes = _figure(figsize=(6.5, 3.8))
    ax = axes[0, 0]
    colours = plt.get_cmap("tab10")
    for i, (label, history) in enumerate(histories.items()):
        logs = getattr(history, "history", history)
        for key, style, suffix in ((metric, "o-", "training"),
                                   (f"val_{metric}", "s--", "validation")):
            if key in logs:
                values = np.asarray(logs[key], dtype=float)
                values = 100 * (1 - values) if error else values
                ax.plot(np.arange(1, len(values) + 1), values, style, color=colours(i % 10),
                        label=f"{label}, {suffix}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel or (f"{metric} error (%)" if error else metric))
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def per_layer(values: dict[str, dict[str, float]], ylabel: str, title: str,
              log: bool = True) -> Figure:
    """One line per run of a value per layer (input side left), on a log scale by default.

    Args:
        values: {run label: {layer name: value}}; every run lists its layers in order.
    """
    _labels(ylabel=ylabel, title=title)
    if isinstance(values, dict) and not values:
        raise ValueError("values must hold at least one run, got {}")
    check.mapping("values", values, what="{run label: {layer name: value}}")
    for label, by_layer in values.items():
        _numbers_by_label(f"values[{label!r}]", by_layer, "{layer name: value}")
        if log and min(by_layer.values()) <= 0:
            raise ValueError(f"values[{label!r}] holds values <= 0, which a log scale cannot "
                             f"show: pass log=False")
    fig, axes = _figure(figsize=(7.5, 4))
    ax = axes[0, 0]
    for label, by_layer in values.items():
        numbers = np.asarray(list(by_layer.values()), dtype=float)
        ax.plot(np.arange(1, len(numbers) + 1), numbers, "o-", label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel(ylabel + (" (log scale)" if log else ""))
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def activation_histograms(activations: dict[str, dict[str, np.ndarray]], title: str,
                          value_range: tuple[float, float] | None = None) -> Figure:
    """A grid of histograms: one row per run, one column per layer, of the layer's outputs.

    Args:
        activations: {run label: {layer name: array of that layer's outputs}}.
    """
    _labels(title=title)
    if isinstance(activations, dict) and not activations:
        raise ValueError("activations must hold at least one run, got {}")
    check.mapping("activations", activations, what="{run label: {layer name: outputs}}")
    rows = list(activations)
    columns = list(check.mapping(f"activations[{rows[0]!r}]", activations[rows[0]]))
    for label in rows:
        if list(activations[label]) != columns:
            raise ValueError(f"activations: every run must show the same layers: {label!r} has "
                             f"{list(activations[label])}, {rows[0]!r} {columns}")
        for layer in columns:
            check.array(f"activations[{label!r}][{layer!r}]", activations[label][layer],
                        finite=True)
    if value_range is not None:
        low, high = (check.number("value_range[0]", value_range[0]),
                     check.number("value_range[1]", value_range[1]))
        if low >= high:
            raise ValueError(f"value_range must be (low, high) with low < high, got "
                             f"{value_range}")
    fig, axes = _figure(len(rows), len(columns), figsize=(2.3 * len(columns),
                                                          1.7 * len(rows) + 0.6))
    for r, label in enumerate(rows):
        for c, layer in enumerate(columns):
            ax = axes[r, c]
            values = np.asarray(activations[label][layer]).ravel()
            ax.hist(values, bins=40, range=value_range, color=f"C{r}")
            ax.set_yticks([])
            ax.set_title(f"{label}\n{layer}", fontsize=7)
            ax.tick_params(labelsize=7)
            ax.set_xlabel("output value", fontsize=7)
            ax.set_ylabel("count", fontsize=7)
    fig.suptitle(title)
    return fig


def labelled_points(points: Mapping[str, tuple[float, float]], xlabel: str, ylabel: str,
                    title: str, logx: bool = False) -> Figure:
    """A scatter plot with each point's label beside it: {label: (x, y)}."""
    _labels(xlabel=xlabel, ylabel=ylabel, title=title)
    if isinstance(points, dict) and not points:
        raise ValueError("points must hold at least one point, got {}")
    check.mapping("points", points, what="{label: (x, y)}")
    for label, point in points.items():
        if not isinstance(point, (tuple, list)) or len(point) != 2:
            raise ValueError(f"points[{label!r}] must be (x, y), got {point!r}")
        check.number(f"the x of points[{label!r}]", point[0], low=0 if logx else None,
                     low_open=logx)
        check.number(f"the y of points[{label!r}]", point[1])
    fig, axes = _figure(figsize=(6.5, 4))
    ax = axes[0, 0]
    xs, ys = zip(*points.values(), strict=True)
    ax.scatter(xs, ys, color="C0")
    # Neighbours along x take turns above and below their points, so close labels stay apart.
    for rank, (label, (x, y)) in enumerate(sorted(points.items(), key=lambda item: item[1])):
        ax.annotate(label, (x, y), textcoords="offset points", fontsize=8,
                    xytext=(5, 4) if rank % 2 == 0 else (5, -11))
    if logx:
        ax.set_xscale("log")
    ax.margins(0.15)
    ax.set_xlabel(xlabel + (" (log scale)" if logx else ""))
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return fig


def lines_by_x(series: Mapping[str, Mapping[float, float]], xlabel: str, ylabel: str,
               title: str, logx: bool = False, percent: bool = True) -> Figure:
    """One line per label through its points {x: y} (fractions shown as percent)."""
    _labels(xlabel=xlabel, ylabel=ylabel, title=title)
    if isinstance(series, dict) and not series:
        raise ValueError("series must hold at least one line, got {}")
    check.mapping("series", series, what="{label: {x: y}}")
    for label, points in series.items():
        check.mapping(f"series[{label!r}]", points, what="{x: y}")
        for x, y in points.items():
            check.number(f"an x of {label!r}", x, low=0 if logx else None, low_open=logx)
            check.number(f"series[{label!r}][{x!r}]", y)
    fig, axes = _figure(figsize=(6, 3.8))
    ax = axes[0, 0]
    scale = 100 if percent else 1
    for label, points in series.items():
        xs = sorted(points)
        ax.plot(xs, [scale * points[x] for x in xs], "o-", label=label)
    if logx:
        ax.set_xscale("log")
        ax.set_xticks(sorted({x for points in series.values() for x in points}),
                      [f"{x:g}" for x in sorted({x for p in series.values() for x in p})])
    ax.set_xlabel(xlabel + (" (log scale)" if logx else ""))
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig
