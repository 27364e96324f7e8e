"""imgclf.viz: each figure has a title, labelled axes and, with several series, a legend."""

from __future__ import annotations

import numpy as np
import pytest

from imgclf import catalog, data, scenes, viz


def assert_labelled(fig):
    panels = [ax for ax in fig.axes if not hasattr(ax, "_colorbar")]  # colour bars: a label
    assert fig.get_suptitle() or all(ax.get_title() for ax in panels if ax.get_visible())
    for ax in panels:
        if not ax.get_visible() or ax.images:  # image panels carry titles, not axes
            assert not ax.get_visible() or ax.get_title()
            continue
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        series = [line for line in ax.lines] + list(ax.containers)
        if len(series) > 1:
            assert ax.get_legend() is not None


@pytest.fixture(scope="module")
def sample():
    return data.load("sample")


def test_image_grid(sample):
    fig = viz.image_grid(sample.x_train[:10], sample.y_train[:10], sample.class_names,
                         title="ten images", ncols=4)
    assert_labelled(fig)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 10
    assert [ax.get_title() for ax in shown] == [sample.class_names[y] for y in sample.y_train[:10]]


def test_image_grid_marks_wrong_predictions(sample):
    predicted = np.array(sample.y_train[:3])
    predicted[1] = (predicted[1] + 1) % 10
    fig = viz.image_grid(sample.x_train[:3], sample.y_train[:3], sample.class_names,
                         title="predictions", predicted=predicted)
    assert fig.axes[1].get_title() == (f"{sample.class_names[predicted[1]]}\n"
                                       f"({sample.class_names[sample.y_train[1]]})")


def test_image_grid_of_colour_images():
    images = np.random.default_rng(0).integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    assert_labelled(viz.image_grid(images, [0, 1], ["cat", "dog"], title="colour"))


def test_image_grid_rejects_mismatched_input(sample):
    with pytest.raises(ValueError, match="N labels"):
        viz.image_grid(sample.x_train[:3], sample.y_train[:2], sample.class_names, title="t")
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        viz.image_grid(sample.x_train[0], [0], sample.class_names, title="t")


def test_class_balance_counts(sample):
    fig = viz.class_balance(sample.y_train, sample.y_test, sample.class_names, title="balance")
    assert_labelled(fig)
    train_bars, test_bars = fig.axes[0].containers
    assert [bar.get_height() for bar in train_bars] == [120] * 10
    assert [bar.get_height() for bar in test_bars] == [30] * 10


def test_training_curves():
    history = {"loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.7, 0.6],
               "accuracy": [0.5, 0.8, 0.9], "val_accuracy": [0.4, 0.7, 0.8]}
    fig = viz.training_curves(history, title="curves")
    assert_labelled(fig)
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    np.testing.assert_allclose(fig.axes[1].lines[1].get_ydata(), [0.4, 0.7, 0.8])


def test_training_curves_needs_a_history():
    with pytest.raises(ValueError, match="non-empty history"):
        viz.training_curves({}, title="empty")


def test_vision_tasks_and_dataset_sizes(sample):
    scene = scenes.compose(sample.x_test, sample.y_test, count=3, seed=1)
    assert_labelled(viz.vision_tasks(scene, sample.class_names, title="tasks"))
    fig = viz.dataset_sizes(catalog.DATASETS, title="sizes")
    assert_labelled(fig)
    widths = sorted(bar.get_width() for bar in fig.axes[0].containers[0])
    assert widths == sorted(d.images for d in catalog.DATASETS)


def test_chapter_figures_are_labelled(sample):
    from imgclf import metrics, models

    assert_labelled(viz.challenge_errors(catalog.ILSVRC_WINNERS, 0.051, title="ilsvrc"))
    assert_labelled(viz.accuracy_by_k([0.5, 0.8, 0.9, 1.0], title="k"))
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(10), 3)
    assert_labelled(viz.top5_bars(sample.x_test[:3], sample.y_test[:3], probabilities,
                                  sample.class_names, title="top 5"))
    matrix = metrics.confusion_matrix(sample.y_test, sample.y_test[::-1], 10)
    assert_labelled(viz.confusion(matrix, sample.class_names, title="confusion"))
    assert_labelled(viz.compare_bars({"a": 0.5, "b": 0.75}, ylabel="accuracy (%)",
                                     title="bars"))
    assert_labelled(viz.parameter_share(models.small_cnn(), title="share"))
    kernel = rng.normal(size=(5, 5, 1, 20))
    fig = viz.filters(kernel, title="filters")
    assert fig.get_suptitle() == "filters" and len([a for a in fig.axes if a.images]) == 20
    history = {"accuracy": [0.5, 0.7], "val_accuracy": [0.4, 0.6]}
    assert_labelled(viz.compare_curves({"run a": history, "run b": history}, "accuracy",
                                       title="curves", error=True))
    assert_labelled(viz.per_layer({"a": {"l1": 1e-3, "l2": 1.0}, "b": {"l1": 1.0, "l2": 1.0}},
                                  ylabel="norm", title="per layer"))
    assert_labelled(viz.labelled_points({"a": (1e6, 70.0), "b": (1e8, 75.0)}, xlabel="size",
                                        ylabel="accuracy (%)", title="points", logx=True))
    fig = viz.lines_by_x({"a": {1: 0.5, 10: 0.7}, "b": {1: 0.4, 10: 0.8}}, xlabel="labels",
                         ylabel="accuracy (%)", title="lines", logx=True)
    assert_labelled(fig)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["1", "10"]
    fig = viz.activation_histograms({"a": {"l1": rng.random(100), "l2": rng.random(100)}},
                                    title="histograms")
    assert fig.get_suptitle() == "histograms"
    assert all(ax.get_xlabel() and ax.get_title() for ax in fig.axes)


def test_chapter_figures_reject_empty_input():
    with pytest.raises(ValueError):
        viz.compare_bars({}, ylabel="y", title="t")
    with pytest.raises(ValueError):
        viz.per_layer({}, ylabel="y", title="t")
    with pytest.raises(ValueError):
        viz.labelled_points({}, xlabel="x", ylabel="y", title="t")
    with pytest.raises(ValueError):
        viz.lines_by_x({}, xlabel="x", ylabel="y", title="t")
    with pytest.raises(ValueError):
        viz.filters(np.zeros((3, 3, 2, 4)), title="t")


def test_challenge_legend_matches_its_bars_and_labels_keep_the_papers_digits():
    from matplotlib.colors import to_rgba

    fig = viz.challenge_errors(catalog.ILSVRC_WINNERS, 0.051, title="ilsvrc")
    ax = fig.axes[0]
    swatches = {text.get_text(): handle for text, handle
                in zip(ax.get_legend().get_texts(), ax.get_legend().legend_handles, strict=True)}
    bars = {r.year: patch for r, patch in zip(catalog.ILSVRC_WINNERS, ax.patches, strict=False)}
    assert swatches["hand-crafted features"].get_facecolor() == bars[2010].get_facecolor()
    assert swatches["deep CNNs"].get_facecolor() == bars[2017].get_facecolor()
    assert bars[2010].get_facecolor() != to_rgba("tab:blue")
    assert "2.25" in [text.get_text() for text in ax.texts]  # SENet's 2.25%, not "2.2"
