"""Transfer learning: reuse a trained network's features for new classes with few labels.

Two steps, as in the Keras guide to transfer learning:

1. *Feature extraction*: keep the trained network frozen, run it once over the images and
   train only a new classifier (`train_head`) on its features.
2. *Fine-tuning*: put the new classifier on top of a copy of the network (`fine_tuning_model`),
   unfreeze it, and train everything with a small learning rate. Batch normalisation stays in
   inference mode, so a few labelled images do not overwrite the statistics it learned.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np

from imgclf import _validate as check
from imgclf import train
from imgclf.analysis import layers_of
from imgclf.data import Dataset
from imgclf.models.common import softmax_classifier
from imgclf.runs import RecordTraining


def feature_extractor(network: keras.Model) -> keras.Model:
    """A frozen model from uint8 images (N, H, W, C) to `network`'s features (N, F).

    The features are the input of `network`'s final Dense classifier or, for a network without
    its top (`include_top=False, pooling="avg"`), its output. The extractor scales the images
    to [0, 1] first, the range every network of `imgclf.models` takes, as `imgclf.train.fit`
    did when it trained the network. It shares its weights with `network`.

    Raises:
        ValueError: a network that ends neither in a Dense layer on (N, F) nor in (N, F).
    """
    check.model("network", network, built=True)
    last = network.layers[-1]
    if isinstance(last, keras.layers.Dense) and len(last.input.shape) == 2:
        features = last.input
    elif not isinstance(last, keras.layers.Dense) and len(network.output.shape) == 2:
        features = network.output
    else:
        raise ValueError(f"network {network.name} must end in a Dense classifier on (N, "
                         f"features), or in (N, features) itself, to have its features "
                         f"extracted; its last layer is {last.name} "
                         f"({type(last).__name__}) with output {network.output.shape}")
    body = keras.Model(network.input, features, name=f"{network.name}_features")
    inputs, scaled = train.scaled_inputs(network.input_shape[1:])
    extractor = keras.Model(inputs, body(scaled), name=body.name)
    extractor.trainable = False
    return extractor


def extract(model: keras.Model, inputs: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """`model`'s outputs for `inputs`, computed in batches, as a NumPy array.

    Calls the model directly rather than through `predict`, which would trace a new
    prediction function for every model of a comparison.
    """
    check.model("model", model)
    inputs = check.array("inputs", inputs, nonempty=False)
    if len(inputs) == 0:
        raise ValueError("inputs must hold at least one input, got none")
    batch_size = check.integer("batch_size", batch_size, minimum=1)
    check.warn_if_scaled_twice("inputs", inputs, model)
    # float32 whatever the model computes in (a mixed-precision model gives bfloat16).
    return np.concatenate([keras.ops.convert_to_numpy(model(inputs[i:i + batch_size],
                                                            training=False)).astype("float32")
                           for i in range(0, len(inputs), batch_size)])


#: Full-batch steps `train_head` takes by default.
HEAD_EPOCHS = 100


def head(num_features: int, num_classes: int) -> keras.Model:
    """The new classifier `train_head` trains: features (N, num_features) -> class
    probabilities (N, num_classes), one softmax layer. Raises ValueError for sizes below 1
    feature or 2 classes."""
    check.integer("num_features", num_features, minimum=1)
    check.integer("num_classes", num_classes, minimum=2)
    inputs = keras.Input((num_features,), name="features")
    return keras.Model(inputs, softmax_classifier(inputs, num_classes, "new_classifier"),
                       name="new_head")


def train_head(features: np.ndarray, labels: np.ndarray, num_classes: int,
               epochs: int = HEAD_EPOCHS,
               learning_rate: float = 1e-2, seed: int = 0) -> keras.Model:
    """A new softmax classifier trained on extracted `features` (N, F) with `labels` (N,).

    Full-batch Adam for `epochs` steps: with a handful of labelled images per class, this is
    logistic regression on the features, and takes a second.

    Raises:
        TypeError: features or labels that are not arrays of numbers; a num_classes, epochs,
            learning rate or seed that is not a number.
        ValueError: features that are not (N, F) with N >= 1 or not finite, labels of
            another length or not whole indices in 0..num_classes-1, epochs below 1.
    """
    features = check.array("features", features, ndim=2, finite=True,
                           what="of extracted features (N, F)").astype("float32")
    num_classes = check.integer("num_classes", num_classes, minimum=2)
    labels = check.labels("labels", labels, num_classes=num_classes)
    if labels.shape != (len(features),):
        raise ValueError(f"labels must have shape ({len(features)},), got {labels.shape}")
    epochs = check.integer("epochs", epochs, minimum=1)
    learning_rate = check.number("learning_rate", learning_rate, low=0, low_open=True)
    seed = check.integer("seed", seed, minimum=0)
    keras.utils.set_random_seed(seed)
    classifier = head(features.shape[1], num_classes)
    classifier.compile(optimizer=keras.optimizers.Adam(learning_rate),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    classifier.fit(features, labels, batch_size=len(features), epochs=epochs, verbose=0,
                   callbacks=[RecordTraining()])
    return classifier


def fine_tuning_model(extractor: keras.Model, head: keras.Model) -> keras.Model:
    """A trainable copy of `extractor`'s network with `head` on top: a network for
    `imgclf.train.fit` (images scaled to [0, 1], like every network of `imgclf.models`;
    `fit` scales the uint8 images, as the extractor does).

    Copies, so that fine-tuning leaves the extractor and head it started from as they were.
    The copy runs its batch normalisation in inference mode (`training=False`).

    Raises:
        TypeError: an `extractor` not made by `feature_extractor`, or a `head` not a model.
    """
    bodies = [layer for layer in extractor.layers if isinstance(layer, keras.Model)] \
        if isinstance(extractor, keras.Model) else []
    if len(bodies) != 1:
        raise TypeError(f"extractor must come from imgclf.transfer.feature_extractor, got "
                        f"{getattr(extractor, 'name', type(extractor).__name__)}")
    if not isinstance(head, keras.Model):
        raise TypeError(f"head must be a keras.Model (imgclf.transfer.train_head), got "
                        f"{type(head).__name__}")
    body = bodies[0]
    copy = keras.models.clone_model(body, recursive=True)
    copy.set_weights(body.get_weights())
    copy.trainable = True
    for layer in layers_of(copy):  # the clones of frozen nested models come frozen
        layer.trainable = True
    head_copy = keras.models.clone_model(head)
    head_copy.set_weights(head.get_weights())
    inputs = keras.Input(body.input_shape[1:], name="images")
    features = copy(inputs, training=False)
    return keras.Model(inputs, head_copy(features), name="fine_tuned")


@dataclass(frozen=True)
class Result:
    """One run of a few-label comparison: test accuracy on the new classes."""

    labels_per_class: int
    method: str
    test_accuracy: float
    seconds: float


METHODS = ("from scratch", "feature extraction", "fine-tuning")


def steps_schedule(batch_size: int, images: int, steps: int) -> tuple[int, int]:
    """(batch size, epochs) for about `steps` training steps on `images` images: batches of at
    most `batch_size`, whole epochs, at least one. Raises ValueError for any below 1."""
    for name, value in (("batch_size", batch_size), ("images", images), ("steps", steps)):
        check.integer(name, value, minimum=1)
    batch = min(batch_size, images)
    return batch, max(1, math.ceil(steps / math.ceil(images / batch)))


# How much of BatchNorm's initial moving statistics (mean 0, variance 1) may be left after a
# short run: with the full profile's momentum 0.99, 60 steps leave 55% of them, and a network
# trained from scratch scored chance (20% on 5 classes; 79% with momentum 0.9).
BN_STATISTICS_LEFT = 0.01


def _steps_config(base: train.TrainConfig, images: int, steps: int, **changes):
    """The config of a run of about `steps` steps: its batch and epochs, no validation, and a
    BatchNorm momentum low enough for the moving statistics to settle within the run."""
    batch, epochs = steps_schedule(base.batch_size, images, steps)
    total = epochs * math.ceil(images / batch)
    momentum = min(base.bn_momentum, BN_STATISTICS_LEFT ** (1 / total))
    return dataclasses.replace(base, epochs=epochs, batch_size=batch, validation_split=0.0,
                               verbose=0, bn_momentum=momentum, **changes)


#: Where chapter 8 repeats the few-label comparison from ImageNet's MobileNet (only where the
#: weights download): in these profiles on every machine...
IMAGENET_ALWAYS = ("full",)
#: ...and in these where a GPU is visible (what `auto` runs on a GPU, Colab's T4 included).
#: `imgclf.plans` prices the latter for GPUs only (`plans.Training.gpu_only`).
IMAGENET_ON_GPU = ("quick",)


def runs_imagenet_comparison(settings) -> bool:
    """Whether chapter 8 runs its ImageNet comparison in `settings`' profile on this machine
    (`IMAGENET_ALWAYS`, `IMAGENET_ON_GPU`).

    Raises:
        TypeError: `settings` is not an `imgclf.profiles.Settings`.
    """
    from imgclf import hardware, profiles

    if not isinstance(settings, profiles.Settings):
        raise TypeError(f"settings must be what imgclf.profiles.resolve returns, got "
                        f"{type(settings).__name__}")
    return settings.profile in IMAGENET_ALWAYS or (
        settings.profile in IMAGENET_ON_GPU and hardware.gpu_available())


#: Fine-tuning's peak learning rate: a tenth of `train.TrainConfig`'s default.
FINE_TUNE_RATE = 3e-4


def few_label_comparison(extractor: keras.Model, data: Dataset, counts: Sequence[int],
                         config: train.TrainConfig, scratch: Callable[[], keras.Model] | None,
                         steps: int = 60, fine_tune_rate: float = FINE_TUNE_RATE
                         ) -> list[Result]:
    """Train on `count` labelled images per class of `data`, for each count, three ways.

    - from scratch: the network `scratch()` builds (None skips it), `steps` training steps;
    - feature extraction: a new classifier on the frozen `extractor`'s features;
    - fine-tuning: that classifier and a copy of the extractor, trained together for `steps`
      steps at `fine_tune_rate` (below the rate of training from scratch: the features are
      already good, and large steps would destroy them).

    Every run is scored on all of `data`'s test images. `config` gives batch size, seed and
    augmentation; the number of epochs follows from `steps`.
    """
    if isinstance(counts, (str, bytes)) or not isinstance(counts, Sequence):
        raise TypeError(f"counts must be a list of labelled images per class, e.g. (1, 10, "
                        f"100), got {counts!r:.40}")
    if not counts:
        raise ValueError("counts must name at least one number of labels per class")
    for i, count in enumerate(counts):
        check.integer(f"counts[{i}] (labels per class)", count, minimum=1)
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be an imgclf.data.Dataset, got {type(data).__name__}")
    if not isinstance(config, train.TrainConfig):
        raise TypeError(f"config must be a TrainConfig (imgclf.train.config(...)), got "
                        f"{type(config).__name__}")
    if scratch is not None and not callable(scratch):
        raise TypeError(f"scratch must build a model (a function) or be None, got "
                        f"{type(scratch).__name__}")
    check.integer("steps", steps, minimum=1)
    check.number("fine_tune_rate", fine_tune_rate, low=0, low_open=True)
    check.model("extractor", extractor)
    test_features = extract(extractor, data.x_test)
    results = []
    for count in counts:
        few = data.labels_per_class(count, seed=config.seed)
        if scratch is not None:
            run = train.fit(scratch, few, _steps_config(config, len(few.x_train), steps),
                            name=f"scratch_{count}")
            results.append(Result(count, METHODS[0], run.record["test_accuracy"],
                                  run.record["seconds"]))
        started = time.perf_counter()
        features = extract(extractor, few.x_train)
        head = train_head(features, few.y_train, data.num_classes, seed=config.seed)
        predicted = extract(head, test_features, batch_size=1024).argmax(axis=1)
        results.append(Result(count, METHODS[1], float(np.mean(predicted == data.y_test)),
                              round(time.perf_counter() - started, 2)))
        tuned = train.fit(lambda head=head: fine_tuning_model(extractor, head), few,
                          _steps_config(config, len(few.x_train), steps,
                                        peak_learning_rate=fine_tune_rate),
                          name=f"fine_tuned_{count}")
        results.append(Result(count, METHODS[2], tuned.record["test_accuracy"],
                              tuned.record["seconds"]))
        print(f"{count:>4} labels per class: " + ", ".join(
            f"{r.method} {r.test_accuracy:.1%}" for r in results if r.labels_per_class == count))
    return results


@dataclass(frozen=True)
class HeadRun:
    """A classifier trained on a frozen extractor's features of a labelled data set, with what
    it was trained from (`head_run`), so that a check can tell two such runs apart.

    Attributes:
        head: the trained classifier, features (N, F) -> probabilities (N, classes).
        extractor: the frozen feature extractor it was trained on.
        labels_per_class: the fewest labelled training images of any class.
        images: the labelled training images in all.
        seed: the seed it was trained with.
    """

    head: keras.Model
    extractor: keras.Model
    labels_per_class: int
    images: int
    seed: int


def head_run(extractor: keras.Model, labelled: Dataset, seed: int = 0) -> HeadRun:
    """Train a new head (`train_head`) on `extractor`'s features of `labelled`'s training
    images (uint8, (N, H, W, C)) and return it with what it was trained from.

    Raises:
        TypeError: an extractor that is not a Keras model, or `labelled` not a Dataset.
    """
    check.model("extractor", extractor)
    if not isinstance(labelled, Dataset):
        raise TypeError(f"labelled must be an imgclf.data.Dataset (data.labels_per_class("
                        f"count, seed=...)), got {type(labelled).__name__}")
    seed = check.integer("seed", seed, minimum=0)
    head = train_head(extract(extractor, labelled.x_train), labelled.y_train,
                      labelled.num_classes, seed=seed)
    counts = np.bincount(labelled.y_train, minlength=labelled.num_classes)
    return HeadRun(head, extractor, int(counts.min()), len(labelled.x_train), seed)


def _check_results(results) -> None:
    if isinstance(results, Result) or not all(isinstance(r, Result) for r in results):
        raise TypeError("results must be a list of imgclf.transfer.Result "
                        "(few_label_comparison(...))")


def metrics(results: Sequence[Result]) -> dict[str, float]:
    """{"{method}_at_{count}_labels": test accuracy}, with the method's words joined by
    underscores ("fine_tuning_at_10_labels"): the names a chapter reports and `imgclf.claims`
    reads."""
    _check_results(results)
    return {f"{r.method.replace(' ', '_').replace('-', '_')}_at_{r.labels_per_class}_labels":
            r.test_accuracy for r in results}


def accuracy_by_count(results: Sequence[Result]) -> dict[str, dict[int, float]]:
    """{method: {labels per class: test accuracy}}, for plotting and tables."""
    _check_results(results)
    table: dict[str, dict[int, float]] = {}
    for r in results:
        table.setdefault(r.method, {})[r.labels_per_class] = r.test_accuracy
    return table
