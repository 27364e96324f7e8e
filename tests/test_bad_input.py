"""Bad input, swept across the package and the CLI: each gets a ValueError or TypeError (or,
from the CLI, exit status 1 or 2 and one line on stderr) that says what was wrong and what is
allowed, raised before anything is written."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest

from imgclf import (
    analysis,
    applications,
    atomic,
    augment,
    catalog,
    chapters,
    check,
    checkpoints,
    claims,
    cli,
    cost,
    data,
    diagram,
    distribute,
    fastest,
    gradients,
    hardware,
    metrics,
    models,
    network,
    plans,
    profiles,
    runs,
    scenes,
    schedules,
    spread,
    timing,
    train,
    transfer,
    viz,
)
from imgclf.chapters import resnet, transfer_learning
from imgclf.table import Table

SAMPLE = data.load("sample")
SMOKE = profiles.resolve("smoke")
GREY = np.zeros((4, 28, 28, 1), dtype=np.uint8)
NO_SEEDS = spread.Spread("05-resnet", "quick", "fashion_mnist")


def _json_file(value) -> str:
    import json
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(value, file)
    return file.name


def _truncated_json() -> str:
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "truncated.json"
    path.write_text('{"epochs": [1, 2')
    return str(path)


def _dataset(**changes):
    arrays = {"x_train": GREY, "y_train": np.arange(4) % 2, "x_test": GREY,
              "y_test": np.arange(4) % 2}
    arrays.update(changes)
    return data.Dataset("toy", class_names=("a", "b"), source="test", **arrays)


def _keras():
    import keras

    return keras


def _branching_model():
    import keras

    inputs = keras.Input((8, 8, 3))
    joined = keras.layers.Add()([keras.layers.Conv2D(3, 3, padding="same")(inputs), inputs])
    return keras.Model(inputs, joined)


def _naive_module_of_widths(*widths):
    import keras

    return models.naive_module(keras.Input((8, 8, 4)), *widths)


CASES = [
    ("transfer.head", "one class", lambda: transfer.head(128, 1), ValueError,
     "num_classes must be an integer >= 2, got 1"),
    ("transfer.steps_schedule", "no images", lambda: transfer.steps_schedule(64, 0, 60),
     ValueError, "images must be an integer >= 1, got 0"),
    # cost, plans, diagram
    ("plans.Training", "negative images",
     lambda: plans.Training("x", "x", 1, 1, images=-1, epochs=1, batch_size=1), ValueError,
     "images must be an integer >= 0, got -1"),
    ("plans.Training", "a training of no images (once priced in silence)",
     lambda: plans.Training("x", "x", 1, 1, images=0, epochs=2, batch_size=1), ValueError,
     "x: a training of 2 epochs needs images to train on, got images=0"),
    ("cost.seconds", "an unknown card", lambda: cost.seconds([], "V100"), ValueError,
     "unknown device 'V100'; known: T4, A100, H100"),
    ("cost.seconds", "a plan instead of its trainings (once an error from deep inside)",
     lambda: cost.seconds(plans.chapter("01", SMOKE), "T4"), TypeError,
     "trainings must be a list of imgclf.plans.Training \\(a plan's are plan.trainings"),
    ("cost.device_named", "a card the cost model does not know", lambda: cost.device_named("P100"),
     ValueError, "unknown device 'P100'; known: T4, A100, H100"),
    ("cost.within", "a NaN budget (once a silent False)",
     lambda: cost.within(plans.chapter("01", SMOKE), {"T4": float("nan")}), ValueError,
     "budgets\\['T4'\\] must be a finite number"),
    ("cost.within", "a budget as text (once an error from deep inside)",
     lambda: cost.within(plans.chapter("01", SMOKE), {"T4": "10 min"}), TypeError,
     "budgets\\['T4'\\] must be a number, got '10 min'"),
    ("profiles.resolve", "a negative seed", lambda: profiles.resolve("smoke", seed=-1),
     ValueError, "seed must be an integer >= 0, got -1"),
    ("plans.chapter", "an unknown chapter", lambda: plans.chapter("99", SMOKE), ValueError,
     "name must be a chapter of the book, got '99'; chapters: 01-image-classification"),
    ("cost.chapters_table", "a profile name for settings",
     lambda: cost.chapters_table("quick"), TypeError, "settings must be imgclf.profiles.Settings"),
    ("cost.estimate", "a chapter name for a plan", lambda: cost.estimate("05", "T4"), TypeError,
     "plan must be an imgclf.plans.Plan"),
    ("cost.table", "settings for a plan", lambda: cost.table(SMOKE), TypeError,
     "plan must be an imgclf.plans.Plan"),
    ("chapters.module", "an unknown chapter", lambda: chapters.module("9"), ValueError,
     "name must be a chapter of the book, got '9'"),
    ("cost.within", "budgets as a number",
     lambda: cost.within(plans.chapter("01", SMOKE), 600), TypeError,
     "budgets must map device names to seconds"),
    ("cost.gpu_only_phrase", "a chapter name for a plan",
     lambda: cost.gpu_only_phrase("08-transfer-learning"), TypeError,
     "plan must be an imgclf.plans.Plan"),
    ("transfer.runs_imagenet_comparison", "a profile name for settings",
     lambda: transfer.runs_imagenet_comparison("quick"), TypeError,
     "settings must be what imgclf.profiles.resolve returns, got str"),
    ("cost.estimate_phrase", "a chapter name for a plan",
     lambda: cost.estimate_phrase("05-resnet"), TypeError,
     "plan must be an imgclf.plans.Plan"),
    ("diagram.architecture", "a group that is not a function",
     lambda: diagram.architecture(models.small_cnn(), title="x", group="inception"), TypeError,
     "group must map a layer name to a module name or None"),
    ("diagram.block_model", "a shape without channels",
     lambda: diagram.block_model(models.resnet.basic_block, (32, 32), filters=16), ValueError,
     "input_shape must be \\(height, width, channels\\)"),
    # data
    ("data.load", "unknown data set", lambda: data.load("cifar11"), ValueError, "Known data sets"),
    ("data.Dataset", "float images", lambda: _dataset(x_train=GREY.astype("float32")), ValueError,
     "x_train must be a NumPy array of uint8 images \\(N, H, W, C\\), got float32"),
    ("data.Dataset", "images without channels", lambda: _dataset(x_test=GREY[..., 0]), ValueError,
     "x_test must be a NumPy array of uint8 images \\(N, H, W, C\\)"),
    ("data.Dataset", "a list of images", lambda: _dataset(x_train=GREY.tolist()), TypeError,
     "x_train must be a NumPy array of uint8 images \\(N, H, W, C\\), got list"),
    ("data.Dataset", "a list of labels", lambda: _dataset(y_train=[0, 1, 0, 1]), TypeError,
     "y_train must be a NumPy array of class indices"),
    ("data.Dataset", "class names as labels (once an error from deep inside)",
     lambda: _dataset(y_train=np.array(["a", "b", "a", "b"])), TypeError,
     "y_train must hold numbers"),
    ("data.Dataset", "fractional labels (once accepted in silence)",
     lambda: _dataset(y_test=np.array([0.0, 0.5, 1.0, 1.0])), ValueError,
     "y_test must hold whole class indices"),
    ("data.Dataset", "a single class (once accepted in silence)",
     lambda: data.Dataset("toy", GREY, np.zeros(4, int), GREY, np.zeros(4, int), ("a",), "t"),
     ValueError, "class_names must name at least 2 classes"),
    ("data.Dataset", "test images of another size (once an error after training)",
     lambda: _dataset(x_test=np.zeros((4, 14, 14, 1), np.uint8)), ValueError,
     "x_test's images are \\(14, 14, 1\\), x_train's \\(28, 28, 1\\)"),
    ("data.Dataset", "labels out of range",
     lambda: _dataset(y_train=np.array([0, 1, 2, 1])), ValueError,
     "y_train must be in 0..1, got 0..2"),
    ("data.Dataset", "labels of the wrong length",
     lambda: _dataset(y_test=np.zeros(3, int)), ValueError,
     "y_test must have shape \\(4,\\)"),
    ("data.Dataset", "empty subset",
     lambda: SAMPLE.subset(0, 10), ValueError, "train_size must be at least 1"),
    ("data.Dataset", "one class selected", lambda: SAMPLE.select_classes([3]), ValueError,
     "2 or more distinct classes"),
    ("data.Dataset", "too many labels per class", lambda: SAMPLE.labels_per_class(500), ValueError,
     "count must be at most 120"),
    # profiles and settings
    ("profiles.resolve", "unknown profile", lambda: profiles.resolve("fast"), ValueError,
     "Valid profiles: smoke, quick, full, auto"),
    ("profiles.resolve", "unknown data set for a profile",
     lambda: profiles.resolve("quick", "imagenet"),
     ValueError, "Known data sets"),
    # Once errors from deep inside (AttributeError, KeyError, UFuncTypeError, NumPy's own):
    ("train.config", "a profile name for settings", lambda: train.config("smoke"), TypeError,
     "settings must be an imgclf.profiles.Settings, got str: imgclf.profiles.resolve"),
    ("train.config", "settings of an unknown profile",
     lambda: train.config(dataclasses.replace(SMOKE, profile="fast")), ValueError,
     "settings.profile 'fast' is not a profile. Valid profiles: smoke, quick, full"),
    ("transfer.feature_extractor", "a network's name",
     lambda: transfer.feature_extractor("resnet_compact"), TypeError,
     "network must be a keras.Model, got str: build it first"),
    ("diagram.architecture", "an empty model",
     lambda: diagram.architecture(_keras().Sequential(), title="t"), ValueError,
     "model \\(sequential.*\\) has no layers built yet"),
    ("data.Dataset", "select_classes by name",
     lambda: SAMPLE.select_classes(["T-shirt/top", "Trouser"]), TypeError,
     "classes must be class indices, not names: for \\['T-shirt/top', 'Trouser'\\] pass "
     "\\[0, 1\\]"),
    ("data.Dataset", "a negative seed for a subset", lambda: SAMPLE.subset(10, 10, seed=-1),
     ValueError, "seed must be an integer >= 0, got -1"),
    ("data.Dataset", "a negative seed for labels per class",
     lambda: SAMPLE.labels_per_class(2, seed=-1), ValueError,
     "seed must be an integer >= 0, got -1"),
    ("transfer.few_label_comparison", "one count, not a list",
     lambda: transfer.few_label_comparison(None, SAMPLE, 5, train.config(SMOKE), None),
     TypeError, "counts must be a list of labelled images per class"),
    ("viz.training_curves", "evaluate's dict (numbers, not per-epoch lists)",
     lambda: viz.training_curves({"loss": 0.3, "accuracy": 0.9}, title="t"), TypeError,
     "history\\['loss'\\] must be a list of per-epoch values, got float"),
    ("train.config", "zero epochs", lambda: train.config(SMOKE, epochs=0), ValueError,
     "epochs must be an integer >= 1"),
    ("train.config", "unknown training setting", lambda: train.config(SMOKE, colour=1), ValueError,
     "unknown training settings \\['colour'\\]"),
    ("train.config", "label smoothing of 1",
     lambda: train.config(SMOKE, label_smoothing=1.0), ValueError,
     "label_smoothing must be in \\[0, 1\\)"),
    # models
    ("models.get", "unknown model",
     lambda: models.get("resnet18"), ValueError, "Known models: small_cnn"),
    ("models.ResNet50", "image too small for ResNet-50",
     lambda: models.ResNet50(input_shape=(31, 31, 3)),
     ValueError, "at least 32x32 pixels"),
    ("models.Xception", "image too small for Xception",
     lambda: models.Xception(input_shape=(70, 70, 3)),
     ValueError, "at least 71x71 pixels"),
    ("models.MiniInception", "one class", lambda: models.MiniInception(num_classes=1), ValueError,
     "num_classes must be an integer >= 2"),
    ("models.VGG16", "two-dimensional input shape",
     lambda: models.VGG16(input_shape=(224, 224)), ValueError,
     "must be \\(height, width, channels\\)"),
    ("models.small_cnn", "dropout of 1.5", lambda: models.small_cnn(dropout=1.5), ValueError,
     "dropout must be in \\[0, 1\\)"),
    ("models.CifarResNet", "CIFAR ResNet depth 21", lambda: models.CifarResNet(21), ValueError,
     "depth must be 6n \\+ 2"),
    ("models.naive_module", "zero-width Inception branch",
     lambda: _naive_module_of_widths(4, 0, 4), ValueError,
     "every branch width must be a positive integer"),
    ("models.pretrained", "another size with the top kept (once 'no network?')",
     lambda: models.pretrained("resnet50", input_shape=(64, 64, 3)), ValueError,
     "resnet50 with its ImageNet classifier \\(include_top=True\\) takes \\(224, 224, 3\\) "
     "images, got input_shape=\\(64, 64, 3\\)"),
    ("models.pretrained", "weights of a network Keras has none for",
     lambda: models.pretrained("alexnet"),
     ValueError, "Networks with weights: vgg16"),
    # training
    ("train.fit", "data that is not a Dataset", lambda: train.fit(models.small_cnn(), GREY,
                                                      train.config(SMOKE)), TypeError,
     "data must be a non-empty imgclf.data.Dataset"),
    ("train.fit", "images of another shape than the model's", lambda: train.fit(
        models.small_cnn((32, 32, 3)), SAMPLE, train.config(SMOKE)), ValueError,
     "the model takes images of shape \\(32, 32, 3\\), the data sample has \\(28, 28, 1\\)"),
    ("train.fit", "more classes than outputs",
     lambda: train.fit(models.small_cnn(num_classes=5), SAMPLE,
                                                    train.config(SMOKE)), ValueError,
     "the model has 5 outputs, the data 10 classes"),
    ("augment.RandomCropFlip", "negative crop padding",
     lambda: augment.RandomCropFlip(-1), ValueError,
     "padding must be a non-negative integer"),
    ("schedules.warmup_cosine", "schedule of no steps",
     lambda: schedules.warmup_cosine(0), ValueError,
     "total_steps must be a positive integer"),
    ("distribute.choose", "unknown devices", lambda: distribute.choose("tpu"), ValueError,
     "devices must be 'auto', 'none', 'cpu', 'gpu', 'slurm'"),
    # claims
    ("chapters.resnet.degradation", "a network missing", lambda: resnet.degradation(
        {"plain20_training_error": 0.1, "plain56_training_error": 0.2,
         "resnet20_training_error": 0.1}, 20, 56, NO_SEEDS), KeyError,
     "values has no 'resnet56_training_error'; it has 'plain20_training_error'"),
    ("chapters.resnet.degradation", "depths out of order", lambda: resnet.degradation(
        {}, 56, 20, NO_SEEDS), ValueError, "deep must be an integer >= 57"),
    ("claims.order", "a percentage for a fraction", lambda: claims.order(
        "Claim.", {"a": 10, "b": 0.2}, "a", "b", NO_SEEDS), ValueError,
     r"values\['a'\] \(scale 'percent'\) must be a finite number in \[-1, 1\]"),
    ("claims.order", "a record for a spread", lambda: claims.order(
        "Claim.", {"a": 0.1, "b": 0.2}, "a", "b", {"seeds": [0, 1, 2]}), TypeError,
     "spread must be an imgclf.spread.Spread"),
    ("claims.ahead", "an unknown scale", lambda: claims.ahead(
        {"a": 0.1, "b": 0.2}, "a", "b", NO_SEEDS, scale="log"), ValueError, "scale must be"),
    ("chapters.transfer_learning.transfer", "one count for a list",
     lambda: transfer_learning.transfer(
        {"feature_extraction_at_1_labels": 0.5}, 1, NO_SEEDS), TypeError,
     "counts must be a list of labelled images per class"),
    ("chapters.transfer_learning.transfer", "a count the values lack",
     lambda: transfer_learning.transfer(
        {"fine_tuning_at_1_labels": 0.5, "feature_extraction_at_1_labels": 0.4}, [1, 10],
        NO_SEEDS), KeyError, "values has no 'fine_tuning_at_10_labels'"),
    # spread
    ("spread.of", "a profile name for settings", lambda: spread.of("05-resnet", "quick"),
     TypeError, "settings must be imgclf.profiles.Settings"),
    ("spread.of", "no chapter", lambda: spread.of("", SMOKE), ValueError,
     "chapter must be a non-empty string"),
    ("spread.read", "a record of another chapter", lambda: spread.read(
        _json_file({"chapter": "06-inception", "profile": "quick", "dataset": "x"}),
        "05-resnet", "quick", "x"), ValueError, "is not the seed record of 05-resnet"),
    ("spread.path", "no chapter", lambda: spread.path(None, "quick", "x"), TypeError,
     "chapter must be a string"),
    ("spread.verdict", "a gap that is not a number", lambda: spread.verdict(
        "0.1", [0.1, 0.2, 0.3]), TypeError, "run_gap must be a number"),
    ("spread.verdict", "a NaN among the seeds", lambda: spread.verdict(
        0.1, [0.1, float("nan"), 0.3]), ValueError, "seed_gaps\\[1\\] must be a finite number"),
    ("spread.summary", "no values", lambda: spread.summary([]), ValueError,
     "values must hold at least one value"),
    ("transfer.head_run", "images for a data set", lambda: transfer.head_run(
        _keras().Sequential([_keras().Input((4,)), _keras().layers.Dense(2)]), GREY),
     TypeError, "labelled must be an imgclf.data.Dataset"),
    ("transfer.metrics", "one result for a list", lambda: transfer.metrics(
        transfer.Result(1, "fine-tuning", 0.5, 1.0)), TypeError,
     "results must be a list of imgclf.transfer.Result"),
    # metrics, analysis, timing
    ("metrics.top_k_accuracy", "top-k with k above the classes", lambda: metrics.top_k_accuracy(
        np.array([0, 1]), np.eye(2), 3), ValueError, "k must be an integer in 1..2"),
    ("metrics.top_k_accuracy", "top-k without images",
     lambda: metrics.top_k_accuracy(np.array([]), np.zeros((0, 2)), 1),
     ValueError, "probabilities must not be empty"),
    ("metrics.top_k_accuracy", "top-k label out of range", lambda: metrics.top_k_accuracy(
        np.array([0, 5]), np.eye(2), 1), ValueError, "y_true must be in 0..1"),
    ("metrics.top_k_accuracy", "fractional labels (once a silent 0.667)", lambda:
     metrics.top_k_accuracy(np.array([0.5, 1.0, 2.0]), np.eye(3), 1), ValueError,
     "y_true must hold whole class indices"),
    ("metrics.confusion_matrix", "confusion of unequal lengths", lambda: metrics.confusion_matrix(
        np.array([0, 1]), np.array([0]), 2), ValueError,
     "y_true and y_pred must be two label arrays of one shape"),
    ("analysis.receptive_field", "receptive field of a branching model",
     lambda: analysis.receptive_field(
        _branching_model()), ValueError, "needs a model that is a chain of layers"),
    ("timing.forward_seconds", "timing images of the wrong shape", lambda: timing.forward_seconds(
        models.small_cnn(), np.zeros((2, 32, 32, 3), "float32")), ValueError,
     "takes a batch of shape \\(N, 28, 28, 1\\)"),
    # transfer learning and applications
    ("transfer.feature_extractor", "features of a network without a classifier",
     lambda: transfer.feature_extractor(
        models.CompactResNet(include_top=False)), ValueError, "must end in a Dense classifier"),
    ("transfer.train_head", "head labels out of range", lambda: transfer.train_head(
        np.zeros((3, 4)), np.array([0, 1, 5]), 3), ValueError, "labels must be in 0..2"),
    ("applications.decode", "ImageNet decoding of 10 classes",
     lambda: applications.decode(np.zeros((1, 10))),
     ValueError, "must be \\(N, 1000\\)"),
    ("applications.imagenet_classifier", "ImageNet preprocessing of two channels",
     lambda: applications.imagenet_classifier(
        models.MobileNet(input_shape=(32, 32, 3), include_top=False, pooling="avg"),
        "mobilenet", (28, 28, 2)), ValueError, "image_shape must be \\(height, width, 1 or 3\\)"),
    # figures, tables, scenes, exercises
    ("viz.image_grid", "image grid of 3-D images",
     lambda: viz.image_grid(GREY[..., 0], [0] * 4, ["a"], "t"),
     ValueError, "images must be an array of images \\(N, H, W, C\\), got shape"),
    ("viz.image_grid", "0-255 values as floats (once drawn blank)",
     lambda: viz.image_grid(GREY.astype("float32") + 200, [0] * 4, ["a", "b"], "t"),
     ValueError, "images must be uint8 \\(0-255\\) or floats in \\[0, 1\\], got floats in "
                 "\\[200, 200\\]. They look like 0-255 values stored as floats"),
    ("viz.class_balance", "class balance of unnamed classes", lambda: viz.class_balance(
        np.array([0, 1]), np.array([0]), ["a"], "t"), ValueError,
     "y_train holds labels 0..1, outside 0..0"),
    ("viz.compare_bars", "bars of nothing",
     lambda: viz.compare_bars({}, ylabel="y", title="t"), ValueError,
     "at least one value"),
    ("table.Table", "table row of the wrong width",
     lambda: Table.of(["a", "b"], [(1,)]), ValueError,
     "has 1 cells, the table 2"),
    ("scenes.compose", "scene of no objects",
     lambda: scenes.compose(GREY, np.arange(4), count=0), ValueError,
     "count must be an integer >= 1"),
    ("check.answer", "unknown exercise", lambda: check.answer("99-anything", 1), ValueError,
     "Exercises with a check: 01-conv-parameters"),
    ("check.experiment", "measurements under other names",
     lambda: check.experiment("05-deeper-plain", plain20=1.0), ValueError,
     "takes the measurements plain56=..., plain110=..., batch=..., got plain20=..."),
    # analysis: objects of the wrong kind
    ("analysis.inbound_layers", "a name instead of a layer", lambda: analysis.inbound_layers(
        "conv1"), TypeError, "layer must be a keras layer, got str"),
    ("analysis.layer_table", "a path instead of a model", lambda: analysis.layer_table(
        "model.keras"), TypeError, "model must be a keras.Model, got str"),
    ("analysis.layers_of", "a list of layers", lambda: analysis.layers_of([]), TypeError,
     "model must be a keras.Model, got list"),
    ("fastest.adapt", "a network's name", lambda: fastest.adapt("four_layer_cnn"), TypeError,
     "network must be a keras.Model, got str: build it first"),
    ("fastest.policy_for", "a list of layers", lambda: fastest.policy_for([]), TypeError,
     "network must be a keras.Model, got list"),
    ("fastest.precision_of", "a policy name", lambda: fastest.precision_of("float32"),
     TypeError, "network must be a keras.Model, got str"),
    ("fastest.has_batch_norm", "a model's config", lambda: fastest.has_batch_norm(
        {"layers": []}), TypeError, "network must be a keras.Model, got dict"),
    ("fastest.has_convolutions", "nothing", lambda: fastest.has_convolutions(None), TypeError,
     "network must be a keras.Model, got NoneType"),
    ("analysis.multiply_adds", "a layer no model has called", lambda: analysis.multiply_adds(
        _keras().layers.Dense(3)), ValueError, "has not been called on an input yet"),
    ("analysis.totals", "no model", lambda: analysis.totals(None), TypeError,
     "model must be a keras.Model, got NoneType"),
    ("analysis.weighted_depth", "weights instead of a model", lambda: analysis.weighted_depth(
        np.zeros(3)), TypeError, "model must be a keras.Model, got ndarray"),
    ("analysis.weighted_layers", "a model's name", lambda: analysis.weighted_layers(
        "alexnet"), TypeError, "model must be a keras.Model, got str"),
    ("applications.table", "names instead of measurements", lambda: applications.table(
        ["vgg16"]), TypeError, "measured must be a list of imgclf.applications.Measured"),
    # files
    ("atomic.write_bytes", "text instead of bytes", lambda: atomic.write_bytes(
        "/tmp/imgclf-never-written.txt", "text"), TypeError, "data must be bytes, got str"),
    ("atomic.read_json", "a truncated file (once a parser position without the path)",
     lambda: atomic.read_json(_truncated_json(), "write it again"), ValueError,
     "truncated.json is not valid JSON .*: write it again"),
    ("atomic.write_json", "NaN, which JSON cannot hold", lambda: atomic.write_json(
        "/tmp/imgclf-never-written.json", {"loss": float("nan")}), ValueError,
     "JSON has no NaN or infinity"),
    ("checkpoints.EpochLog", "a folder for the log file", lambda: checkpoints.EpochLog("/tmp"),
     ValueError, "path must be a file, but /tmp is a folder"),
    ("checkpoints.WorkerBackup", "chief given as a number", lambda: checkpoints.WorkerBackup(
        "/tmp/imgclf-backup-never", chief=1), TypeError, "chief must be True or False"),
    ("cli.parser", "an empty program name", lambda: cli.parser(""), ValueError,
     "prog must be the program's name"),
    ("cli.program_name", "a path object", lambda: cli.program_name(7), TypeError,
     "argv0 must be a string"),
    # data
    ("data.download", "a file as the target folder", lambda: data.download(
        "fashion_mnist", to=__file__), ValueError, "to must be a folder, but"),
    ("data.places", "a name instead of a spec", lambda: data.places("cifar10"), TypeError,
     "spec must be a DataSpec \\(imgclf.data.spec\\(name\\)\\)"),
    ("data.scale", "float images", lambda: data.scale(GREY.astype("float32")), TypeError,
     "scale takes uint8 images"),
    ("data.spec", "a number", lambda: data.spec(10), TypeError,
     "name must be a data set's name, a string, got 10 \\(int\\)"),
    ("data.stratified_indices", "more than there are", lambda: data.stratified_indices(
        np.arange(10) % 2, 11, np.random.default_rng(0)), ValueError,
     "size=11 is more than the 10 there are; ask for None"),
    ("data.Dataset", "a subset larger than the data", lambda: SAMPLE.subset(5000, 10),
     ValueError, "train_size=5000 is more than the 1200 there are"),
    # distribute
    ("distribute.expand_hostlist", "a backwards range (once 'SLURM lists 0 nodes')",
     lambda: distribute.expand_hostlist("node[3-1]"), ValueError,
     "the range '3-1' of 'node\\[3-1\\]' runs backwards \\(3 > 1\\); SLURM writes ranges "
     "low-high, e.g. node\\[1-3\\]"),
    ("distribute.slurm_task", "a backwards node range",
     lambda: distribute.slurm_task({"SLURM_JOB_ID": "7", "SLURM_PROCID": "0",
                                    "SLURM_NTASKS": "2", "SLURM_JOB_NODELIST": "node[3-1]",
                                    "SLURM_TASKS_PER_NODE": "1(x2)"}), ValueError,
     "unreadable SLURM host list hostlist='node\\[3-1\\]'"),
    ("distribute.expand_hostlist", "a list of hosts", lambda: distribute.expand_hostlist(
        ["a", "b"]), TypeError, "hostlist must be SLURM's node list, a string"),
    ("distribute.expand_tasks_per_node", "an unreadable count", lambda:
     distribute.expand_tasks_per_node("two"), ValueError, "unreadable SLURM tasks per node"),
    ("distribute.local_devices", "a TPU", lambda: distribute.local_devices("tpu"), ValueError,
     "device kind must be 'gpu' or 'cpu'"),
    ("distribute.replicated", "a device count", lambda: distribute.replicated(2).__enter__(),
     TypeError, "devices must be what imgclf.distribute.choose"),
    ("distribute.slurm_task", "outside a SLURM job", lambda: distribute.slurm_task({}),
     ValueError, "SLURM_JOB_ID is not set"),
    ("distribute.start_workers", "a list for the environment", lambda:
     distribute.start_workers(["SLURM_JOB_ID=1"]), TypeError,
     "environ must be a mapping of environment variables"),
    ("gradients.kernel_gradient_norms", "labels beyond the outputs", lambda:
     gradients.kernel_gradient_norms(models.small_cnn(num_classes=2), GREY, np.arange(4)),
     ValueError, "y must be in 0..1, got 0..3"),
    ("gradients.first_over_last", "a list of norms", lambda: gradients.first_over_last(
        [1.0, 0.5, 0.1]), TypeError, "norms must be a dict of gradient norms per layer"),
    ("hardware.calibrate", "no steps", lambda: hardware.calibrate(steps=0), ValueError,
     "steps must be an integer >= 1"),
    ("metrics.confused_pairs", "more pairs than there are", lambda: metrics.confused_pairs(
        np.eye(3), ["a", "b", "c"], count=4), ValueError, "count 4 is more than the 3 pairs"),
    ("metrics.top_k_accuracy", "NaN probabilities", lambda: metrics.top_k_accuracy(
        np.array([0, 1]), np.array([[np.nan, 1.0], [0.0, 1.0]]), 1), ValueError,
     "holds 1 values that are not finite"),
    ("metrics.confusion_matrix", "no classes", lambda: metrics.confusion_matrix(
        np.array([0]), np.array([0]), 0), ValueError, "num_classes must be an integer >= 1"),
    # models: builders and blocks
    ("models.AlexNet", "dropout of 1", lambda: models.AlexNet(dropout=1.0), ValueError,
     "dropout must be in \\[0, 1\\)"),
    ("models.AlexNetOneTower", "images too small", lambda: models.AlexNetOneTower(
        input_shape=(32, 32, 3)), ValueError, "at least 67x67 pixels"),
    ("models.AlexNetSmall", "one class", lambda: models.AlexNetSmall(num_classes=1),
     ValueError, "num_classes must be an integer >= 2"),
    ("models.VGGSmall", "dropout of one", lambda: models.VGGSmall(dropout=1.0), ValueError,
     "dropout must be in \\[0, 1\\)"),
    ("models.VGGSmall", "a block without its convolution count", lambda: models.VGGSmall(
        blocks=((32,), (64, 2))), ValueError, "blocks must be one or more \\(filters, "
     "convolutions\\) pairs"),
    ("models.VGGSmall", "a block of no convolutions", lambda: models.VGGSmall(
        blocks=((32, 0),)), ValueError,
     "the convolutions of blocks\\[0\\] must be an integer >= 1"),
    ("models.VGGSmall", "more blocks than the image allows", lambda: models.VGGSmall(
        (28, 28, 1), blocks=((8, 1),) * 5), ValueError, "at least 32x32 pixels"),
    ("models.VGGSmall", "dense widths as a number", lambda: models.VGGSmall(dense_units=512),
     TypeError, "dense_units must be a tuple or list"),
    ("models.CompactResNet", "an unknown shortcut", lambda: models.CompactResNet(
        shortcut="C"), ValueError, "shortcut must be one of"),
    ("models.GoogLeNet", "auxiliary classifiers on small images", lambda: models.GoogLeNet(
        input_shape=(64, 64, 3), auxiliary=True), ValueError,
     "auxiliary classifiers need at least 112x112 pixels"),
    ("models.InceptionV3", "images too small", lambda: models.InceptionV3(
        input_shape=(74, 74, 3)), ValueError, "at least 75x75 pixels"),
    ("models.MiniXception", "unknown pooling", lambda: models.MiniXception(
        include_top=False, pooling="sum"), ValueError, "pooling must be None, 'avg' or 'max'"),
    ("models.MobileNet", "a float class count", lambda: models.MobileNet(num_classes=10.0),
     ValueError, "num_classes must be an integer >= 2"),
    ("models.ResNet101", "negative size", lambda: models.ResNet101(input_shape=(-1, 64, 3)),
     ValueError, "must be \\(height, width, channels\\) of positive integers"),
    ("models.ResNet152", "images too small", lambda: models.ResNet152(
        input_shape=(16, 16, 3)), ValueError, "at least 32x32 pixels"),
    ("models.VGG19", "images too small", lambda: models.VGG19(input_shape=(31, 31, 3)),
     ValueError, "at least 32x32 pixels"),
    ("models.deep_mlp", "no layers", lambda: models.deep_mlp(depth=0), ValueError,
     "depth and width must be positive integers"),
    ("models.four_layer_cnn", "images smaller than its poolings", lambda:
     models.four_layer_cnn(input_shape=(3, 3, 1)), ValueError, "at least 4x4 pixels"),
    ("models.plain_cnn", "an empty stage", lambda: models.plain_cnn(stages=((32,), ())),
     ValueError, "stages must be non-empty tuples of positive widths"),
    ("models.BatchNormalization", "an axis the images do not have", lambda:
     models.BatchNormalization(axis=5)(np.zeros((2, 3, 3, 1), "float32")), ValueError,
     "axis 5 is not an axis of inputs of shape"),
    ("models.LocalResponseNormalization", "an even window", lambda:
     models.LocalResponseNormalization(size=4), ValueError, "positive odd integer"),
    ("models.basic_block", "an array instead of a tensor", lambda: models.basic_block(
        np.zeros((1, 8, 8, 3)), 16), TypeError, "basic_block takes as x the output of a layer"),
    ("models.bottleneck_block", "zero filters", lambda: models.bottleneck_block(
        _keras().Input((8, 8, 16)), 0), ValueError, "filters must be an integer >= 1"),
    ("models.preact_block", "zero filters", lambda: models.preact_block(
        _keras().Input((8, 8, 16)), 0), ValueError, "filters must be an integer >= 1"),
    ("diagram.side_by_side", "a model without a label", lambda: diagram.side_by_side(
        [models.small_cnn()], title="t"), TypeError, "models must be a dict {label: keras.Model"),
    ("diagram.legibility", "a saved image for a figure", lambda: diagram.legibility(
        "figure.png"), TypeError, "figure must be a matplotlib Figure, got str"),
    ("diagram.defects", "no figure", lambda: diagram.defects(None), TypeError,
     "figure must be a matplotlib Figure, got NoneType"),
    ("models.conv_bn_relu", "momentum of 1", lambda: models.conv_bn_relu(
        _keras().Input((8, 8, 3)), 8, momentum=1.0), ValueError,
     "momentum must be in \\[0, 1\\)"),
    ("models.depthwise_pointwise", "a kernel of 0", lambda: models.depthwise_pointwise(
        _keras().Input((8, 8, 3)), 8, kernel=0), ValueError, "kernel must be an integer >= 1"),
    ("models.reduction_module", "a flat tensor", lambda: models.reduction_module(
        _keras().Input((16,)), 1, 1, 1, 1, 1, 1), TypeError, "a Keras tensor \\(N, H, W, C\\)"),
    ("models.residual_module", "a scale of 2", lambda: models.residual_module(
        _keras().Input((8, 8, 4)), 4, scale=2.0), ValueError, "scale must be a number in"),
    # network, runs, train, transfer
    ("network.keras_download_timeout", "no time", lambda:
     network.keras_download_timeout(0).__enter__(), ValueError,
     "seconds must be a positive number"),
    ("network.reason", "a message instead of an exception", lambda: network.reason("failed"),
     TypeError, "error must be an exception"),
    ("runs.report", "a dict instead of settings", lambda: runs.report({"profile": "smoke"},
                                                                    accuracy=0.5), TypeError,
     "settings must be imgclf.profiles.resolve"),
    ("runs.report", "no metric", lambda: runs.report(SMOKE), ValueError,
     "report needs at least one metric, got no metrics"),
    ("train.fit", "a config from elsewhere", lambda: train.fit(models.small_cnn(), SAMPLE,
                                                              {"epochs": 1}), TypeError,
     "cfg must be a TrainConfig"),
    ("train.fit", "an out_dir that is a file", lambda: train.fit(
        models.small_cnn(), SAMPLE, train.config(SMOKE), out_dir=__file__), ValueError,
     "out_dir must be a folder, but"),
    ("train.config", "a seed below 0", lambda: train.config(SMOKE, seed=-1), ValueError,
     "seed must be an integer >= 0"),
    ("train.fit_each", "built models instead of builders", lambda: train.fit_each(
        {"a": models.small_cnn()}, SAMPLE, train.config(SMOKE)), TypeError,
     "builders must map names to functions that build models"),
    ("train.save", "a file without .keras", lambda: train.save(models.small_cnn(),
                                                              "/tmp/model.h5"), ValueError,
     "path must be a file name ending in .keras"),
    ("train.scaled_inputs", "a flat shape", lambda: train.scaled_inputs((784,)), ValueError,
     "image_shape must be \\(height, width, channels\\)"),
    ("train.weights_digest", "weights instead of a model", lambda: train.weights_digest(
        [np.zeros(3)]), TypeError, "model must be a keras.Model, got list"),
    ("transfer.accuracy_by_count", "numbers instead of results", lambda:
     transfer.accuracy_by_count([0.5]), TypeError, "results must be a list of"),
    ("transfer.extract", "a batch size of 0", lambda: transfer.extract(
        models.small_cnn(), GREY, batch_size=0), ValueError,
     "batch_size must be an integer >= 1"),
    ("transfer.few_label_comparison", "a count of 0 labels", lambda:
     transfer.few_label_comparison(models.small_cnn(), SAMPLE, (0,), train.config(SMOKE),
                                   scratch=None), ValueError,
     "counts\\[0\\] \\(labels per class\\) must be an integer >= 1"),
    ("transfer.fine_tuning_model", "a network instead of an extractor", lambda:
     transfer.fine_tuning_model(models.small_cnn(), models.small_cnn()), TypeError,
     "extractor must come from imgclf.transfer.feature_extractor"),
    # figures
    ("viz.accuracy_by_k", "percentages instead of fractions", lambda: viz.accuracy_by_k(
        [90.0, 99.0], title="t"), ValueError, "accuracies must be fractions in \\[0, 1\\]"),
    ("viz.activation_histograms", "runs with other layers", lambda:
     viz.activation_histograms({"a": {"x": np.ones(3)}, "b": {"y": np.ones(3)}}, title="t"),
     ValueError, "every run must show the same layers"),
    ("viz.challenge_errors", "a human error in percent", lambda: viz.challenge_errors(
        catalog.ILSVRC_WINNERS, 5.1, title="t"), ValueError,
     "human_error must be a finite number in \\[0, 1\\]"),
    ("viz.compare_curves", "a metric the histories lack", lambda: viz.compare_curves(
        {"a": {"loss": [1.0]}}, "accuracy", title="t"), ValueError,
     "histories\\['a'\\] has no metric 'accuracy'"),
    ("viz.confusion", "a matrix that is not square", lambda: viz.confusion(
        np.zeros((2, 3)), ["a", "b"], title="t"), ValueError, "matrix must be square"),
    ("viz.dataset_sizes", "names instead of facts", lambda: viz.dataset_sizes(
        ["MNIST"], title="t"), TypeError, "facts must be a non-empty list of"),
    ("viz.filters", "a kernel with NaN", lambda: viz.filters(
        np.full((3, 3, 1, 2), np.nan), title="t"), ValueError, "values that are not finite"),
    ("viz.image_grid", "predictions beyond the classes", lambda: viz.image_grid(
        GREY, [0, 1, 0, 1], ["a", "b"], "t", predicted=[0, 1, 2, 0]), ValueError,
     "predicted must be in 0..1"),
    ("viz.labelled_points", "x of 0 on a log axis", lambda: viz.labelled_points(
        {"a": (0, 1.0)}, "x", "y", "t", logx=True), ValueError,
     "the x of points\\['a'\\] must be a finite"),
    ("viz.lines_by_x", "a point that is not a number", lambda: viz.lines_by_x(
        {"a": {1: "high"}}, "x", "y", "t"), TypeError, "must be a number, got 'high'"),
    ("viz.parameter_share", "no model", lambda: viz.parameter_share(None, title="t"),
     TypeError, "model must be a keras.Model"),
    ("viz.per_layer", "zero on a log scale", lambda: viz.per_layer(
        {"a": {"dense1": 0.0}}, ylabel="y", title="t"), ValueError,
     "holds values <= 0, which a log scale cannot show"),
    ("viz.top5_bars", "names for fewer classes", lambda: viz.top5_bars(
        GREY[:1], [0], np.full((1, 3), 1 / 3), ["a", "b"], title="t"), ValueError,
     "class_names must hold 3 names, got 2"),
    ("viz.training_curves", "no title", lambda: viz.training_curves({"loss": [1.0]}, title=""),
     ValueError, "title must be a non-empty string"),
    ("viz.vision_tasks", "an image instead of a scene", lambda: viz.vision_tasks(
        GREY[0], ["a"], title="t"), TypeError, "scene must be an imgclf.scenes.Scene"),
    ("viz.compare_bars", "a value that is not finite", lambda: viz.compare_bars(
        {"a": float("inf")}, ylabel="y", title="t"), ValueError,
     "values\\['a'\\] must be a finite number"),
]


#: Cases whose message rightly names something other than a parameter, with the reason.
NAMES_NO_PARAMETER = {
    "distribute.slurm_task": "its input is SLURM's environment: the message names the variable",
}


def argument_names(value) -> set[str]:
    """The parameter names of a public function, or of a class's constructor and methods."""
    import inspect

    functions = [value]
    if inspect.isclass(value):
        functions = [value.__init__, *(getattr(value, name) for name in dir(value)
                                       if not name.startswith("_")
                                       and callable(getattr(value, name)))]
    names = set()
    for function in functions:
        try:
            names |= {name for name in inspect.signature(function).parameters
                      if name not in ("self", "cls")}
        except (TypeError, ValueError):  # a builtin without a signature
            continue
    return names


def names_an_argument(value, message: str) -> bool:
    """Whether `message` names one of `value`'s parameters as a word (``x``, ``x[0]``,
    ``x=...``), or, for a function of keyword arguments (**settings), a keyword it was given
    (``epochs must ...``, ``plain20=...``)."""
    import inspect
    import re

    names = argument_names(value)
    if any(re.search(rf"(?<![\w.]){re.escape(name)}(?![\w(])", message) for name in names):
        return True
    try:
        keywords = any(p.kind is p.VAR_KEYWORD
                       for p in inspect.signature(value).parameters.values())
    except (TypeError, ValueError):
        keywords = False
    return keywords and re.search(r"^\w+ must |\b\w+=", message) is not None


@pytest.mark.parametrize("name, call, error, message", [(c[0], *c[2:]) for c in CASES],
                         ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_bad_input_gets_a_clear_error_that_names_the_argument(name, call, error, message):
    with pytest.raises(error, match=message) as raised:
        call()
    if name not in NAMES_NO_PARAMETER:
        public = public_api()[name]
        assert names_an_argument(public, str(raised.value)), (
            f"the message names none of {sorted(argument_names(public))}: {raised.value}")


TRAIN = ["train", "--model", "small_cnn", "--dataset", "sample", "--profile", "smoke",
         "--epochs", "1", "--out", "run"]


def _train(*changes: str) -> list[str]:
    """The train command line with the options `changes` names replaced."""
    argv = list(TRAIN)
    for option, value in zip(changes[::2], changes[1::2], strict=True):
        argv[argv.index(option) + 1] = value
    return argv


CLI_CASES = [
    ("download of an unknown data set", ["download", "cifar11"], 1,
     "Known data sets: fashion_mnist, mnist, cifar10, cifar100, sample"),
    ("download of nothing", ["download"], 1, "give a data set NAME or --profile P"),
    ("train without epochs", _train("--epochs", "0"), 2,
     "--epochs: must be a positive whole number, got '0'"),
    ("train for 'two' epochs", _train("--epochs", "two"), 2,
     "--epochs: must be a positive whole number, got 'two'"),
    ("train an unknown model", _train("--model", "resnet18"), 1,
     "Unknown model 'resnet18'. Known models: small_cnn"),
    ("train a model too large for the images", _train("--model", "resnet50"), 1,
     "at least 32x32 pixels"),
    ("train on an unknown data set", _train("--dataset", "imagenet"), 1,
     "Unknown data set dataset='imagenet'"),
    ("train in an unknown profile", _train("--profile", "fast"), 2, "invalid choice: 'fast'"),
    ("train without --out", TRAIN[:-2], 2, "--out"),
    ("settings of an unknown profile", ["settings", "--profile", "fast"], 2,
     "invalid choice: 'fast'"),
    ("settings field that does not exist", ["settings", "--field", "colour"], 1,
     "unknown field 'colour'; fields: profile, dataset"),
    ("weights of AlexNet", ["weights", "alexnet"], 1, "No ImageNet weights for name='alexnet'"),
    ("a tooling command", ["run-notebooks", "--profile", "smoke"], 2,
     "run-notebooks is part of the course's tooling (imgclf/course)"),
    # The course's tooling, python -m imgclf.course:
    ("results without records", ["course", "results", "--keep", "quick", "--runs", "nowhere"],
     1, "no run records"),
    ("notebooks that do not exist", ["course", "run-notebooks", "--profile", "smoke", "--only",
                                     "99"], 1, "notebooks starts with 99"),
    ("seed spread from two seeds", ["course", "noise", "--profile", "quick", "--seeds", "2"], 1,
     "give at least 3 different seeds"),
    ("an unknown tooling command", ["course", "train"], 2, "invalid choice: 'train'"),
]


@pytest.mark.parametrize("argv, status, message", [c[1:] for c in CLI_CASES],
                         ids=[c[0] for c in CLI_CASES])
def test_bad_command_lines_get_one_clear_line(argv, status, message, capsys, tmp_path,
                                              monkeypatch):
    from conftest import REPO

    monkeypatch.chdir(tmp_path)
    # A repository root as the tooling commands require it (their own case below runs
    # without one); nothing else may appear.
    (tmp_path / "_config.yml").write_text("")
    (tmp_path / "notebooks").mkdir()
    before = set(tmp_path.iterdir())
    main = cli.main
    if argv[0] == "course":
        from imgclf.course.cli import main

        argv = argv[1:]
    if argv[0] == "run-notebooks" and main is not cli.main:
        argv = [*argv, "--notebooks", str(REPO / "notebooks"), "--out", str(tmp_path / "r")]
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    err = capsys.readouterr().err
    assert code == status and message in err and "Traceback" not in err
    assert set(tmp_path.iterdir()) == before, "nothing written"


# --- Every public function and class of the learner's package has a case ---------------------

#: Public names that take no argument a caller could get wrong, with the reason.
WITHOUT_ARGUMENTS = "takes no arguments"
EXEMPT = {
    # Records the package returns (a caller reads them; the package builds them).
    **{name: "a record imgclf returns" for name in (
        "analysis.Totals", "analysis.WeightedLayer", "applications.ApplicationFacts",
        "applications.Measured",
        "catalog.ChallengeResult", "catalog.DatasetFacts",
        "distribute.SlurmTask", "distribute.Workers", "distribute.Replication",
        "profiles.Settings", "scenes.Scene", "scenes.SceneObject", "train.Trained",
        "transfer.Result", "transfer.HeadRun", "claims.Outcome", "spread.Spread",
        "diagram.Legibility")},
    # Exceptions: raised by imgclf with their message, never called with user values.
    **{name: "an exception imgclf raises" for name in (
        "data.CorruptDataError", "data.DataNotFoundError", "models.WeightsUnavailableError",
        "train.TrainingDiverged", "diagram.IllegibleDiagramWarning")},
    "train.TrainConfig": "validated where it is used: train.fit and train.config (cases)",
    "cost.Device": "a card's figures, stated in cost.DEVICES (a record)",
    "plans.Plan": "made by plans.chapter (cases), never by a caller",
    "plans.TwoNetworkPlan": "made by plans.chapter (cases), never by a caller",
    "plans.Size": "made by plans.Plan from the settings, never by a caller",
    **{f"plans.{name}": "a helper of the chapters' modules, which build every plan in every "
                        "profile (test_chapters.py)"
       for name in ("by_profile", "count", "training", "once")},
    **{f"chapters.{module.__name__.rsplit('.', 1)[1]}.{name}":
       "made and checked by plans.chapter (cases), never called by a caller"
       for module in chapters.modules() for name in ("plan", "Plan")},
    "cli.main": "its cases are the command lines of CLI_CASES",
}


@functools.cache
def public_api() -> dict[str, object]:
    """"module.name" -> object for the learner's package: the `__all__` of its subpackages
    (data, models) and the public functions and classes defined in its other modules."""
    import importlib
    import inspect
    import pkgutil

    import imgclf

    found = {}
    for info in pkgutil.iter_modules(imgclf.__path__):
        if info.name.startswith("_") or info.name == "course":  # the course's tooling
            continue
        module = importlib.import_module(f"imgclf.{info.name}")
        names = module.__all__ if info.ispkg else [
            name for name, value in vars(module).items() if not name.startswith("_")
            and getattr(value, "__module__", None) == module.__name__]
        for name in names:
            value = getattr(module, name)
            if inspect.isfunction(value) or inspect.isclass(value):
                found[f"{info.name}.{name}"] = value
    for module in chapters.modules():  # each chapter's own functions and classes
        short = module.__name__.rsplit(".", 1)[1]
        for name, value in vars(module).items():
            if not name.startswith("_") and getattr(value, "__module__", None) == \
                    module.__name__ and (inspect.isfunction(value) or inspect.isclass(value)):
                found[f"chapters.{short}.{name}"] = value
    return found


def takes_arguments(value) -> bool:
    import inspect

    try:
        return bool(inspect.signature(value).parameters)
    except (TypeError, ValueError):
        return True


def test_every_public_function_has_a_bad_input_case():
    api = public_api()
    covered = {case[0] for case in CASES}
    missing = sorted(name for name, value in api.items() if name not in covered
                     and name not in EXEMPT and takes_arguments(value))
    assert missing == [], f"public functions without a bad-input case: {missing}"
    assert covered - set(api) == set(), "cases for names that are not public (renamed?)"
    assert set(EXEMPT) - set(api) == set(), "exemptions for names that are gone"
    assert set(NAMES_NO_PARAMETER) - covered == set(), "exemptions for cases that are gone"
