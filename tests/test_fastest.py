"""imgclf.fastest: the precision each network trains in on this machine, chosen from the
backend, the GPUs and the processor's instruction sets."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

import imgclf
from imgclf import fastest, hardware, models, profiles, runs, train


@pytest.fixture
def bfloat16_cpu(monkeypatch):
    """A CPU with bfloat16 instructions and no GPU, whatever this machine is."""
    monkeypatch.delenv(hardware.PRECISION_VARIABLE, raising=False)
    monkeypatch.setattr(hardware, "cpu_flags", lambda: ["avx2", "avx512f", "avx512_bf16"])
    monkeypatch.setattr(hardware, "gpu_available", lambda: False)
    monkeypatch.setattr(hardware, "gpu_names", lambda: [])


@pytest.fixture
def plain_cpu(monkeypatch):
    """A CPU without bfloat16 instructions (AVX2 only) and no GPU."""
    monkeypatch.delenv(hardware.PRECISION_VARIABLE, raising=False)
    monkeypatch.setattr(hardware, "cpu_flags", lambda: ["avx2", "fma"])
    monkeypatch.setattr(hardware, "gpu_available", lambda: False)
    monkeypatch.setattr(hardware, "gpu_names", lambda: [])


def computes_in(network) -> list[str]:
    return [layer.compute_dtype for layer in imgclf.analysis.layers_of(network)]


def test_a_convolutional_network_without_batch_norm_trains_in_bfloat16_on_such_a_cpu(
        bfloat16_cpu):
    network = models.four_layer_cnn()
    expected = "mixed_bfloat16" if keras.config.backend() == "tensorflow" else None
    assert fastest.policy_for(network) == expected
    assert fastest.adapt(network) is network
    if expected is None:  # JAX's CPU measured slower in bfloat16: nothing changes
        assert set(computes_in(network)) == {"float32"}
        return
    assert computes_in(network)[:-1] == ["bfloat16"] * (len(computes_in(network)) - 1)
    assert computes_in(network)[-1] == "float32"  # the probabilities stay float32
    assert {w.dtype for w in network.weights} == {"float32"}
    assert fastest.precision_of(network) == "mixed_bfloat16"
    probabilities = network(np.zeros((2, 28, 28, 1), "float32"))
    assert keras.ops.convert_to_numpy(probabilities).dtype == np.float32


@pytest.mark.parametrize("build", [models.small_cnn, models.deep_mlp,
                                   lambda: models.CompactResNet()],
                         ids=["batch norm", "dense only", "resnet"])
def test_other_networks_keep_float32(bfloat16_cpu, build):
    network = fastest.adapt(build())
    assert fastest.policy_for(network) is None
    assert set(computes_in(network)) == {"float32"}
    assert fastest.precision_of(network) == "float32"


def test_without_bfloat16_instructions_or_with_a_forced_precision_nothing_changes(
        plain_cpu, monkeypatch):
    network = fastest.adapt(models.four_layer_cnn())
    assert set(computes_in(network)) == {"float32"}
    assert "mixed_bfloat16" not in fastest.sentence()
    monkeypatch.setattr(hardware, "cpu_flags", lambda: ["avx512_bf16"])
    monkeypatch.setenv(hardware.PRECISION_VARIABLE, "float32")
    assert fastest.policy_for(models.four_layer_cnn()) is None
    assert "forced by $IMGCLF_PRECISION" in fastest.describe()["precision"]


def test_the_path_is_described_for_the_record_and_the_chapter(bfloat16_cpu):
    path = fastest.describe()
    assert path["backend"] == keras.config.backend()
    assert path["bfloat16_instructions"] == ["avx512_bf16"]
    assert path["xla"] == ("off" if keras.config.backend() == "tensorflow" else "on")
    assert ("fused" in path["batch_norm"]) is (keras.config.backend() == "tensorflow")
    assert "benchmarks/cpu_paths.py" in path["measured"]
    assert json.loads(json.dumps(path)) == path
    lines = fastest.summary().splitlines()
    assert lines[0] == hardware.summary() and lines[1] == fastest.sentence()
    if keras.config.backend() == "tensorflow":
        assert "mixed_bfloat16 for convolutional networks without batch normalisation" \
            in lines[1]


def test_adapt_and_policy_for_name_a_non_model():
    for function in (fastest.adapt, fastest.policy_for, fastest.precision_of):
        with pytest.raises(TypeError, match="network must be a keras.Model"):
            function("four_layer_cnn")


@pytest.mark.integration
def test_fit_trains_in_the_chosen_precision_and_the_records_say_so(bfloat16_cpu, tmp_path,
                                                                   monkeypatch):
    from test_runs import under_a_runner

    sample = imgclf.data.load("sample").subset(96, 48, seed=0)
    settings = profiles.resolve("smoke")
    result = under_a_runner(tmp_path, monkeypatch, settings)
    cfg = train.config(settings, epochs=1, batch_size=32, verbose=0)
    trained = train.fit(lambda: models.four_layer_cnn(sample.image_shape, sample.num_classes),
                        sample, cfg, name="four")
    expected = "mixed_bfloat16" if keras.config.backend() == "tensorflow" else "float32"
    assert trained.record["precision"] == expected
    assert np.isfinite(trained.record["final"]["loss"])
    runs.report(settings, test_accuracy=trained.record["test_accuracy"])
    written = json.loads(result.read_text())
    assert written["trainings"][-1]["precision"] == expected
    assert written["training_path"] == fastest.describe()
