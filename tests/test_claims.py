"""imgclf.claims and imgclf.spread: the sentence follows the numbers and the seeds' spread."""

from __future__ import annotations

import json

import pytest

from imgclf import claims, profiles, spread
from imgclf.chapters import resnet, transfer_learning

pytestmark = pytest.mark.backend_independent


def seeds(**per_seed) -> spread.Spread:
    """A spread of three seeds with these values per metric."""
    return spread.Spread("05-resnet", "quick", "fashion_mnist", (0, 1, 2),
                         {name: tuple(values) for name, values in per_seed.items()},
                         "2 cores")


NONE = spread.Spread("05-resnet", "quick", "fashion_mnist")


def degradation_values(plain8, plain20, resnet8, resnet20):
    return {"plain8_training_error": plain8, "plain20_training_error": plain20,
            "resnet8_training_error": resnet8, "resnet20_training_error": resnet20}


@pytest.mark.parametrize("run_gap, seed_gaps, verdict", [
    (0.02, (0.01, 0.03, 0.02), spread.HOLDS),
    (0.02, (-0.01, 0.03, 0.02), spread.CANNOT_TELL),
    (0.02, (0.0, 0.03, 0.02), spread.CANNOT_TELL),  # a tie is no order
    (-0.02, (-0.01, -0.03, -0.02), spread.CONTRADICTS),
    (0.02, (-0.01, -0.03, -0.02), spread.CONTRADICTS),
    (-0.01, (0.01, 0.03, 0.02), spread.CONTRADICTS),  # this run reverses every seed's order
    (0.02, (0.01, 0.03), spread.ONE_SEED),  # two seeds are no spread
    (0.02, (), spread.ONE_SEED),
])
def test_verdict(run_gap, seed_gaps, verdict):
    assert spread.verdict(run_gap, seed_gaps) == verdict


def test_a_gap_inside_the_spread_cannot_tell():
    values = degradation_values(0.168, 0.186, 0.15, 0.141)
    within = seeds(plain8_training_error=(0.168, 0.17, 0.18),
                   plain20_training_error=(0.186, 0.165, 0.19))
    outcome = claims.order("Figure 6.", values, "plain8_training_error",
                           "plain20_training_error", within,
                           {"plain8_training_error": "plain-8",
                            "plain20_training_error": "plain-20"})
    assert outcome.verdict == spread.CANNOT_TELL
    assert outcome.sentence == (
        "Figure 6. This run: plain-8 16.8%, plain-20 18.6%; plain-20 is 1.8 points higher. "
        "Across 3 seeds of the quick profile on fashion_mnist (2 cores), plain-20 minus plain-8 "
        "ranged from -0.5 points to +1.8 points: the seeds disagree on the order, so within the "
        "spread of 3 seeds this profile cannot show it.")
    assert "shows" not in outcome.sentence and "holds" not in outcome.sentence


def test_a_gap_beyond_the_spread_holds():
    values = degradation_values(0.168, 0.186, 0.15, 0.141)
    beyond = seeds(plain8_training_error=(0.168, 0.16, 0.17),
                   plain20_training_error=(0.186, 0.19, 0.18))
    outcome = claims.order("Figure 6.", values, "plain8_training_error",
                           "plain20_training_error", beyond)
    assert outcome.verdict == spread.HOLDS
    assert outcome.sentence.endswith(
        "plain20_training_error minus plain8_training_error ranged from +1.0 points to +3.0 "
        "points, on the claim's side in every seed: the order holds beyond the seed-to-seed "
        "spread.")


def test_a_reversed_run_or_profile_contradicts():
    beyond = seeds(a=(0.10, 0.11, 0.12), b=(0.15, 0.16, 0.17))
    reversed_here = claims.order("Claim.", {"a": 0.2, "b": 0.1}, "a", "b", beyond)
    assert reversed_here.verdict == spread.CONTRADICTS
    assert reversed_here.sentence.endswith(
        "on the claim's side in every seed but not in this run: this run contradicts the "
        "claim, against every measured seed.")
    everywhere = claims.order("Claim.", {"a": 0.2, "b": 0.1}, "b", "a", beyond)
    assert everywhere.verdict == spread.CONTRADICTS
    assert everywhere.sentence.endswith(
        "reversed in every seed: at this profile the run contradicts the claim.")


def test_without_seeds_a_run_is_one_seed():
    outcome = claims.order("Claim.", {"a": 0.1, "b": 0.2}, "a", "b", NONE)
    assert outcome.verdict == spread.ONE_SEED
    assert outcome.sentence.endswith(
        "That is one seed, and no seed-to-seed spread has been measured for the quick profile "
        "on fashion_mnist: this run cannot tell whether the gap is more than chance.")


def test_ratios_are_compared_as_factors():
    measured = seeds(resnet=(3.7, 4.4, 3.1), plain=(671.6, 907.3, 500.0))
    outcome = claims.order("Gradients.", {"resnet": 3.71, "plain": 671.6}, "resnet", "plain",
                           measured, scale="factor")
    assert outcome.verdict == spread.HOLDS
    assert "plain is 181 times resnet" in outcome.sentence
    assert "plain over resnet ranged from 161x to 206x" in outcome.sentence
    with pytest.raises(ValueError, match="needs positive values"):
        claims.order("Gradients.", {"resnet": 0.0, "plain": 1.0}, "resnet", "plain", NONE,
                     scale="factor")


def test_ahead_names_the_leader_and_asks_the_seeds():
    values = {"separable": 0.870, "regular": 0.8765}
    agree = seeds(separable=(0.87, 0.86, 0.865), regular=(0.8765, 0.88, 0.87))
    outcome = claims.ahead(values, "separable", "regular", agree)
    assert outcome.verdict == spread.HOLDS
    assert outcome.sentence.startswith("Which came out ahead? This run: separable 87.0%, "
                                       "regular 87.6%; regular is 0.6 points higher.")
    assert "with the same leader in every seed: the lead holds beyond" in outcome.sentence
    disagree = seeds(separable=(0.87, 0.89, 0.865), regular=(0.8765, 0.88, 0.87))
    assert claims.ahead(values, "separable", "regular", disagree).verdict == spread.CANNOT_TELL
    # Errors: the lower one leads.
    errors = claims.ahead({"x": 0.1, "y": 0.2}, "x", "y", NONE, higher_is_better=False)
    assert "y is 10.0 points higher" in errors.sentence


def test_degradation_reads_each_of_the_three_orders():
    values = degradation_values(0.20, 0.25, 0.18, 0.15)
    measured = seeds(plain8_training_error=(0.20, 0.21, 0.19),
                     plain20_training_error=(0.25, 0.20, 0.24),
                     resnet8_training_error=(0.18, 0.19, 0.17),
                     resnet20_training_error=(0.15, 0.16, 0.14))
    first, second, third = resnet.degradation(values, 8, 20, measured)
    assert first.verdict == spread.CANNOT_TELL  # one seed had plain-20 below plain-8
    assert second.verdict == third.verdict == spread.HOLDS
    assert first.sentence.startswith("He et al.'s Figure 6: the deeper plain network ends "
                                     "with the higher training error (plain-8 below plain-20).")
    assert "ResNet-20 15.0%, plain-20 25.0%" in second.sentence


def test_transfer_tests_one_claim_and_asks_one_question_per_count():
    values = {"fine_tuning_at_1_labels": 0.66, "feature_extraction_at_1_labels": 0.53,
              "from_scratch_at_1_labels": 0.42, "fine_tuning_at_10_labels": 0.85,
              "feature_extraction_at_10_labels": 0.81}
    outcomes = transfer_learning.transfer(values, [1, 10], NONE)
    assert [o.sentence.split(" This run")[0] for o in outcomes] == [
        "With 1 labelled image per class, transferred features beat training from scratch "
        "(Yosinski et al. 2014).", "Which came out ahead?", "Which came out ahead?"]
    assert "fine-tuning 66.0%" in outcomes[1].sentence
    text = " ".join(o.sentence for o in outcomes)
    assert "lecture" not in text


def test_spread_records_are_read_and_checked(tmp_path):
    settings = profiles.resolve("quick")
    assert not spread.of("05-resnet", settings, tmp_path).measured
    file = spread.path("05-resnet", "quick", settings.dataset, tmp_path)
    file.parent.mkdir(parents=True)
    file.write_text(json.dumps({"chapter": "05-resnet", "profile": "quick",
                                "dataset": settings.dataset, "seeds": [0, 1, 2],
                                "metrics": {"a": [1, 2, 3], "b": [2, 4, 6]},
                                "machine": {"summary": "here"}}))
    read = spread.of("05-resnet", settings, tmp_path)
    assert read.measured and read.gaps("a", "b") == (1.0, 2.0, 3.0)
    assert read.describe() == "3 seeds of the quick profile on fashion_mnist (here)"
    with pytest.raises(KeyError, match="has no metric 'c'; it has a, b"):
        read.gaps("a", "c")
    with pytest.raises(ValueError, match="not the seed record of 06-inception"):
        spread.read(file, "06-inception", "quick", settings.dataset)
    file.write_text("{not json")
    with pytest.raises(ValueError, match="is not a readable seed record"):
        spread.of("05-resnet", settings, tmp_path)


def test_summary_of_seeds():
    assert spread.summary([1.0, 2.0, 3.0]) == {"low": 1.0, "high": 3.0, "mean": 2.0,
                                               "std": 1.0}
    assert spread.summary([0.5])["std"] == 0.0
    with pytest.raises(ValueError, match="at least one value"):
        spread.summary([])
