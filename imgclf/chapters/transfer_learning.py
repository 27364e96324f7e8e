"""Chapter 8, Keras applications and transfer learning: its plan, its checks, its claims'
sentences and its expected results."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from imgclf import _validate as check
from imgclf import claims, plans
from imgclf.chapters._checks import (
    Measured,
    NotTheRun,
    RunExperiment,
    Verdict,
    accuracy_gap,
    count,
    the_test_data,
    whole,
)
from imgclf.spread import Spread

NAME = "08-transfer-learning"


@dataclass(frozen=True)
class Plan(plans.Plan):
    """A compact ResNet pretrained on half the classes (`source_images` as (train, test)),
    then the other half learnt from `counts` labelled images per class in `steps` steps each:
    from scratch, by feature extraction and by fine-tuning; where a GPU is visible, or in the
    full profile, the same from ImageNet's MobileNet (`imagenet_counts`,
    `imagenet_test_images`); the exercise's heads on `exercise_counts`."""

    source_images: tuple[int | None, int | None]
    pretrain_epochs: int
    counts: tuple[int, ...]
    steps: int
    exercise_counts: tuple[int, int]
    imagenet_counts: tuple[int, ...]
    imagenet_test_images: int | None

    def pending(self, size: plans.Size):
        from imgclf import models, transfer

        half = size.classes // 2
        source_n = plans.count(self.source_images[0], size.train // 2)
        source_test = plans.count(self.source_images[1], size.test // 2)
        target_test = size.test - size.test // 2

        def resnet(classes):
            return lambda: models.CompactResNet(input_shape=size.image_shape,
                                                num_classes=classes)

        trainings = [plans.training("pretrained", "CompactResNet", resnet(half), source_n,
                                    self.pretrain_epochs, self.settings.batch_size,
                                    validation_split=0.1, evaluated=source_test)]
        extractor = plans.once(lambda: transfer.feature_extractor(resnet(half)()))
        trainings += self._few_labels(extractor, self.counts, size.classes - half, target_test,
                                      scratch=resnet(size.classes - half))
        on_gpu = self.settings.profile in transfer.IMAGENET_ON_GPU
        if on_gpu or self.settings.profile in transfer.IMAGENET_ALWAYS:  # ImageNet's MobileNet
            from imgclf import applications

            imagenet = plans.once(lambda: transfer.feature_extractor(
                applications.imagenet_classifier(models.MobileNet(include_top=False,
                                                                  pooling="avg"),
                                                 "mobilenet", size.image_shape)))
            trainings += self._few_labels(imagenet, self.imagenet_counts, size.classes - half,
                                          plans.count(self.imagenet_test_images, target_test),
                                          scratch=None, network="MobileNet (ImageNet)",
                                          gpu_only=on_gpu)
        head = _head(extractor, size.classes - half)
        for labels in self.exercise_counts:
            images = labels * (size.classes - half)
            trainings += [
                plans.training(f"features, {labels} per class", "CompactResNet features",
                               extractor, 0, 0, 1, evaluated=images, exercise=True),
                plans.training(f"head, {labels} per class", "Dense", head, images,
                               transfer.HEAD_EPOCHS, images, exercise=True)]
        return trainings

    def _few_labels(self, extractor: Callable, counts: tuple[int, ...], classes: int,
                    test_images: int, scratch: Callable | None,
                    network: str = "CompactResNet", gpu_only: bool = False) -> list:
        """What `imgclf.transfer.few_label_comparison` trains, for each count of labels."""
        from imgclf import transfer

        head = _head(extractor, classes)
        only = {"gpu_only": gpu_only}
        trainings = [plans.training(f"{network}: features of the test images",
                                    f"{network} features", extractor, 0, 0, 1,
                                    evaluated=test_images, **only)]
        for labels in counts:
            images = labels * classes
            batch, epochs = transfer.steps_schedule(self.settings.batch_size, images,
                                                    self.steps)
            if scratch is not None:
                trainings.append(plans.training(f"from scratch, {labels} per class", network,
                                                scratch, images, epochs, batch,
                                                evaluated=test_images, **only))
            trainings += [
                plans.training(f"{network}: features, {labels} per class",
                               f"{network} features", extractor, 0, 0, 1, evaluated=images,
                               **only),
                plans.training(f"{network}: head, {labels} per class", "Dense", head, images,
                               transfer.HEAD_EPOCHS, images, **only),
                plans.training(f"{network}: fine-tuning, {labels} per class", network,
                               lambda: transfer.fine_tuning_model(extractor(), head()), images,
                               epochs, batch, evaluated=test_images, **only)]
        return trainings


def _head(extractor: Callable, classes: int) -> Callable:
    """A builder of the classifier `imgclf.transfer.train_head` trains on the features of the
    network `extractor()` builds."""
    from imgclf import transfer

    return lambda: transfer.head(extractor().outputs[0].shape[-1], classes)


def plan(settings) -> Plan:
    """The chapter's plan for `settings` (`imgclf.plans.chapter`)."""
    by = plans.by_profile
    return Plan(
        NAME, settings,
        source_images=by(settings, {"quick": (15_000, 2_000)}, (None, None)),
        pretrain_epochs=by(settings, {"full": settings.epochs}, 2),
        counts=by(settings, {"smoke": (10,)}, (1, 10, 100)),
        steps=by(settings, {"smoke": 20}, 60),
        exercise_counts=(2, 20),
        # The ImageNet comparison's labels per class and test images (None: all): in the
        # quick profile on a GPU it must fit GPU_BUDGET_SECONDS with the rest of the chapter.
        imagenet_counts=by(settings, {"quick": (10,)}, (1, 10, 100)),
        imagenet_test_images=by(settings, {"quick": 1000}, None),
    )


def _head_parameters(answer) -> Verdict:
    from imgclf.models import MobileNet

    features = MobileNet(include_top=False, pooling="avg").output_shape[-1]
    return count(answer, features * 5 + 5,
                  f"MobileNet gives {features} features per image; a dense layer to 5 classes "
                  f"has a weight per feature and class, and a bias per class.")


def _xception_features(answer) -> Verdict:
    from imgclf.models import Xception

    expected = Xception(include_top=False, pooling="avg").output_shape[-1]
    return whole(answer, expected, f"{expected}: the channels of Xception's last separable "
                                    f"convolution, one average per channel.",
                  "global average pooling keeps one number per channel of the last feature "
                  "maps; how many channels has Xception's last convolution?")


def _more_labels(few, more, test) -> Measured:
    from imgclf.transfer import HeadRun, extract

    for name, run in (("few", few), ("more", more)):
        if isinstance(run, (int, float, np.number)) and not isinstance(run, bool):
            raise NotTheRun(f"{name} must be what transfer.head_run returned, not a number: "
                             f"the check scores the heads itself.")
        if not isinstance(run, HeadRun):
            raise NotTheRun(f"{name} must be what transfer.head_run(extractor, labelled) "
                             f"returned, got {type(run).__name__}.")
    test = the_test_data("test", test)
    if few.extractor is not more.extractor:
        raise NotTheRun("the two heads must be trained on the same extractor's features.")
    if few.seed != more.seed:
        raise NotTheRun(f"the two heads were trained with seeds {few.seed} and {more.seed}: "
                         f"use the same one, so that only the labels differ.")
    if few.labels_per_class >= more.labels_per_class:
        raise NotTheRun(f"`few` must have fewer labelled images per class than `more`; they "
                         f"have {few.labels_per_class} and {more.labels_per_class}.")
    features = extract(few.extractor, test.x_test)
    accuracy = {name: float(np.mean(extract(run.head, features).argmax(axis=1) == test.y_test))
                for name, run in (("few", few), ("more", more))}
    return accuracy_gap(accuracy, "more", "few", len(test.x_test))


ANSWERS: dict[str, Callable[[object], Verdict]] = {
    "08-head-parameters": _head_parameters,
    "08-xception-features": _xception_features,
}


EXPERIMENTS: dict[str, RunExperiment] = {
    "08-more-labels": RunExperiment(
        ("few", "more", "test"), _more_labels, lambda few, more: more > few,
        lambda few, more: f"the head trained on the same features scores higher with more "
                          f"labelled images ({more:.1%} against {few:.1%}).",
        "a classifier is expected to do better from more labelled images. A small gap can "
        "come from which images were picked: try another seed for labels_per_class."),
}


TRANSFER_METHODS = {"fine_tuning": "fine-tuning", "feature_extraction": "feature extraction",
                    "from_scratch": "from scratch"}  # metric prefix: name in a sentence


def transfer(values: Mapping[str, float], counts: Sequence[int],
             spread: Spread) -> list[claims.Outcome]:
    """What a few-label comparison says, at each number of labels per class: whether the
    transferred features beat training from scratch (Yosinski et al. 2014: features learned
    on one task help another), and which of fine-tuning and the frozen features came out
    ahead (a question: CS231n advises frozen features for a small data set like the
    pretraining one, fine-tuning for a larger one).

    Args:
        values: the chapter's metrics, "{method}_at_{count}_labels" for each method of
            `TRANSFER_METHODS` ("from_scratch_..." optional) and count.
        counts: the numbers of labelled images per class.
        spread: the chapter's committed seeds.

    Raises:
        KeyError: a metric missing from `values` or the spread.
    """
    check.mapping("values", values)
    if isinstance(counts, (str, bytes)) or not isinstance(counts, Sequence) or not counts:
        raise TypeError(f"counts must be a list of labelled images per class, e.g. [1, 10], "
                        f"got {counts!r}")
    labels = {f"{m}_at_{n}_labels": TRANSFER_METHODS[m] for m in TRANSFER_METHODS
              for n in counts}
    outcomes = []
    for labelled in counts:
        labelled = check.integer("each count", labelled, minimum=1)
        metric = {m: f"{m}_at_{labelled}_labels" for m in TRANSFER_METHODS}
        plural = "s" if labelled != 1 else ""
        if metric["from_scratch"] in values:
            outcomes.append(claims.order(
                f"With {labelled} labelled image{plural} per class, transferred features beat "
                f"training from scratch (Yosinski et al. 2014).", values,
                metric["from_scratch"], metric["feature_extraction"], spread, labels))
        outcomes.append(claims.ahead(values, metric["fine_tuning"],
                                     metric["feature_extraction"], spread, labels))
    return outcomes


EXPECTED = """\
["quick/fashion_mnist"]
pretrained_test_accuracy = [0.80, 0.92]  # 0.8485
from_scratch_at_10_labels = [0.60, 0.85]  # 0.7608
feature_extraction_at_10_labels = [0.70, 0.90]  # 0.8062
fine_tuning_at_10_labels = [0.75, 0.93]  # 0.8534
from_scratch_at_1_labels = [0.20, 0.60]  # 0.4210
feature_extraction_at_1_labels = [0.35, 0.80]  # 0.5318; seeds 0-4: 0.5318 to 0.7052
fine_tuning_at_1_labels = [0.45, 0.80]  # 0.6672
from_scratch_at_100_labels = [0.75, 0.93]  # 0.8308; seeds 0-2 of imgclf/spread: up to 0.9044
feature_extraction_at_100_labels = [0.80, 0.92]  # 0.8588
fine_tuning_at_100_labels = [0.85, 0.95]  # 0.9176
# Transferred features beat training from scratch with few labels (Yosinski et al. 2014);
# whether fine-tuning beats the frozen features is the chapter's question, not a claim.
order = ["from_scratch_at_1_labels < feature_extraction_at_1_labels",
         "from_scratch_at_10_labels < feature_extraction_at_10_labels",
         "from_scratch_at_100_labels < feature_extraction_at_100_labels"]
compare = ["feature_extraction_at_1_labels vs fine_tuning_at_1_labels",
           "feature_extraction_at_10_labels vs fine_tuning_at_10_labels",
           "feature_extraction_at_100_labels vs fine_tuning_at_100_labels"]

["full/fashion_mnist"]
pretrained_test_accuracy = [0.85, 0.93]  # 0.8890
# 0.2944 on 2026-11-27 was chance (0.20 on five classes) plus noise: the 60 steps kept the full
# profile's BatchNorm momentum 0.99, which leaves 55% of the initial moving statistics, so the
# network was evaluated with statistics it never had. imgclf.transfer now lowers the momentum
# of such short runs (1% left). On the CPU the same run (full profile's settings, 10 labels per
# class) scored 0.200 at momentum 0.99 and 0.786 at 0.9. No range until the next GPU run
# measures it: the kept record is of the earlier code.
feature_extraction_at_10_labels = [0.75, 0.90]  # 0.8342
fine_tuning_at_10_labels = [0.80, 0.93]  # 0.8706
order = ["from_scratch_at_10_labels < feature_extraction_at_10_labels"]
compare = ["feature_extraction_at_10_labels vs fine_tuning_at_10_labels"]
"""
