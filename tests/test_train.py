"""imgclf.train: training that compiles, resumes after a hard kill, and runs data-parallel."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import warnings

import keras
import numpy as np
import pytest
from conftest import HANG_S, REPO
from keras.src.trainers.trainer import model_supports_jit

from imgclf import _validate, data, distribute, hardware, models, profiles, train, viz
from imgclf.augment import RandomCropFlip


@pytest.fixture(scope="module")
def sample():
    return data.load("sample")


def run_python(code: str, env: dict | None = None, timeout: int = HANG_S):
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=environment, cwd=REPO, timeout=timeout)


def test_augmentation_keeps_the_training_step_compilable(sample):
    inputs = keras.Input((28, 28, 1))
    ours = keras.Model(inputs, models.small_cnn()(RandomCropFlip(2)(inputs)))
    assert model_supports_jit(ours)
    translate = keras.layers.RandomTranslation(0.1, 0.1)
    stock = keras.Model(inputs, models.small_cnn()(translate(inputs)))
    assert not model_supports_jit(stock)  # what Keras's own layers do: the whole step loses jit
    ours.compile(optimizer="adam", loss="sparse_categorical_crossentropy", jit_compile=True)
    ours.fit(sample.x_train[:64], sample.y_train[:64], batch_size=32, epochs=1, verbose=0)
    assert ours.jit_compile is True


def test_fit_reports_jit_where_the_backend_uses_it(sample):
    cfg = train.config(profiles.resolve("smoke"), epochs=1, augment=True, verbose=0)
    trained = train.fit(models.small_cnn(), sample.subset(200, 50), cfg)
    # Keras compiles with XLA on JAX; on TensorFlow only with an accelerator (XLA on a CPU
    # trained resnet_compact at 108 s instead of 69 s for 3 epochs here).
    expected = True
    if keras.config.backend() == "tensorflow":
        import tensorflow as tf

        expected = any(d.device_type != "CPU" for d in tf.config.list_physical_devices())
    assert trained.record["jit_compile"] is expected
    assert np.isfinite(trained.record["test_accuracy"])


def test_random_crop_flip_moves_whole_images_and_is_identity_at_inference():
    rng = np.random.default_rng(0)
    images = rng.random((16, 8, 8, 1)).astype("float32") + 1.0  # no zeros inside an image
    layer = RandomCropFlip(padding=2, seed=3)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(images, training=False)),
                                  images)
    out = keras.ops.convert_to_numpy(layer(images, training=True))
    assert out.shape == images.shape
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0)))
    moved = 0
    for image, result in zip(padded, out, strict=True):
        crops = [image[r:r + 8, c:c + 8] for r in range(5) for c in range(5)]
        matches = [np.allclose(result, crop) or np.allclose(result, crop[:, ::-1])
                   for crop in crops]
        assert any(matches), "every output is a (mirrored) crop of its padded input"
        moved += not np.allclose(result, image[2:10, 2:10])
    assert moved > 8, "most images are shifted or mirrored"


def test_training_config_per_profile_and_overrides():
    smoke = train.config(profiles.resolve("smoke"))
    full = train.config(profiles.resolve("full"))
    assert not smoke.augment and full.augment and full.label_smoothing == 0.1
    assert not train.config(profiles.resolve("quick", dataset="mnist")).flip
    assert train.config(profiles.resolve("smoke"), epochs=7).epochs == 7
    with pytest.raises(ValueError, match="unknown training settings \\['epoch'\\]"):
        train.config(profiles.resolve("smoke"), epoch=3)
    with pytest.raises(ValueError, match="epochs must be an integer >= 1"):
        train.config(profiles.resolve("smoke"), epochs=0)


def test_label_smoothing_and_history_for_the_figures(sample):
    cfg = train.config(profiles.resolve("smoke"), epochs=2, label_smoothing=0.1, verbose=0)
    with warnings.catch_warnings():  # 270 training images in batches of 64: no warning
        warnings.simplefilter("error", _validate.BatchLargerThanDataWarning)
        trained = train.fit(models.small_cnn(), sample.subset(300, 50), cfg)
    assert len(trained.history["loss"]) == 2 and len(trained.history["val_accuracy"]) == 2
    viz.training_curves(trained.history, title="smoke")
    probabilities = trained.model.predict(sample.x_test[:4], verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-4)


def test_a_batch_larger_than_the_data_is_warned_about_and_still_trains(sample):
    cfg = train.config(profiles.resolve("smoke"), epochs=1, verbose=0)  # batches of 64
    with pytest.warns(_validate.BatchLargerThanDataWarning,
                      match="batch_size 64 is larger than the 36 images trained on: each "
                            "epoch is one step"):
        trained = train.fit(models.small_cnn(), sample.subset(40, 20), cfg)
    assert len(trained.history["loss"]) == 1


def test_fit_rejects_mismatches(sample):
    cfg = train.config(profiles.resolve("smoke"), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="the model has 7 outputs, the data 10 classes"):
        train.fit(models.small_cnn(num_classes=7), sample, cfg)
    with pytest.raises(ValueError, match="pass a function that builds the model"):
        train.fit(models.small_cnn(), sample, cfg, devices=["cpu:0", "cpu:1"])
    with pytest.raises(TypeError, match="imgclf.data.Dataset"):
        train.fit(models.small_cnn(), (sample.x_train, sample.y_train), cfg)


def train_command(out, epochs=3, batch=8, extra=()):
    return [sys.executable, "-m", "imgclf", "train", "--model", "small_cnn", "--dataset",
            "sample", "--epochs", str(epochs), "--batch-size", str(batch), "--out", str(out),
            "--profile", "smoke", *extra]


@pytest.mark.integration
# Once, on TensorFlow: the same kill and resume on each backend, two workers at once, is
# test_distribute's SLURM test, parametrized by backend.
@pytest.mark.backend_independent
def test_a_hard_killed_run_resumes_and_ends_with_every_epoch(tmp_path):
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(train_command(out), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO)
    for line in process.stdout:
        if line.startswith("Epoch 2/3"):
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=HANG_S)
    assert process.returncode == -signal.SIGKILL
    assert not (out / "record.json").exists()
    assert len(json.loads((out / "history.json").read_text())) == 1

    rerun = subprocess.run(train_command(out), capture_output=True, text=True, env=env,
                           cwd=REPO, timeout=HANG_S)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    epochs_run = [line for line in rerun.stdout.splitlines() if line.startswith("Epoch ")]
    assert epochs_run[0] in ("Epoch 2/3", "Epoch 3/3")
    record = json.loads((out / "record.json").read_text())
    history = json.loads((out / "history.json").read_text())
    assert record["epochs"] == 3 and len(history) == 3
    assert record["epochs_this_session"] == 4 - int(epochs_run[0][6])
    assert (out / "model.keras").is_file() and not (out / "backup").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    again = subprocess.run(train_command(out), capture_output=True, text=True, env=env,
                           cwd=REPO, timeout=HANG_S)
    assert "already holds a finished run" in again.stdout


DISTRIBUTED = """
    import json
    from imgclf import data, distribute, models, profiles, train
    sample = data.load("sample").subset(256, 64)
    cfg = train.config(profiles.resolve("smoke"), epochs=1, batch_size=32, verbose=0)
    devices = distribute.choose("cpu")
    trained = train.fit(lambda: models.small_cnn(), sample, cfg, devices=devices)
    print(json.dumps({"devices": devices, "replicas": trained.record["replicas"],
                      "accuracy": trained.record["test_accuracy"]}))
"""


def test_slurm_needs_a_slurm_job(monkeypatch):
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    with pytest.raises(ValueError, match="needs to run as a task of a SLURM job"):
        distribute.choose("slurm")
    with pytest.raises(ValueError, match="devices must be 'auto', 'none'"):
        distribute.choose("tpu")


def test_mixed_precision_trains_and_restores_the_policy(sample):
    cfg = train.config(profiles.resolve("smoke"), epochs=1, mixed_precision=True, verbose=0)
    trained = train.fit(lambda: models.small_cnn(), sample.subset(128, 32), cfg)
    assert trained.network.get_layer("stage1_conv").compute_dtype == "bfloat16"
    assert keras.mixed_precision.global_policy().name == "float32"
    assert np.isfinite(trained.record["test_loss"])


@pytest.mark.parametrize("capabilities, policy", [
    ([], None),                      # a CPU
    ([(7, 5)], "mixed_float16"),     # Colab's T4: float16 tensor cores only
    ([(8, 0)], "mixed_bfloat16"),    # A100
    ([(9, 0)], "mixed_bfloat16"),    # H100, H200
    ([(9, 0), (7, 0)], "mixed_float16"),  # the oldest card decides
])
def test_mixed_precision_policy_follows_the_compute_capability(monkeypatch, capabilities,
                                                               policy):
    monkeypatch.setattr(hardware, "compute_capabilities", lambda: capabilities)
    assert hardware.mixed_precision_policy() == policy


def test_mixed_precision_on_a_t4_trains_in_float16(monkeypatch, sample):
    monkeypatch.setattr(hardware, "compute_capabilities", lambda: [(7, 5)])
    cfg = train.config(profiles.resolve("smoke"), epochs=1, mixed_precision=True, verbose=0)
    trained = train.fit(lambda: models.small_cnn(), sample.subset(128, 32), cfg)
    assert trained.network.get_layer("stage1_conv").compute_dtype == "float16"
    assert trained.network.get_layer("classifier").compute_dtype == "float32"
    assert keras.mixed_precision.global_policy().name == "float32"
    assert np.isfinite(trained.record["test_loss"])


@pytest.mark.integration
@pytest.mark.backend_independent  # its subprocess names its backend
def test_data_parallel_on_two_logical_cpus_with_tensorflow():
    split = """
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        two = [tf.config.LogicalDeviceConfiguration()] * 2
        tf.config.set_logical_device_configuration(cpu, two)
    """
    done = run_python(textwrap.dedent(split) + textwrap.dedent(DISTRIBUTED),
                      env={"KERAS_BACKEND": "tensorflow"})
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["devices"]) == 2 and result["replicas"] == 2
    assert 0 <= result["accuracy"] <= 1


@pytest.mark.integration
@pytest.mark.backend_independent  # its subprocess names its backend
def test_data_parallel_on_two_cpu_devices_with_jax():
    done = run_python(DISTRIBUTED, env={"KERAS_BACKEND": "jax",
                                        "XLA_FLAGS": "--xla_force_host_platform_device_count=2"})
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["devices"] == ["cpu:0", "cpu:1"] and result["replicas"] == 2
    assert 0 <= result["accuracy"] <= 1


def test_fit_trains_with_its_batch_norm_momentum_and_gives_the_model_its_own_back(sample):
    network = models.small_cnn()
    norms = [layer for layer in network.layers
             if isinstance(layer, keras.layers.BatchNormalization)]
    assert norms and {layer.momentum for layer in norms} == {0.9}
    cfg = train.config(profiles.resolve("smoke"), epochs=1, bn_momentum=0.5, verbose=0)
    seen = []

    class Spy(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.extend(layer.momentum for layer in norms)

    original = keras.Model.fit

    def fit_with_spy(self, *args, **kwargs):
        return original(self, *args, **{**kwargs, "callbacks": [*kwargs["callbacks"], Spy()]})

    keras.Model.fit, restore = fit_with_spy, original
    try:
        train.fit(network, sample.subset(72, 16), cfg)
    finally:
        keras.Model.fit = restore
    assert set(seen) == {0.5}, "trained with the config's momentum"
    assert {layer.momentum for layer in norms} == {0.9}, "and the caller's model has its own"
    assert not any(layer.synchronized for layer in norms)


def test_fit_scales_uint8_images_once_in_front_of_the_network(sample):
    cfg = train.config(profiles.resolve("smoke"), epochs=1, verbose=0)
    trained = train.fit(models.small_cnn(), sample.subset(72, 16), cfg)
    images = sample.x_test[:4]
    np.testing.assert_allclose(
        trained.model.predict(images, verbose=0),
        trained.network.predict(data.scale(images), verbose=0), atol=1e-5)


def test_the_same_seed_trains_the_same_network_and_another_seed_another(sample):
    """What makes a chapter's smoke numbers repeatable: the subset, the weights, the split
    and the order of the batches all follow the seed."""
    def losses(seed: int) -> list[float]:
        cfg = train.config(profiles.resolve("smoke"), epochs=1, batch_size=16, verbose=0,
                           seed=seed)
        small = sample.subset(64, 10, seed=seed)
        return train.fit(lambda: models.small_cnn(name="seeded"), small, cfg,
                         evaluate_test=False).history["loss"]

    first = losses(3)
    assert losses(3) == first
    assert losses(4) != first


def test_fit_each_trains_every_builder_on_the_same_data(sample):
    cfg = train.config(profiles.resolve("smoke"), epochs=1, verbose=0)
    small = sample.subset(72, 20)
    runs = train.fit_each({"a": lambda: models.small_cnn(name="a"),
                           "b": lambda: models.four_layer_cnn(name="b")}, small, cfg)
    assert list(runs) == ["a", "b"]
    assert [r.record["model"] for r in runs.values()] == ["a", "b"]
    assert all(r.record["dataset"] == "sample" and r.record["epochs"] == 1
               for r in runs.values())
    with pytest.raises(ValueError, match="at least one"):
        train.fit_each({}, small, cfg)


class Poison(keras.layers.Layer):
    """Turns its input NaN: a stand-in for arithmetic that overflows."""

    def call(self, x):
        return x + keras.ops.cast(float("nan"), x.dtype)


def poisoned(image_shape, always: bool):
    """A classifier whose logits turn NaN when built in mixed precision (or, with `always`,
    in any): a stand-in for a network that overflows in 16-bit arithmetic on some GPU."""
    inputs = keras.Input(image_shape)
    x = keras.layers.Dense(10, name="logits")(keras.layers.Flatten()(inputs))
    x = keras.layers.Activation("softmax", dtype="float32")(x)
    if always or "16" in keras.mixed_precision.global_policy().name:
        # After the softmax: Keras's softmax on JAX turns NaN logits into finite numbers.
        x = Poison(name="poison", dtype="float32")(x)
    return keras.Model(inputs, x)


def test_a_run_that_overflows_in_mixed_precision_trains_again_in_float32(sample, tmp_path,
                                                                         capsys):
    cfg = train.config(profiles.resolve("smoke"), epochs=2, mixed_precision=True, verbose=0)
    trained = train.fit(lambda: poisoned(sample.image_shape, always=False),
                        sample.subset(128, 32), cfg, out_dir=tmp_path, name="poisoned")
    assert "training poisoned: the loss became nan in epoch 1 in mixed_bfloat16: training " \
           "it again from the start in float32" in capsys.readouterr().out
    assert trained.record["diverged"] == {"policy": "mixed_bfloat16", "epoch": 1,
                                          "loss": "nan", "then": "float32"}
    assert trained.record["config"]["mixed_precision"] is False
    assert trained.record["epochs"] == 2 and np.isfinite(trained.record["test_loss"])
    assert json.loads((tmp_path / "record.json").read_text())["diverged"]["epoch"] == 1
    assert len(json.loads((tmp_path / "history.json").read_text())) == 2


def test_a_run_that_diverges_in_float32_stops_with_a_clear_error_and_keeps_nothing(
        sample, tmp_path):
    cfg = train.config(profiles.resolve("smoke"), epochs=3, verbose=0)
    with pytest.raises(train.TrainingDiverged,
                       match=r"training poisoned: the loss became nan in epoch 1 \(float32, "
                             r"peak learning rate 0.003\).*lower peak_learning_rate"):
        train.fit(lambda: poisoned(sample.image_shape, always=True), sample.subset(128, 32),
                  cfg, out_dir=tmp_path, name="poisoned")
    assert not any(path.is_file() for path in tmp_path.rglob("*")), \
        "a diverged run left files (a backup would resume from its overflowed weights)"
