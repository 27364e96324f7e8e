"""imgclf.profiles: what each profile resolves to, and the environment's overrides."""

from __future__ import annotations

import pytest

from imgclf import hardware, profiles

# The same on every Keras backend: `make test-jax` leaves it to the TensorFlow pass.
pytestmark = pytest.mark.backend_independent


def test_each_profile_has_its_data_set():
    assert profiles.resolve("smoke").dataset == "sample"
    assert profiles.resolve("quick").dataset == "fashion_mnist"
    assert profiles.resolve("full").dataset == "cifar10"
    assert profiles.resolve("smoke").epochs < profiles.resolve("quick").epochs


def test_auto_follows_the_environment_then_the_hardware(monkeypatch):
    monkeypatch.setenv("IMGCLF_PROFILE", "smoke")
    assert profiles.resolve("auto").profile == "smoke"
    monkeypatch.delenv("IMGCLF_PROFILE")
    monkeypatch.setattr(hardware, "gpu_available", lambda: True)
    assert profiles.resolve("auto").profile == profiles.GPU_PROFILE
    monkeypatch.setattr(hardware, "gpu_available", lambda: False)
    assert profiles.resolve("auto").profile == "quick"


def test_explicit_profile_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("IMGCLF_PROFILE", "full")
    assert profiles.resolve("smoke").profile == "smoke"


def test_dataset_override_by_argument_and_environment(monkeypatch):
    assert profiles.resolve("quick", dataset="mnist").dataset == "mnist"
    monkeypatch.setenv("IMGCLF_DATASET", "cifar100")
    assert profiles.resolve("quick").dataset == "cifar100"
    assert profiles.resolve("quick", dataset="mnist").dataset == "mnist"
    assert profiles.resolve("smoke", seed=7).seed == 7


@pytest.mark.parametrize("profile", ["fast", "", "Quick", None])
def test_unknown_profile_lists_the_valid_ones(profile):
    with pytest.raises(ValueError, match="Valid profiles: smoke, quick, full, auto"):
        profiles.resolve(profile)


def test_bad_environment_values_are_named(monkeypatch):
    monkeypatch.setenv("IMGCLF_PROFILE", "auto")
    with pytest.raises(ValueError, match="IMGCLF_PROFILE='auto' is not a profile"):
        profiles.resolve("auto")
    monkeypatch.delenv("IMGCLF_PROFILE")
    monkeypatch.setenv("IMGCLF_DATASET", "imagenet")
    with pytest.raises(ValueError, match="Unknown data set IMGCLF_DATASET='imagenet'"):
        profiles.resolve("smoke")


def test_auto_rule_and_compute_device_say_what_the_code_does(monkeypatch):
    rule = profiles.auto_rule()
    assert f"else `{profiles.GPU_PROFILE}` where a GPU is visible" in rule
    assert profiles.PROFILE_VARIABLE in rule
    monkeypatch.setattr(hardware, "gpu_names", lambda: ["NVIDIA H200"])
    assert hardware.compute_device() == "NVIDIA H200"
    monkeypatch.setattr(hardware, "gpu_names", lambda: [])
    assert hardware.compute_device() == hardware.cpu_name()


def test_the_runtime_report_names_the_gpu_or_says_how_to_get_one(monkeypatch):
    monkeypatch.delenv("IMGCLF_PROFILE", raising=False)
    monkeypatch.setattr(hardware, "gpu_names", lambda: ["Tesla T4"])
    on_gpu = profiles.runtime_report()
    assert on_gpu.startswith("GPU runtime (Tesla T4)")
    assert f"`{profiles.GPU_PROFILE}` profile" in on_gpu
    monkeypatch.setattr(hardware, "gpu_names", lambda: [])
    on_cpu = profiles.runtime_report()
    assert on_cpu.startswith("No GPU in this runtime")
    assert "Runtime > Change runtime type > T4 GPU" in on_cpu
    assert f"`{profiles.resolve('auto').profile}` profile" in on_cpu
