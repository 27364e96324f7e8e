"""What a chapter trains in a profile: its plan, the one place its sizes, epochs and depths live.

Each chapter's module (`imgclf.chapters`) defines its plan, a frozen dataclass of typed values
built from the profile's settings; a notebook reads it,

    >>> plan = plans.chapter("NN-topic", settings)  # or its number, "NN"
    >>> plan.depths, plan.epochs, plan.train_images

and the same plan lists the networks it trains (`plan.trainings`, each a `Training`: what it
counts, not what it costs). `imgclf.cost` prices them, above the plans: `cost.table(plan)`,
and for every chapter at once `python -m imgclf settings --profile P --cost`. A value of None
for images means all of them.
"""

from __future__ import annotations

import abc
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, fields

from imgclf import _validate as check
from imgclf.data.registry import spec as data_spec
from imgclf.profiles import Settings


@dataclass(frozen=True)
class Training:
    """One network trained (or, with `epochs=0`, only run forward over `evaluated` images).

    Attributes:
        label: what the chapter calls it ("plain-20").
        network: the network's name in `imgclf.models`, or a short description.
        parameters: its parameter count.
        multiply_adds: its multiply-adds for one image forward.
        images: the images one epoch trains on.
        epochs: how many epochs.
        batch_size: images per training step.
        evaluated: images passed forward only (validation each epoch, the test set, features).
        convolutions: its convolution layers, which set its compilation time.
        exercise: True for an exercise's solution, which Colab's "Run all" does not run.
        gpu_only: True for what a chapter runs only where a GPU is visible (chapter 8's
            ImageNet comparison in the quick profile); the cost model prices GPUs, so it
            counts, but a run on a CPU does not train it.
    """

    label: str
    network: str
    parameters: int
    multiply_adds: int
    images: int
    epochs: int
    batch_size: int
    evaluated: int = 0
    convolutions: int = 0
    exercise: bool = False
    gpu_only: bool = False

    def __post_init__(self):
        for name in ("parameters", "multiply_adds", "images", "epochs", "evaluated",
                     "convolutions"):
            check.integer(name, getattr(self, name), minimum=0)
        check.integer("batch_size", self.batch_size, minimum=1)
        if self.epochs and not self.images:  # once priced in silence as nothing
            raise ValueError(f"{self.label}: a training of {self.epochs} epochs needs images "
                             f"to train on, got images=0 (a forward pass only has epochs=0)")
        if not self.epochs and not self.evaluated:
            raise ValueError(f"{self.label}: a forward pass only (epochs=0) needs evaluated "
                             f"images, got evaluated=0")

    @property
    def steps(self) -> int:
        """Training steps: batches per epoch x epochs."""
        return math.ceil(self.images / self.batch_size) * self.epochs

    @property
    def training_multiply_adds(self) -> int:
        """3 x forward multiply-adds x images x epochs, plus one forward per evaluated image."""
        return self.multiply_adds * (3 * self.images * self.epochs + self.evaluated)


@dataclass(frozen=True)
class Size:
    """The images a profile's data set offers: counts after the profile's subset."""

    train: int
    test: int
    image_shape: tuple[int, int, int]
    classes: int

    @classmethod
    def of(cls, settings: Settings) -> Size:
        found = data_spec(settings.dataset)
        return cls(count(settings.train_size, found.train_images),
                   count(settings.test_size, found.test_images),
                   found.image_shape, found.num_classes)


@dataclass(frozen=True)
class Plan(abc.ABC):
    """One chapter's plan in one profile. A chapter's module subclasses it with its
    profile-dependent values as typed fields, and says what they train in `pending`.

    Attributes:
        chapter: the notebook's name ("NN-topic").
        settings: the resolved profile it is for.
        trainings: every network it trains (`Training`), exercises included; built on first
            use (it builds each network to count its multiply-adds).
    """

    chapter: str
    settings: Settings

    @abc.abstractmethod
    def pending(self, size: Size) -> list[Callable[[], Training]]:
        """What makes each of the plan's trainings, when called (see `training`)."""

    @functools.cached_property
    def trainings(self) -> tuple[Training, ...]:
        return tuple(make() for make in self.pending(Size.of(self.settings)))

    @property
    def values(self) -> dict:
        """The chapter's own values (its fields beyond `chapter` and `settings`)."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("chapter", "settings")}

    def run_all(self, gpu: bool) -> list[Training]:
        """What Colab's "Run all" trains, exercises apart; on a machine without a GPU
        (`gpu=False`), without what only runs where one is visible (`Training.gpu_only`)."""
        return [t for t in self.trainings if not t.exercise and (gpu or not t.gpu_only)]


def chapter(name: str, settings: Settings) -> Plan:
    """The plan of chapter `name` (one of `imgclf.chapters.names()`, or its number "05") for
    `settings`.

    Raises:
        ValueError: an unknown chapter.
        TypeError: `settings` is not an `imgclf.profiles.Settings`.
    """
    from imgclf import chapters

    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be imgclf.profiles.Settings (imgclf.profiles.resolve"
                        f"(...)), got {type(settings).__name__}")
    return _plan(chapters.module(name), settings)


@functools.cache
def _plan(module, settings: Settings) -> Plan:
    """One plan per chapter module and settings: a plan is frozen, so the networks it builds
    to count its trainings are built once per process."""
    return module.plan(settings)


def count(subset: int | None, available: int) -> int:
    """The images a subset of `subset` (None: all) leaves of `available`."""
    return available if subset is None else min(subset, available)


def by_profile(settings: Settings, choices: dict, default):
    """`choices[profile]` for the settings' profile, `default` for the others."""
    return choices.get(settings.profile, default)


def training(label: str, network: str, build: Callable, images: int, epochs: int,
             batch_size: int, validation_split: float = 0.0, evaluated: int = 0,
             exercise: bool = False, gpu_only: bool = False) -> Callable[[], Training]:
    """What makes the `Training` of the network `build()` makes, when called. Keras's
    validation_split holds out the last `validation_split` of the images and evaluates them
    every epoch."""
    return functools.partial(_count_training, label, network, build, images, epochs,
                             batch_size, validation_split, evaluated, exercise, gpu_only)


def _count_training(label, network, build, images, epochs, batch_size, validation_split,
                    evaluated, exercise, gpu_only) -> Training:
    import keras

    from imgclf import analysis

    model = build()
    totals = analysis.totals(model)
    convolutions = sum(1 for layer in analysis.layers_of(model) if analysis.multiply_adds(layer)
                       and not isinstance(layer, keras.layers.Dense))
    trained = int(images * (1 - validation_split))
    return Training(label, network, totals.parameters, totals.multiply_adds, trained,
                    epochs, batch_size, evaluated + (images - trained) * epochs,
                    convolutions, exercise, gpu_only)


def once(build: Callable) -> Callable:
    """`build`, calling it only the first time (a network several trainings start from)."""
    return functools.cache(build)


@dataclass(frozen=True)
class TwoNetworkPlan(Plan):
    """The plan of a chapter that trains two networks alike, as `imgclf.train.fit_each` does
    (chapters 6 and 7), and its exercises' networks the same way; `train_images` as (train,
    test), None for all of them."""

    train_images: tuple[int | None, int | None]
    epochs: int

    @staticmethod
    def sizes(settings: Settings) -> dict:
        """The images and epochs of such a chapter in `settings`' profile."""
        return {"train_images": by_profile(settings, {"quick": (12_000, 2_000)}, (None, None)),
                "epochs": by_profile(settings, {"full": settings.epochs}, 3)}

    @abc.abstractmethod
    def builders(self) -> dict[str, Callable]:
        """The two networks, by name: functions of (image_shape, classes) that build them."""

    def exercise_builders(self) -> dict[str, Callable]:
        """The exercises' networks, trained the same way (none unless a chapter says)."""
        return {}

    def pending(self, size: Size) -> list[Callable[[], Training]]:
        exercises = self.exercise_builders()
        n = count(self.train_images[0], size.train)
        test = count(self.train_images[1], size.test)
        return [training(name, name, lambda build=build: build(size.image_shape, size.classes),
                         n, self.epochs, self.settings.batch_size, validation_split=0.1,
                         evaluated=test, exercise=name in exercises)
                for name, build in {**self.builders(), **exercises}.items()]
