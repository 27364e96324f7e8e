"""What each chapter trains in each profile: the one place its sizes, epochs and depths live.

A notebook reads its profile-dependent values here,

    >>> plan = plans.chapter("05-resnet", settings)
    >>> plan.depths, plan.epochs, plan.train_images

and the same plan lists the networks it trains (`plan.trainings`), which `imgclf.cost` turns
into multiply-adds and estimated minutes on a GPU (`plan.table()`; for every chapter at once:
`python -m imgclf settings --profile P --cost`). A value of None for images means all of them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from imgclf import _validate as check
from imgclf import cost
from imgclf.data.registry import spec as data_spec
from imgclf.profiles import Settings
from imgclf.table import Table

CHAPTERS = ("01-image-classification", "02-ilsvrc-top5", "03-alexnet", "04-deep-networks",
            "05-resnet", "06-inception", "07-xception", "08-transfer-learning")


@dataclass(frozen=True)
class Plan:
    """One chapter's plan in one profile.

    Attributes:
        chapter: the notebook's name ("05-resnet").
        settings: the resolved profile it is for.
        values: the chapter's profile-dependent values, also readable as attributes.
        trainings: every network it trains (`imgclf.cost.Training`), exercises included;
            built on first use (it builds each network to count its multiply-adds).
    """

    chapter: str
    settings: Settings
    values: dict
    pending: tuple[Callable[[], cost.Training], ...] = field(repr=False)

    @functools.cached_property
    def trainings(self) -> tuple[cost.Training, ...]:
        return tuple(make() for make in self.pending)

    def __getattr__(self, name):
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        raise AttributeError(f"the plan of {self.__dict__.get('chapter')} has no {name!r}; "
                             f"it has {', '.join(values) or 'no values'}")

    def run_all(self, gpu: bool) -> list[cost.Training]:
        """What Colab's "Run all" trains, exercises apart; on a machine without a GPU
        (`gpu=False`), without what only runs where one is visible (`Training.gpu_only`)."""
        return [t for t in self.trainings if not t.exercise and (gpu or not t.gpu_only)]

    def seconds(self, device: str, exercises: bool = False) -> float:
        """Estimated seconds on `device` ("T4", "A100", "H100") of what "Run all" trains
        (with `exercises`, the exercises' solutions too)."""
        return cost.seconds([t for t in self.trainings if exercises or not t.exercise], device)

    def table(self) -> Table:
        """The networks this plan trains, their multiply-adds and the estimate per device."""
        rows = [(t.label + (" (exercise)" if t.exercise else " (on a GPU)" if t.gpu_only
                            else ""), f"{t.parameters:,}",
                 f"{t.multiply_adds / 1e6:.1f}", f"{t.images:,}", t.epochs,
                 f"{t.training_multiply_adds:.2e}") for t in self.trainings]
        estimate = ", ".join(f"{name} {_duration(self.seconds(name))}" for name in cost.DEVICES)
        return Table.of(
            ["network", "parameters", "million MACs per image", "images", "epochs",
             "training multiply-adds"], rows,
            caption=f"What {self.chapter} trains in the {self.settings.profile} profile on "
                    f"{self.settings.dataset}; estimated without the exercises: {estimate}")

    def _repr_markdown_(self) -> str:
        return self.table()._repr_markdown_()

    def __str__(self) -> str:
        return str(self.table())


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def chapter(name: str, settings: Settings) -> Plan:
    """The plan of chapter `name` (one of `CHAPTERS`, or its number "05") for `settings`.

    Raises:
        ValueError: an unknown chapter.
        TypeError: `settings` is not an `imgclf.profiles.Settings`.
    """
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be imgclf.profiles.Settings (imgclf.profiles.resolve"
                        f"(...)), got {type(settings).__name__}")
    matches = [c for c in CHAPTERS if c == name or c.split("-")[0] == name]
    if len(matches) != 1:
        raise ValueError(f"name must be a chapter of the book, got {name!r}; chapters: "
                         f"{', '.join(CHAPTERS)}")
    values, pending = _PLANS[matches[0]](settings, _Size.of(settings))
    return Plan(matches[0], settings, values, tuple(pending))


@dataclass(frozen=True)
class _Size:
    """The images a profile's data set offers: counts after the profile's subset."""

    train: int
    test: int
    image_shape: tuple[int, int, int]
    classes: int

    @classmethod
    def of(cls, settings: Settings) -> _Size:
        found = data_spec(settings.dataset)
        return cls(_count(settings.train_size, found.train_images),
                   _count(settings.test_size, found.test_images),
                   found.image_shape, found.num_classes)


def _count(subset: int | None, available: int) -> int:
    return available if subset is None else min(subset, available)


def _by_profile(settings: Settings, choices: dict, default):
    return choices.get(settings.profile, default)


def _training(label: str, network: str, build: Callable, images: int, epochs: int,
              batch_size: int, validation_split: float = 0.0, evaluated: int = 0,
              exercise: bool = False, gpu_only: bool = False) -> Callable[[], cost.Training]:
    """What makes the `cost.Training` of the network `build()` makes, when called. Keras's
    validation_split holds out the last `validation_split` of the images and evaluates them
    every epoch."""
    return functools.partial(_count_training, label, network, build, images, epochs,
                             batch_size, validation_split, evaluated, exercise, gpu_only)


def _count_training(label, network, build, images, epochs, batch_size, validation_split,
                    evaluated, exercise, gpu_only) -> cost.Training:
    import keras

    from imgclf import analysis

    model = build()
    totals = analysis.totals(model)
    convolutions = sum(1 for layer in analysis.layers_of(model) if analysis.multiply_adds(layer)
                       and not isinstance(layer, keras.layers.Dense))
    trained = int(images * (1 - validation_split))
    return cost.Training(label, network, totals.parameters, totals.multiply_adds, trained,
                         epochs, batch_size, evaluated + (images - trained) * epochs,
                         convolutions, exercise, gpu_only)


def _first_cnn(settings: Settings, size: _Size):
    from imgclf import models

    build = lambda: models.small_cnn(size.image_shape, size.classes)  # noqa: E731
    # The exercise's two runs take the same number of steps: a fifth of the images for five
    # times the epochs, in batches that divide both counts.
    more = min(10_000, size.train // 2) // 200 * 200
    values = {"exercise_images": (more // 5, more), "exercise_epochs": (5, 1),
              "exercise_batch": 40}
    trainings = [_training("small_cnn", "small_cnn", build, size.train, settings.epochs,
                           settings.batch_size, validation_split=0.1, evaluated=size.test)]
    trainings += [_training(f"small_cnn on {n:,} images", "small_cnn", build, n, epochs,
                            values["exercise_batch"], evaluated=size.test, exercise=True)
                  for n, epochs in zip(values["exercise_images"], values["exercise_epochs"],
                                       strict=True)]
    return values, trainings


def _ilsvrc(settings: Settings, size: _Size):
    from imgclf import models

    epochs = _by_profile(settings, {"quick": 3}, settings.epochs)
    build = lambda: models.get("resnet_compact", input_shape=size.image_shape,  # noqa: E731
                               num_classes=size.classes)
    return {"epochs": epochs}, [
        _training("resnet_compact", "resnet_compact", build, size.train, epochs,
                  settings.batch_size, validation_split=0.1, evaluated=size.test)]


def _alexnet(settings: Settings, size: _Size):
    from imgclf import models

    values = {
        "activation_images": _by_profile(settings, {"smoke": (None, None)}, (12_000, 2_000)),
        "activation_epochs": _by_profile(settings, {"smoke": 2, "quick": 5}, 10),
        # SGD learning rates tried for each activation: the chapter keeps each one's fastest,
        # as AlexNet's Figure 1 did.
        "activation_rates": (0.01, 0.03, 0.1),
        "dropout_images": _by_profile(settings, {"smoke": (None, None)}, (3_000, 1_000)),
        "dropout_epochs": _by_profile(settings, {"smoke": 3}, 8),
        "alexnet_images": _by_profile(settings, {"quick": (30_000, 5_000)}, (None, None)),
        "alexnet_epochs": _by_profile(settings, {"quick": 3}, settings.epochs),
    }
    shape, classes = size.image_shape, size.classes
    activation_n = _count(values["activation_images"][0], size.train)
    dropout_n = _count(values["dropout_images"][0], size.train)
    alex_n = _count(values["alexnet_images"][0], size.train)
    alex_test = _count(values["alexnet_images"][1], size.test)
    trainings = [
        _training(f"four_layer_cnn, {activation}, rate {rate:g}", "four_layer_cnn",
                  lambda: models.four_layer_cnn(shape, classes), activation_n,
                  values["activation_epochs"], 128)
        for activation in ("relu", "tanh") for rate in values["activation_rates"]]
    trainings += [
        _training(f"small_cnn, dropout {rate:.0%}", "small_cnn",
                  lambda: models.small_cnn(shape, classes), dropout_n, values["dropout_epochs"],
                  64, validation_split=0.2) for rate in (0.0, 0.5)]
    trainings += [
        _training(name, name, build, alex_n, values["alexnet_epochs"], settings.batch_size,
                  validation_split=0.1, evaluated=alex_test)
        for name, build in (("AlexNetSmall", lambda: models.AlexNetSmall(shape, classes)),
                            ("VGGSmall", lambda: models.VGGSmall(shape, classes)))]
    trainings.append(_training("small_cnn, dropout 90%", "small_cnn",
                               lambda: models.small_cnn(shape, classes), dropout_n,
                               values["dropout_epochs"], 64, validation_split=0.2,
                               exercise=True))
    return values, trainings


def _deep_networks(settings: Settings, size: _Size):
    from imgclf import models

    values = {
        "train_images": _by_profile(settings, {"quick": (20_000, 2_000)}, (None, None)),
        "epochs": _by_profile(settings, {"smoke": 2, "quick": 5}, 10),
        # The chapter's variants: two activations with two initialisations each, and ReLU with
        # He's; the notebook names them.
        "variants": 5, "depth": 15, "width": 128,
    }
    n = _count(values["train_images"][0], size.train)
    return values, [
        _training(f"deep_mlp, variant {i + 1}", "deep_mlp",
                  lambda: models.deep_mlp(size.image_shape, size.classes,
                                          depth=values["depth"], width=values["width"]),
                  n, values["epochs"], 128, validation_split=0.1)
        for i in range(values["variants"])]


def _resnet(settings: Settings, size: _Size):
    from imgclf import models

    values = {
        "depths": _by_profile(settings, {"full": (20, 56), "smoke": (8, 14)}, (8, 20)),
        "train_images": _by_profile(settings, {"quick": (8_000, 2_000)},
                                    (settings.train_size, settings.test_size)),
        "epochs": _by_profile(settings, {"quick": 3, "smoke": 1}, settings.epochs),
    }
    n = _count(values["train_images"][0], size.train)
    test = _count(values["train_images"][1], size.test)
    return values, [
        _training(f"{kind}-{depth}", "CifarResNet",
                  lambda depth=depth, kind=kind: models.CifarResNet(
                      depth, size.image_shape, size.classes,
                      shortcut="plain" if kind == "plain" else "A"),
                  n, values["epochs"], settings.batch_size, validation_split=0.1, evaluated=test)
        for kind in ("plain", "resnet") for depth in values["depths"]]


def _two_networks(builders: dict[str, Callable], exercises: dict[str, Callable] | None = None,
                  values: dict | None = None):
    """The plan of chapters 6 and 7: two networks trained alike, as `train.fit_each` does,
    and the exercises' networks (`exercises`) trained the same way; `values` adds the
    chapter's own values."""

    def plan(settings: Settings, size: _Size):
        chosen = {
            "train_images": _by_profile(settings, {"quick": (12_000, 2_000)}, (None, None)),
            "epochs": _by_profile(settings, {"full": settings.epochs}, 3),
            **(values or {}),
        }
        n = _count(chosen["train_images"][0], size.train)
        test = _count(chosen["train_images"][1], size.test)
        return chosen, [
            _training(name, name, lambda build=build: build(size.image_shape, size.classes),
                      n, chosen["epochs"], settings.batch_size, validation_split=0.1,
                      evaluated=test, exercise=name in (exercises or {}))
            for name, build in {**builders, **(exercises or {})}.items()]

    return plan


def _inception(settings: Settings, size: _Size):
    from imgclf import models

    return _two_networks({"mini_inception": models.MiniInception,
                          "plain_cnn": models.plain_cnn})(settings, size)


def _xception(settings: Settings, size: _Size):
    from imgclf import models

    matched = (24, 48)  # the regular network's widths with about the separable one's parameters
    return _two_networks({
        "separable": models.MiniXception,
        "regular": lambda shape, classes: models.MiniXception(shape, classes, separable=False),
    }, exercises={
        "regular, matched": lambda shape, classes: models.MiniXception(
            shape, classes, widths=matched, separable=False),
    }, values={"matched_widths": matched})(settings, size)


def _transfer(settings: Settings, size: _Size):
    from imgclf import models, transfer

    half = size.classes // 2
    values = {
        "source_images": _by_profile(settings, {"quick": (15_000, 2_000)}, (None, None)),
        "pretrain_epochs": _by_profile(settings, {"full": settings.epochs}, 2),
        "counts": _by_profile(settings, {"smoke": (10,)}, (1, 10, 100)),
        "steps": _by_profile(settings, {"smoke": 20}, 60),
        "exercise_counts": (2, 20),
        # The ImageNet comparison's labels per class and test images (None: all): in the
        # quick profile on a GPU it must fit GPU_BUDGET_SECONDS with the rest of the chapter.
        "imagenet_counts": _by_profile(settings, {"quick": (10,)}, (1, 10, 100)),
        "imagenet_test_images": _by_profile(settings, {"quick": 1000}, None),
    }
    source_n = _count(values["source_images"][0], size.train // 2)
    source_test = _count(values["source_images"][1], size.test // 2)
    target_test = size.test - size.test // 2

    def resnet(classes):
        return lambda: models.CompactResNet(input_shape=size.image_shape, num_classes=classes)

    trainings = [_training("pretrained", "CompactResNet", resnet(half), source_n,
                           values["pretrain_epochs"], settings.batch_size, validation_split=0.1,
                           evaluated=source_test)]
    extractor = _once(lambda: transfer.feature_extractor(resnet(half)()))
    trainings += _few_labels(settings, values, extractor, size.classes - half, target_test,
                             scratch=resnet(size.classes - half))
    on_gpu = settings.profile in transfer.IMAGENET_ON_GPU
    if on_gpu or settings.profile in transfer.IMAGENET_ALWAYS:  # from ImageNet's MobileNet
        from imgclf import applications

        imagenet = _once(lambda: transfer.feature_extractor(applications.imagenet_classifier(
            models.MobileNet(include_top=False, pooling="avg"), "mobilenet", size.image_shape)))
        trainings += _few_labels(settings, {**values, "counts": values["imagenet_counts"]},
                                 imagenet, size.classes - half,
                                 _count(values["imagenet_test_images"], target_test),
                                 scratch=None, network="MobileNet (ImageNet)",
                                 gpu_only=on_gpu)
    head = _head(extractor, size.classes - half)
    for count in values["exercise_counts"]:
        images = count * (size.classes - half)
        trainings += [
            _training(f"features, {count} per class", "CompactResNet features",
                      extractor, 0, 0, 1, evaluated=images, exercise=True),
            _training(f"head, {count} per class", "Dense", head, images,
                      transfer.HEAD_EPOCHS, images, exercise=True)]
    return values, trainings


def _once(build: Callable) -> Callable:
    """`build`, calling it only the first time (a network several trainings start from)."""
    return functools.cache(build)


def _head(extractor: Callable, classes: int) -> Callable:
    """A builder of the classifier `imgclf.transfer.train_head` trains on the features of the
    network `extractor()` builds."""
    from imgclf import transfer

    return lambda: transfer.head(extractor().outputs[0].shape[-1], classes)


def _few_labels(settings: Settings, values: dict, extractor: Callable, classes: int,
                test_images: int, scratch: Callable | None, network: str = "CompactResNet",
                gpu_only: bool = False) -> list:
    """What `imgclf.transfer.few_label_comparison` trains, for each count of labels."""
    from imgclf import transfer

    head = _head(extractor, classes)
    only = {"gpu_only": gpu_only}
    trainings = [_training(f"{network}: features of the test images", f"{network} features",
                           extractor, 0, 0, 1, evaluated=test_images, **only)]
    for count in values["counts"]:
        images = count * classes
        batch, epochs = transfer.steps_schedule(settings.batch_size, images, values["steps"])
        if scratch is not None:
            trainings.append(_training(f"from scratch, {count} per class", network, scratch,
                                       images, epochs, batch, evaluated=test_images, **only))
        trainings += [
            _training(f"{network}: features, {count} per class", f"{network} features",
                      extractor, 0, 0, 1, evaluated=images, **only),
            _training(f"{network}: head, {count} per class", "Dense", head, images,
                      transfer.HEAD_EPOCHS, images, **only),
            _training(f"{network}: fine-tuning, {count} per class", network,
                      lambda: transfer.fine_tuning_model(extractor(), head()), images, epochs,
                      batch, evaluated=test_images, **only)]
    return trainings


_PLANS: dict[str, Callable] = dict(zip(CHAPTERS, (
    _first_cnn, _ilsvrc, _alexnet, _deep_networks, _resnet, _inception, _xception, _transfer),
    strict=True))


def cost_table(settings: Settings, budgets: dict[str, float] | None = None) -> Table:
    """Every chapter's plan in `settings`' profile: networks trained, training multiply-adds
    and the estimated minutes on each of `imgclf.cost.DEVICES`, for what "Run all" trains
    (exercises apart). With `budgets` (seconds per device name), a last column says whether
    every estimate is within them."""
    rows = []
    for name in CHAPTERS:
        plan = chapter(name, settings)
        run_all = [t for t in plan.trainings if not t.exercise]
        row = [name, sum(1 for t in run_all if t.epochs),
               f"{sum(t.training_multiply_adds for t in run_all):.2e}"]
        row += [f"{plan.seconds(device) / 60:.1f}" for device in cost.DEVICES]
        if budgets:
            row.append("yes" if within(plan, budgets) else "NO")
        rows.append(tuple(row))
    columns = ["chapter", "networks trained", "training multiply-adds",
               *(f"{device} minutes" for device in cost.DEVICES)]
    caption = (f"The {settings.profile} profile on {settings.dataset}: estimated by imgclf.cost, "
               f"exercises apart")
    if budgets:
        columns.append("within " + ", ".join(f"{d} {_duration(s)}" for d, s in budgets.items()))
    return Table.of(columns, rows, caption=caption)


def within(plan: Plan, budgets: dict[str, float]) -> bool:
    """Whether `plan`'s estimate (exercises apart) is at most `budgets[device]` seconds on each
    device named.

    Raises:
        TypeError: `plan` is not a `Plan`, or `budgets` not a mapping.
        ValueError: a device that `imgclf.cost.DEVICES` does not know.
    """
    _check_plan(plan)
    if not isinstance(budgets, dict):
        raise TypeError(f"budgets must map device names to seconds, e.g. {{'T4': 600}}, got "
                        f"{type(budgets).__name__}")
    for device, seconds in budgets.items():  # a NaN budget once answered False in silence
        check.number(f"budgets[{device!r}]", seconds, low=0)
        cost.device_named(device)
    return all(plan.seconds(device) <= seconds for device, seconds in budgets.items())


def _check_plan(plan) -> None:
    if not isinstance(plan, Plan):
        raise TypeError(f"plan must be an imgclf.plans.Plan (plans.chapter(name, settings)), "
                        f"got {type(plan).__name__}")


def gpu_only_phrase(plan: Plan) -> str:
    """How a chapter's header quotes the part of its estimate that runs only on a GPU, e.g.
    "0.7 min on a T4"; "" when the plan has none. Raises TypeError for anything but a
    `Plan`."""
    _check_plan(plan)
    only = [t for t in plan.trainings if t.gpu_only and not t.exercise]
    return f"{cost.seconds(only, 'T4') / 60:.1f} min on a T4" if only else ""


def estimate_phrase(plan: Plan) -> str:
    """How a chapter's header quotes its plan's estimate (exercises apart), e.g. "about 1.2 min
    on a T4 and 39 s on an H100". Raises TypeError for anything but a `Plan`."""
    _check_plan(plan)
    return (f"about {plan.seconds('T4') / 60:.1f} min on a T4 and {plan.seconds('H100'):.0f} s "
            f"on an H100")
