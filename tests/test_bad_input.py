"""Bad input, swept across the package and the CLI: each gets a ValueError or TypeError (or,
from the CLI, exit status 1 or 2 and one line on stderr) that says what was wrong and what is
allowed, raised before anything is written."""

from __future__ import annotations

import numpy as np
import pytest

from imgclf import (
    analysis,
    applications,
    augment,
    check,
    cli,
    data,
    distribute,
    metrics,
    models,
    profiles,
    scenes,
    schedules,
    timing,
    train,
    transfer,
    viz,
)
from imgclf.table import Table

SAMPLE = data.load("sample")
SMOKE = profiles.resolve("smoke")
GREY = np.zeros((4, 28, 28, 1), dtype=np.uint8)


def _dataset(**changes):
    arrays = {"x_train": GREY, "y_train": np.arange(4) % 2, "x_test": GREY,
              "y_test": np.arange(4) % 2}
    arrays.update(changes)
    return data.Dataset("toy", class_names=("a", "b"), source="test", **arrays)


def _branching_model():
    import keras

    inputs = keras.Input((8, 8, 3))
    joined = keras.layers.Add()([keras.layers.Conv2D(3, 3, padding="same")(inputs), inputs])
    return keras.Model(inputs, joined)


def _naive_module_of_widths(*widths):
    import keras

    return models.naive_module(keras.Input((8, 8, 4)), *widths)


CASES = [
    # data
    ("unknown data set", lambda: data.load("cifar11"), ValueError, "Known data sets"),
    ("float images", lambda: _dataset(x_train=GREY.astype("float32")), ValueError,
     "x_train must be uint8 of shape \\(N, H, W, C\\)"),
    ("images without channels", lambda: _dataset(x_test=GREY[..., 0]), ValueError,
     "x_test must be uint8 of shape \\(N, H, W, C\\)"),
    ("labels out of range", lambda: _dataset(y_train=np.array([0, 1, 2, 1])), ValueError,
     "outside 0..1 for 2 classes"),
    ("labels of the wrong length", lambda: _dataset(y_test=np.zeros(3, int)), ValueError,
     "y_test must have shape \\(4,\\)"),
    ("empty subset", lambda: SAMPLE.subset(0, 10), ValueError, "at least 1 element"),
    ("one class selected", lambda: SAMPLE.select_classes([3]), ValueError,
     "2 or more distinct classes"),
    ("too many labels per class", lambda: SAMPLE.labels_per_class(500), ValueError,
     "count must be at most 120"),
    # profiles and settings
    ("unknown profile", lambda: profiles.resolve("fast"), ValueError,
     "Valid profiles: smoke, quick, full, auto"),
    ("unknown data set for a profile", lambda: profiles.resolve("quick", "imagenet"),
     ValueError, "Known data sets"),
    ("zero epochs", lambda: train.config(SMOKE, epochs=0), ValueError,
     "epochs must be a positive integer"),
    ("unknown training setting", lambda: train.config(SMOKE, colour=1), ValueError,
     "unknown training settings \\['colour'\\]"),
    ("label smoothing of 1", lambda: train.config(SMOKE, label_smoothing=1.0), ValueError,
     "label_smoothing must be in \\[0, 1\\)"),
    # models
    ("unknown model", lambda: models.get("resnet18"), ValueError, "Known models: small_cnn"),
    ("image too small for ResNet-50", lambda: models.ResNet50(input_shape=(31, 31, 3)),
     ValueError, "at least 32x32 pixels"),
    ("image too small for Xception", lambda: models.Xception(input_shape=(70, 70, 3)),
     ValueError, "at least 71x71 pixels"),
    ("one class", lambda: models.MiniInception(num_classes=1), ValueError,
     "num_classes must be an integer >= 2"),
    ("two-dimensional input shape", lambda: models.VGG16(input_shape=(224, 224)), ValueError,
     "must be \\(height, width, channels\\)"),
    ("dropout of 1.5", lambda: models.small_cnn(dropout=1.5), ValueError,
     "dropout must be in \\[0, 1\\)"),
    ("CIFAR ResNet depth 21", lambda: models.CifarResNet(21), ValueError,
     "depth must be 6n \\+ 2"),
    ("zero-width Inception branch", lambda: _naive_module_of_widths(4, 0, 4), ValueError,
     "every branch width must be a positive integer"),
    ("weights of a network Keras has none for", lambda: models.pretrained("alexnet"),
     ValueError, "Networks with weights: vgg16"),
    # training
    ("data that is not a Dataset", lambda: train.fit(models.small_cnn(), GREY,
                                                      train.config(SMOKE)), TypeError,
     "data must be a non-empty imgclf.data.Dataset"),
    ("images of another shape than the model's", lambda: train.fit(
        models.small_cnn((32, 32, 3)), SAMPLE, train.config(SMOKE)), ValueError,
     "the model takes images of shape \\(32, 32, 3\\), the data sample has \\(28, 28, 1\\)"),
    ("more classes than outputs", lambda: train.fit(models.small_cnn(num_classes=5), SAMPLE,
                                                    train.config(SMOKE)), ValueError,
     "the model has 5 outputs, the data 10 classes"),
    ("negative crop padding", lambda: augment.RandomCropFlip(-1), ValueError,
     "padding must be a non-negative integer"),
    ("schedule of no steps", lambda: schedules.warmup_cosine(0), ValueError,
     "total_steps must be a positive integer"),
    ("unknown devices", lambda: distribute.choose("tpu"), ValueError,
     "devices must be 'auto', 'none', 'cpu', 'gpu', 'slurm'"),
    # metrics, analysis, timing
    ("top-k with k above the classes", lambda: metrics.top_k_accuracy(
        np.array([0, 1]), np.eye(2), 3), ValueError, "k must be an integer in 1..2"),
    ("top-k without images", lambda: metrics.top_k_accuracy(np.array([]), np.zeros((0, 2)), 1),
     ValueError, "need at least one image"),
    ("top-k label out of range", lambda: metrics.top_k_accuracy(
        np.array([0, 5]), np.eye(2), 1), ValueError, "labels must be in 0..1"),
    ("confusion of unequal lengths", lambda: metrics.confusion_matrix(
        np.array([0, 1]), np.array([0]), 2), ValueError, "need two label arrays of one shape"),
    ("receptive field of a branching model", lambda: analysis.receptive_field(
        _branching_model()), ValueError, "needs a chain of layers"),
    ("timing images of the wrong shape", lambda: timing.forward_seconds(
        models.small_cnn(), np.zeros((2, 32, 32, 3), "float32")), ValueError,
     "takes a batch of shape \\(N, 28, 28, 1\\)"),
    # transfer learning and applications
    ("features of a network without a classifier", lambda: transfer.feature_extractor(
        models.CompactResNet(include_top=False)), ValueError, "must end in a Dense classifier"),
    ("head labels out of range", lambda: transfer.train_head(
        np.zeros((3, 4)), np.array([0, 1, 5]), 3), ValueError, "labels must be in 0..2"),
    ("ImageNet decoding of 10 classes", lambda: applications.decode(np.zeros((1, 10))),
     ValueError, "must be \\(N, 1000\\)"),
    ("ImageNet preprocessing of two channels", lambda: applications.imagenet_classifier(
        models.MobileNet(input_shape=(32, 32, 3), include_top=False, pooling="avg"),
        "mobilenet", (28, 28, 2)), ValueError, "image_shape must be \\(height, width, 1 or 3\\)"),
    # figures, tables, scenes, exercises
    ("image grid of 3-D images", lambda: viz.image_grid(GREY[..., 0], [0] * 4, ["a"], "t"),
     ValueError, "image_grid needs images \\(N, H, W, C\\)"),
    ("class balance of unnamed classes", lambda: viz.class_balance(
        np.array([0, 1]), np.array([0]), ["a"], "t"), ValueError,
     "y_train holds labels 0..1, outside 0..0"),
    ("bars of nothing", lambda: viz.compare_bars({}, ylabel="y", title="t"), ValueError,
     "at least one value"),
    ("table row of the wrong width", lambda: Table.of(["a", "b"], [(1,)]), ValueError,
     "has 1 cells, the table 2"),
    ("scene of no objects", lambda: scenes.compose(GREY, np.arange(4), count=0), ValueError,
     "count must be an integer >= 1"),
    ("unknown exercise", lambda: check.answer("99-anything", 1), ValueError,
     "Exercises with a check: 01-conv-parameters"),
]


@pytest.mark.parametrize("call, error, message", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


CLI_CASES = [
    ("download of an unknown data set", ["download", "cifar11"], 1, "Known data sets"),
    ("train without epochs", ["train", "--model", "small_cnn", "--epochs", "0", "--out", "x"],
     2, "must be a positive whole number, got '0'"),
    ("train an unknown model", ["train", "--model", "resnet18", "--epochs", "1", "--out", "x"],
     1, "Known models"),
    ("settings of an unknown profile", ["settings", "--profile", "fast"], 2,
     "invalid choice: 'fast'"),
    ("settings field that does not exist", ["settings", "--field", "colour"], 1,
     "unknown field 'colour'"),
    ("weights of AlexNet", ["weights", "alexnet"], 1, "No ImageNet weights for 'alexnet'"),
    ("results without records", ["results", "--keep", "quick", "--runs", "nowhere"], 1,
     "no run records"),
    ("notebooks that do not exist", ["run-notebooks", "--profile", "smoke", "--only", "99"],
     1, "notebooks starts with 99"),
]


@pytest.mark.parametrize("argv, status, message", [c[1:] for c in CLI_CASES],
                         ids=[c[0] for c in CLI_CASES])
def test_bad_command_lines_get_one_clear_line(argv, status, message, capsys, tmp_path,
                                              monkeypatch):
    from conftest import REPO

    monkeypatch.chdir(tmp_path)
    if argv[0] == "run-notebooks":
        argv = [*argv, "--notebooks", str(REPO / "notebooks"), "--out", str(tmp_path / "r")]
    try:
        code = cli.main(argv)
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    err = capsys.readouterr().err
    assert code == status and message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [], "nothing written"
