"""Figures the chapters share. Each function returns a titled, labelled matplotlib Figure.

Figures are closed before they are returned, so a notebook shows each exactly once: as the
value of the cell that makes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle


def _figure(nrows: int = 1, ncols: int = 1, **kwargs):
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, layout="constrained", **kwargs)
    plt.close(fig)
    return fig, axes


def _show_image(ax, image: np.ndarray) -> None:
    """Draw one HWC uint8 image (grey or colour) without ticks."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        ax.imshow(image[..., 0], cmap="gray_r", vmin=0, vmax=255)
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
        images: uint8 array (N, H, W, C), C = 1 or 3.
        labels: the N true class indices.
        class_names: the name of each class index.
        title: the figure's title.
        predicted: optional predicted class indices; wrong ones are titled "pred (true)" in red.
    """
    images = np.asarray(images)
    if images.ndim != 4 or len(images) != len(labels) or len(images) == 0:
        raise ValueError(
            f"image_grid needs images (N, H, W, C) with N labels, N > 0; got images "
            f"{images.shape} and {len(labels)} labels"
        )
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
    logs: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    metrics = [key for key in logs if not key.startswith("val_") and key != "learning_rate"]
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
