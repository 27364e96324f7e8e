"""What each chapter trains (`imgclf.plans`) and what that costs on a GPU (`imgclf.cost`)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from conftest import REPO

import imgclf
from imgclf import chapters, cost, models, plans, profiles

# Multiply-adds and parameter counts are the same on every backend.
pytestmark = pytest.mark.backend_independent


def a_device(**changes) -> cost.Device:
    base = cost.Device("test card", peak_tflops=1.0, multiply_adds_per_second=1_000.0,
                       seconds_per_step=0.5, seconds_per_network=2.0, seconds_per_convolution=1.0)
    return dataclasses.replace(base, **changes)


def a_training(**changes) -> plans.Training:
    base = plans.Training("net", "net", parameters=5, multiply_adds=10, images=100, epochs=2,
                         batch_size=32, evaluated=50, convolutions=3)
    return dataclasses.replace(base, **changes)


def test_training_costs_three_forward_passes_per_trained_image_and_one_per_evaluated():
    training = a_training()
    assert training.training_multiply_adds == 10 * (3 * 100 * 2 + 50)
    assert training.steps == 4 * 2  # ceil(100 / 32) batches, 2 epochs


def test_the_estimate_adds_compilation_steps_and_arithmetic():
    # compile 2 + 3 x 1 s, 8 steps x 0.5 s, 6,500 multiply-adds at 1,000 per second
    assert cost.seconds([a_training()], a_device()) == pytest.approx(5 + 4 + 6.5)
    # images only passed forward: no compilation, no training steps
    forward_only = a_training(images=0, epochs=0, evaluated=1_000)
    assert cost.seconds([forward_only], a_device()) == pytest.approx(10.0)


def test_each_gpu_is_estimated_slower_the_lower_its_peak():
    plan = plans.chapter("05-resnet", profiles.resolve("full"))
    assert cost.estimate(plan, "T4") > cost.estimate(plan, "A100") > cost.estimate(plan, "H100")


@pytest.mark.parametrize("chapter", chapters.names())
def test_every_chapter_of_the_profile_auto_runs_on_a_gpu_is_within_its_budget(chapter):
    """The issue's budget, computed until a GPU measures it: every chapter of the profile
    `auto` runs on a GPU within 10 minutes on a T4 and 90 s on an H100."""
    plan = plans.chapter(chapter, profiles.resolve(profiles.GPU_PROFILE))
    estimates = {device: round(cost.estimate(plan, device))
                 for device in profiles.GPU_BUDGET_SECONDS}
    assert cost.within(plan, profiles.GPU_BUDGET_SECONDS), (
        f"{chapter} in the {profiles.GPU_PROFILE} profile: estimated {estimates} s, "
        f"budget {profiles.GPU_BUDGET_SECONDS} s")


def test_the_full_profile_is_longer_than_a_learner_waits_on_a_t4():
    """Why `auto` does not pick `full` on a GPU: chapter 5 alone exceeds the T4 budget."""
    plan = plans.chapter("05", profiles.resolve("full"))
    assert not cost.within(plan, profiles.GPU_BUDGET_SECONDS)
    assert cost.estimate(plan, "T4") > 2 * profiles.GPU_BUDGET_SECONDS["T4"]  # "several times"


def test_a_plan_counts_the_networks_its_chapter_builds():
    plan = plans.chapter("05-resnet", profiles.resolve("quick"))
    assert plan.depths == (8, 20) and plan.epochs == 3 and plan.train_images == (6_000, 2_000)
    expected = sorted(models.CifarResNet(depth, (28, 28, 1), 10, shortcut=shortcut)
                      .count_params() for depth in (8, 20) for shortcut in ("plain", "A"))
    assert sorted(t.parameters for t in plan.trainings) == expected
    assert {(t.images, t.epochs, t.batch_size) for t in plan.trainings} == {(5_400, 3, 128)}


def test_exercises_are_counted_apart_from_run_all():
    plan = plans.chapter("03-alexnet", profiles.resolve("quick"))
    assert any(t.exercise for t in plan.trainings)
    assert cost.estimate(plan, "T4", exercises=True) > cost.estimate(plan, "T4")


def test_cost_table_lists_every_chapter_and_its_verdict():
    text = str(cost.chapters_table(profiles.resolve("smoke"), {"T4": 1.0}))
    for chapter in chapters.names():
        assert chapter in text
    assert "within T4 1 s" in text and "NO" in text


def test_bad_arguments_say_what_is_accepted():
    settings = profiles.resolve("smoke")
    with pytest.raises(ValueError, match="name must be a chapter of the book, got '99'; "
                                         "chapters: 01-image-class"):
        plans.chapter("99", settings)
    with pytest.raises(TypeError, match="settings must be imgclf.profiles.Settings"):
        plans.chapter("05", "smoke")
    with pytest.raises(AttributeError, match="has no attribute 'depth'"):
        _ = plans.chapter("05", settings).depth
    with pytest.raises(ValueError, match="unknown device 'V100'; known: T4, A100, H100"):
        cost.seconds([], "V100")
    with pytest.raises(ValueError, match="images"):
        a_training(images=-1)


@pytest.mark.parametrize("chapter", chapters.names())
def test_each_header_quotes_the_estimate_for_a_gpu(chapter):
    """The "How long" paragraph quotes the cost model's estimate of the profile `auto` runs on
    a GPU, so that a change of plan or of the model cannot leave the header behind."""
    text = " ".join((REPO / "notebooks" / f"{chapter}.md").read_text().split())
    header = text[text.index("**How long.**"):].split("+++")[0]
    plan = plans.chapter(chapter, profiles.resolve(profiles.GPU_PROFILE))
    assert f"`auto` runs the `{profiles.GPU_PROFILE}` profile: " \
           f"{cost.estimate_phrase(plan)}" in header, header
    if cost.gpu_only_phrase(plan):  # and the part that runs only there
        assert f"{cost.gpu_only_phrase(plan)})" in header, header


def _numbers_of(value) -> set[int]:
    """Every whole number in a plan value, however nested."""
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, int):
        return {value}
    if isinstance(value, (tuple, list)):
        return set().union(*(_numbers_of(v) for v in value)) if value else set()
    return set()


@pytest.mark.parametrize("chapter", chapters.names())
@pytest.mark.parametrize("profile", ["smoke", "quick", "full"])
def test_each_header_describes_its_profile_with_the_plans_numbers(chapter, profile):
    """The header's "(…)" after a profile's name says what that profile runs; every number in
    it (epochs, depths, images) is one the chapter's plan or the profile's settings hold, so a
    changed plan cannot leave a typed count behind."""
    text = " ".join((REPO / "notebooks" / f"{chapter}.md").read_text().split())
    header = text[text.index("**How long.**"):].split("+++")[0]
    described = re.search(rf"`{profile}` profile \(([^)]*)\)", header)
    if described is None:
        return  # the header names this profile without describing it: nothing typed to check
    settings = profiles.resolve(profile, None, 0)
    plan = plans.chapter(chapter, settings)
    known = _numbers_of(list(plan.values.values()) + [settings.epochs, settings.batch_size,
                                                      settings.train_size, settings.test_size])
    if profile == "smoke":  # its data set ships with the course: its size may be quoted
        sample = imgclf.data.load(settings.dataset)
        known |= {len(sample.x_train) + len(sample.x_test)}
    words = described.group(1).replace("CIFAR-10", "CIFAR")  # a name, not a count
    stated = {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", words)}
    assert stated <= known, \
        f"{chapter}: the {profile} header states {sorted(stated - known)}, which its plan " \
        f"({plan.values}, {settings.epochs} epochs) does not hold: {described.group(1)}"


def test_the_quick_imagenet_comparison_is_priced_for_a_gpu_and_left_out_on_a_cpu():
    quick = plans.chapter("08-transfer-learning", profiles.resolve("quick"))
    only = [t for t in quick.trainings if t.gpu_only]
    assert only and all("ImageNet" in t.label for t in only)
    assert not [t for t in quick.run_all(gpu=False) if t.gpu_only]
    assert set(only) <= set(quick.run_all(gpu=True))
    assert cost.gpu_only_phrase(quick).endswith("min on a T4")
    full = plans.chapter("08-transfer-learning", profiles.resolve("full"))
    assert not [t for t in full.trainings if t.gpu_only]
    assert any("ImageNet" in t.label for t in full.run_all(gpu=False))
    assert cost.gpu_only_phrase(full) == ""
