"""The one training path of the course: a thin layer over `model.compile` and `model.fit`.

`fit(model, data, config)` takes uint8 images, scales them to [0, 1] inside the compiled graph,
augments them there (random crop of a padded image, horizontal flip) when the config says so,
and trains with AdamW, a warm-up + cosine learning rate and optional label smoothing. With an
`out_dir` a run survives being killed: it resumes from its last completed epoch, and writes
the model, the history and a run record, each atomically. Several GPUs (or, for tests,
several logical CPUs) are used data-parallel.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import keras
import numpy as np

from imgclf import _validate as check
from imgclf import atomic, distribute, fastest, hardware
from imgclf.analysis import layers_of
from imgclf.augment import RandomCropFlip
from imgclf.checkpoints import EpochLog, WorkerBackup
from imgclf.data import Dataset
from imgclf.models.common import check_image_shape, takes_images_of
from imgclf.profiles import PROFILES, Settings
from imgclf.runs import RecordTraining
from imgclf.schedules import warmup_cosine

NO_FLIP = ("mnist",)  # mirrored digits are other symbols


@dataclass(frozen=True)
class TrainConfig:
    """How to train: the profile's defaults, each open to change with `config(..., key=value)`.

    Attributes:
        epochs, batch_size, seed, verbose: as in the profile's `Settings`.
        peak_learning_rate: AdamW's rate after warm-up; it then follows a cosine to 0.
        warmup_fraction: the share of all steps spent warming up.
        weight_decay: AdamW's decoupled weight decay.
        label_smoothing: 0 for hard targets; 0.1 spreads a tenth of each target over all classes.
        augment: random crops (zero padding of `padding` pixels) and, if `flip`, mirroring.
        bn_momentum: BatchNormalization momentum; lower values settle within short runs.
        validation_split: the share of training images held out for validation (0: none,
            for runs on a handful of labelled images).
        mixed_precision: compute in 16 bits, keeping float32 weights: bfloat16, or float16 on
            GPUs older than Ampere (`imgclf.hardware.mixed_precision_policy`). Without it,
            a network still trains in bfloat16 where this CPU does that faster
            (`imgclf.fastest`: bfloat16 instructions, no batch normalisation).
    """

    epochs: int
    batch_size: int
    seed: int = 0
    verbose: int = 1
    peak_learning_rate: float = 3e-3
    warmup_fraction: float = 0.1
    weight_decay: float = 5e-4
    label_smoothing: float = 0.0
    augment: bool = True
    padding: int = 2
    flip: bool = True
    bn_momentum: float = 0.9
    validation_split: float = 0.1
    mixed_precision: bool = False


def config(settings: Settings, **changes) -> TrainConfig:
    """The training defaults of a profile's settings, with `changes` applied.

    smoke and quick: no augmentation (within a few epochs it costs more accuracy than it
    gives: 90.8% instead of 92.3% for `resnet_compact`, 3 epochs on Fashion-MNIST); full:
    augmentation, label smoothing 0.1, BatchNorm momentum 0.99, mixed precision with a GPU.
    `$IMGCLF_PRECISION` (`hardware.forced_precision`) forces mixed precision on or off in
    every profile.
    """
    if not isinstance(settings, Settings):
        hint = (f": imgclf.profiles.resolve({settings!r}) makes them"
                if isinstance(settings, str) else "")
        raise TypeError(f"settings must be an imgclf.profiles.Settings, got "
                        f"{type(settings).__name__}{hint}")
    if settings.profile not in PROFILES:
        raise ValueError(f"settings.profile {settings.profile!r} is not a profile. Valid "
                         f"profiles: {', '.join(PROFILES)}.")
    base = TrainConfig(epochs=settings.epochs, batch_size=settings.batch_size,
                       seed=settings.seed, verbose=settings.verbose,
                       flip=settings.dataset not in NO_FLIP)
    per_profile = {
        "smoke": {"augment": False},
        "quick": {"augment": False},
        "full": {"label_smoothing": 0.1, "bn_momentum": 0.99, "padding": 4,
                 "mixed_precision": hardware.gpu_available()},
    }[settings.profile]
    forced = hardware.forced_precision()
    if forced is not None:  # a rehearsal of another machine's path (make test-t4)
        per_profile["mixed_precision"] = forced != "float32"
    unknown = set(changes) - set(asdict(base))
    if unknown:
        raise ValueError(f"unknown training settings {sorted(unknown)}; "
                         f"known: {', '.join(asdict(base))}")
    chosen = replace(base, **{**per_profile, **changes})
    _check(chosen)
    return chosen


def _check(cfg: TrainConfig) -> None:
    """Raise, naming the field, for a config no training can run with."""
    if not isinstance(cfg, TrainConfig):
        raise TypeError(f"cfg must be a TrainConfig (imgclf.train.config(settings, ...)), got "
                        f"{type(cfg).__name__}")
    check.integer("epochs", cfg.epochs, minimum=1)
    check.integer("batch_size", cfg.batch_size, minimum=1)
    check.integer("seed", cfg.seed, minimum=0)
    check.integer("verbose", cfg.verbose, minimum=0, maximum=2)
    check.integer("padding", cfg.padding, minimum=0)
    check.number("peak_learning_rate", cfg.peak_learning_rate, low=0, low_open=True)
    check.number("weight_decay", cfg.weight_decay, low=0)
    check.number("warmup_fraction", cfg.warmup_fraction, low=0, high=1, high_open=True)
    for name in ("label_smoothing", "validation_split", "bn_momentum"):
        check.rate(name, getattr(cfg, name))
    for name in ("augment", "flip", "mixed_precision"):
        check.boolean(name, getattr(cfg, name))


@dataclass
class Trained:
    """The outcome of `fit`.

    Attributes:
        model: the classifier for uint8 images (N, H, W, C) -> probabilities (N, classes).
        network: the network that was trained (it takes images scaled to [0, 1]).
        history: per-epoch metrics ("loss", "accuracy", "val_loss", ...), all epochs of the run.
        record: what ran and what it gave (seconds, images/s, final and test metrics, machine).
    """

    model: keras.Model
    network: keras.Model
    history: dict[str, list[float]]
    record: dict


def scaled_inputs(image_shape) -> tuple:
    """An input for uint8 images of `image_shape` (H, W, C), and those images scaled to
    [0, 1], the range every network of `imgclf.models` takes: (inputs, scaled tensors)."""
    inputs = keras.Input(check_image_shape("image_shape", image_shape), name="images")
    return inputs, keras.layers.Rescaling(1 / 255, name="scale")(inputs)


def _compile(trainer, cfg: TrainConfig, steps: int):
    optimizer = keras.optimizers.AdamW(
        learning_rate=warmup_cosine(steps, cfg.peak_learning_rate, cfg.warmup_fraction),
        weight_decay=cfg.weight_decay)
    loss = (keras.losses.CategoricalCrossentropy(label_smoothing=cfg.label_smoothing)
            if cfg.label_smoothing else keras.losses.SparseCategoricalCrossentropy())
    trainer.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"], jit_compile="auto")


def fit(model: keras.Model | Callable[[], keras.Model], data: Dataset, cfg: TrainConfig,
        out_dir: Path | str | None = None, name: str | None = None,
        devices: str | list[str] = "auto", evaluate_test: bool = True) -> Trained:
    """Train `model` (or the model `model()` builds) on `data` as `cfg` says.

    Args:
        model: a Keras model taking images scaled to [0, 1], or a function building one.
            Pass a function to train on several devices or in mixed precision: the model must
            be built inside the distribution scope and precision policy.
        data: uint8 images, `imgclf.data.Dataset`; a random `validation_split` of the
            training images is held out.
        out_dir: where the model (model.keras), history (history.json), run record
            (record.json) and the resumable backup go; None keeps nothing on disk.
        devices: see `imgclf.distribute.choose`: "auto" uses every GPU when there are two+.

    The network trains in the precision `imgclf.fastest` chooses for it on this machine (a
    built `model` passed in is changed in place: `imgclf.fastest.adapt`).

    A run whose training loss becomes NaN or infinite stops at the end of that epoch rather
    than train on to chance accuracy. In mixed precision it is then trained once more, from
    the start, in float32, and says so (printed, and `record["diverged"]`); some networks
    overflow in 16-bit arithmetic on one kind of GPU and not on others.

    Raises:
        ValueError: bad settings, labels outside the model's classes, or a built model where
            a builder is needed.
        TrainingDiverged: the loss became NaN or infinite in float32 (no model, record or
            backup of the overflowed weights is written to `out_dir`; the epoch log and
            backup of the epochs before it stay).
    """
    chosen = _check_fit(model, data, cfg, out_dir, name, devices, evaluate_test)
    out_dir = Path(out_dir) if out_dir is not None else None
    label = name or "the network"
    try:
        return _fit_once(model, data, cfg, out_dir, name, chosen, evaluate_test)
    except _Diverged as diverged:
        epoch, loss = diverged.epoch, diverged.loss
        what = f"training {label}: the loss became {loss} in epoch {epoch}"
        if not cfg.mixed_precision:
            raise TrainingDiverged(
                f"{what} (float32, peak learning rate {cfg.peak_learning_rate}); every step "
                f"after it would stay at chance. Try a lower peak_learning_rate") from None
    policy = hardware.mixed_precision_policy() or "mixed_bfloat16"
    print(f"{what} in {policy}: training it again from the start in float32", flush=True)
    _forget_run(out_dir)
    try:
        trained = _fit_once(model, data, replace(cfg, mixed_precision=False), out_dir, name,
                            chosen, evaluate_test)
    except _Diverged as again:
        raise TrainingDiverged(
            f"{what} in {policy}, and in epoch {again.epoch} again in float32 (loss "
            f"{again.loss}); try a lower peak_learning_rate (now {cfg.peak_learning_rate})"
        ) from None
    trained.record["diverged"] = {"policy": policy, "epoch": epoch, "loss": str(loss),
                                  "then": "float32"}
    if out_dir is not None and distribute.is_chief():
        atomic.write_json(out_dir / "record.json", trained.record)
    return trained


def _check_fit(model, data, cfg, out_dir, name, devices, evaluate_test):
    """`fit`'s arguments checked before anything runs; the devices chosen."""
    _check(cfg)
    if not isinstance(data, Dataset) or len(data.x_train) == 0:
        got = "an empty Dataset" if isinstance(data, Dataset) else type(data).__name__
        raise TypeError(f"data must be a non-empty imgclf.data.Dataset (imgclf.data.load(...)), "
                        f"got {got}")
    check.warn_if_batch_exceeds(
        cfg.batch_size, int(len(data.x_train) * (1 - cfg.validation_split)),  # as Keras splits
        stacklevel=4)
    if not (isinstance(model, keras.Model) or callable(model)):
        raise TypeError(f"model must be a keras.Model or a function building one, got "
                        f"{type(model).__name__}")
    if out_dir is not None:
        check.path("out_dir", out_dir, kind="folder")
    if name is not None:
        check.text("name", name)
    check.boolean("evaluate_test", evaluate_test)
    chosen = distribute.choose(devices)
    replicating = chosen == distribute.SLURM or len(chosen) > 1
    if isinstance(model, keras.Model) and (replicating or cfg.mixed_precision):
        raise ValueError("to train on several devices or in mixed precision, pass a function "
                         "that builds the model (the model must be built inside their scope)")
    return chosen


class TrainingDiverged(RuntimeError):
    """The training loss became NaN or infinite: the run cannot learn any more."""


class _Diverged(Exception):
    def __init__(self, epoch: int, loss: float):
        super().__init__(epoch, loss)
        self.epoch, self.loss = epoch, loss


class _StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Raises `_Diverged` at the end of the first epoch whose mean training loss is not
    finite. It comes before the backup in the callbacks, so that no backup of the overflowed
    weights is written (a resumed run would start from them)."""

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            raise _Diverged(epoch + 1, float(loss))


def _forget_run(out_dir: Path | None) -> None:
    """Remove a diverged run's epoch log and backup from `out_dir`, so that the run trained
    again in float32 starts from the beginning instead of resuming them."""
    if out_dir is None or not distribute.is_chief():
        return
    (out_dir / "history.json").unlink(missing_ok=True)
    shutil.rmtree(out_dir / "backup", ignore_errors=True)


def _fit_once(model, data: Dataset, cfg: TrainConfig, out_dir: Path | None,
              name: str | None, chosen, evaluate_test: bool) -> Trained:
    """One training run of `fit` (its arguments checked); raises `_Diverged`."""
    rng = np.random.default_rng(cfg.seed)
    order = rng.permutation(len(data.x_train))  # Keras takes the validation split from the end
    x, y = data.x_train[order], data.y_train[order]
    keras.utils.set_random_seed(cfg.seed)
    chief = distribute.is_chief()
    with distribute.replicated(chosen) as replication:
        network, classifier, trainer = _build(model, data, cfg, replication.replicas, len(x))
        targets = keras.utils.to_categorical(y, data.num_classes) if cfg.label_smoothing else y
        callbacks, log = [_StopOnNonFiniteLoss(), RecordTraining()], None
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            log = EpochLog(out_dir / "history.json", write=chief)
            callbacks += [WorkerBackup(out_dir / "backup", chief=chief), log]
        batch_size = replication.batch_size(cfg.batch_size)
        with _batch_norm_for_training(network, cfg.bn_momentum,
                                      replication.synchronize_batch_norm):
            started = time.perf_counter()
            keras_history = trainer.fit(
                replication.shard(x), replication.shard(targets), batch_size=batch_size,
                epochs=cfg.epochs, validation_split=cfg.validation_split, verbose=cfg.verbose,
                callbacks=callbacks)
            seconds = time.perf_counter() - started
        classifier.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        test = {}
        if evaluate_test and len(data.x_test):
            x_test, y_test = replication.shard(data.x_test), replication.shard(data.y_test)
            loss, accuracy = classifier.evaluate(x_test, y_test, verbose=0,
                                                 batch_size=batch_size)
            test = {"test_loss": float(loss), "test_accuracy": float(accuracy),
                    "test_images": len(x_test) * replication.processes}
    history = log.history() if log else {k: list(map(float, v))
                                         for k, v in keras_history.history.items()}
    trained_images = len(keras_history.epoch) * len(x) * (1 - cfg.validation_split)
    record = {
        "model": name or network.name,
        "dataset": data.name,
        "parameters": network.count_params(),
        "config": asdict(cfg),
        "epochs": len(next(iter(history.values()), [])),
        "epochs_this_session": len(keras_history.epoch),
        "replicas": replication.replicas,
        "processes": replication.processes,
        "jit_compile": bool(trainer.jit_compile),
        "precision": fastest.precision_of(network),
        "seconds": round(seconds, 2),
        "images_per_second": round(trained_images / seconds, 1),
        "final": {k: v[-1] for k, v in history.items() if k != "learning_rate"},
        **test,
        "weights_sha256": weights_digest(classifier),
        "hardware": hardware.describe(),
        "versions": hardware.versions(),
    }
    if out_dir is not None and chief:
        save(classifier, out_dir / "model.keras")
        atomic.write_json(out_dir / "record.json", record)
    return Trained(classifier, network, history, record)


def weights_digest(model: keras.Model) -> str:
    """The sha256 of a model's weights (every array's shape, dtype and bytes, in order): equal
    digests mean equal weights, e.g. on the workers of one data-parallel run."""
    check.model("model", model)
    digest = hashlib.sha256()
    for weights in model.get_weights():
        array = np.ascontiguousarray(weights)
        digest.update(f"{array.shape}{array.dtype}".encode() + array.tobytes())
    return digest.hexdigest()


@contextlib.contextmanager
def _batch_norm_for_training(network: keras.Model, momentum: float,
                             synchronized: bool) -> Iterator[None]:
    """Train `network`'s BatchNormalization layers with `momentum`, and with statistics of the
    whole batch across replicas if `synchronized`; give each layer its own settings back
    after, so the caller's model (and the saved one) keeps what it was built with."""
    norms = [layer for layer in layers_of(network)
             if isinstance(layer, keras.layers.BatchNormalization)]
    before = [(layer.momentum, layer.synchronized) for layer in norms]
    for layer in norms:
        layer.momentum, layer.synchronized = momentum, synchronized
    try:
        yield
    finally:
        for layer, (momentum_before, synchronized_before) in zip(norms, before, strict=True):
            layer.momentum, layer.synchronized = momentum_before, synchronized_before


def fit_each(builders: dict[str, Callable[[], keras.Model]], data: Dataset,
             cfg: TrainConfig) -> dict[str, Trained]:
    """Train each network `builders` names, one after the other, on the same data and with
    the same config: the side-by-side comparisons of the chapters. Returns {name: Trained}."""
    check.mapping("builders", builders, what="{name: function building a model}")
    if not builders:
        raise ValueError("builders must hold at least one {name: builder}, got {}")
    if not all(callable(build) and not isinstance(build, keras.Model)
               for build in builders.values()):
        raise TypeError("builders must map names to functions that build models (lambda: "
                        "models....), not to built models: each run builds its own")
    runs = {}
    for name, build in builders.items():
        print(f"--- {name}", flush=True)
        runs[name] = fit(build, data, cfg, name=name)
    return runs


def _build(model, data: Dataset, cfg: TrainConfig, replicas: int, n_train: int):
    """The network, its classifier for uint8 images, and the (augmenting) model to train."""
    if cfg.batch_size % replicas:
        raise ValueError(f"batch_size {cfg.batch_size} must be divisible by the {replicas} "
                         f"devices it is split over")
    previous_policy = keras.mixed_precision.global_policy()
    if cfg.mixed_precision:
        # float16 where the GPU has no bfloat16 tensor cores; bfloat16 elsewhere (asked for
        # on a CPU too, bfloat16 keeps float32's range and needs no loss scaling).
        keras.mixed_precision.set_global_policy(hardware.mixed_precision_policy()
                                                or "mixed_bfloat16")
    try:
        network = model if isinstance(model, keras.Model) else model()
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
    network = fastest.adapt(network)  # bfloat16 where this CPU trains the network faster
    if not takes_images_of(network, data.image_shape):
        raise ValueError(f"the model takes images of shape {tuple(network.input_shape[1:])}, "
                         f"the data {data.name} has {data.image_shape}: build the model with "
                         f"input_shape={data.image_shape}")
    if network.output_shape[-1] != data.num_classes:
        raise ValueError(f"the model has {network.output_shape[-1]} outputs, the data "
                         f"{data.num_classes} classes")
    inputs, scaled = scaled_inputs(data.image_shape)
    classifier = keras.Model(inputs, network(scaled), name=f"{network.name}_classifier")
    trainer = classifier
    if cfg.augment:
        augmented = RandomCropFlip(cfg.padding, cfg.flip, seed=cfg.seed, name="augment")(scaled)
        trainer = keras.Model(inputs, network(augmented), name=f"{network.name}_trainer")
    steps = cfg.epochs * math.ceil(n_train * (1 - cfg.validation_split) / cfg.batch_size)
    _compile(trainer, cfg, steps)
    return network, classifier, trainer


def save(model: keras.Model, path: Path) -> Path:
    """Save `model` to `path` (.keras) through a temporary file, so no half model is left."""
    check.model("model", model)
    path = check.path("path", path)
    if path.suffix != ".keras":
        raise ValueError(f"path must be a file name ending in .keras, got {path!r}")
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        staged = Path(scratch) / path.name
        model.save(staged)
        staged.replace(path)
    return path
