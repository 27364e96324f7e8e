"""imgclf.check: the exercises' self-checks accept right answers and explain wrong ones."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REPO

from imgclf import check


def test_conv_parameters():
    assert check.answer("01-conv-parameters", 320)
    verdict = check.answer("01-conv-parameters", 288)
    assert not verdict and "plus one bias" in str(verdict)
    assert not check.answer("01-conv-parameters", "many")
    assert not check.answer("01-conv-parameters", 320.5)


def test_dense_parameters():
    assert check.answer("01-dense-parameters", 7 * 7 * 64 * 128 + 128)
    assert not check.answer("01-dense-parameters", 28 * 28 * 64 * 128 + 128)


def test_accuracy_function():
    assert check.answer("01-accuracy-function",
                        lambda y, p: np.mean(np.argmax(p, axis=1) == y))
    wrong = check.answer("01-accuracy-function", lambda y, p: np.mean(np.argmin(p, axis=1) == y))
    assert not wrong and "the right value is" in str(wrong)
    crashing = check.answer("01-accuracy-function", lambda y, p: 1 / 0)
    assert not crashing and "ZeroDivisionError" in str(crashing)
    assert not check.answer("01-accuracy-function", 0.9)


def test_verdict_shows_in_notebooks():
    assert check.answer("01-conv-parameters", 320)._repr_markdown_().startswith("✅")
    assert check.answer("01-conv-parameters", 1)._repr_markdown_().startswith("❌")


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(ValueError, match="Exercises with a check: 01-conv-parameters"):
        check.answer("02-top5", 1)
    assert "01-accuracy-function" in check.exercises()


@pytest.mark.parametrize("exercise, right, wrong", [
    ("02-random-top5", 0.005, 0.5),
    ("03-conv1-size", 55, 54),
    ("03-fc6-parameters", 6 * 6 * 256 * 4096 + 4096, 6 * 6 * 256 * 4096),
    ("04-sigmoid-bound", 0.25**10, 0.5**10),
    ("04-init-std", 1 / 16, np.sqrt(2 / 256)),
    ("05-cifar-depth", 56, 54),
    ("05-bottleneck-weights", 69_632, 2 * 9 * 256 * 256),
    ("06-naive-channels", 416, 224),
    ("06-factorised-weights", 73_728, 25 * 64 * 64),
    ("07-separable-parameters", 2_400, 9 * 32 + 32 * 64),
    ("07-separable-ratio", 8.41, 9.0),
    ("08-head-parameters", 5_125, 5_120),
    ("08-xception-features", 2048, 1024),
])
def test_chapter_checks(exercise, right, wrong):
    assert check.answer(exercise, right)
    verdict = check.answer(exercise, wrong)
    assert not verdict and str(verdict).startswith("Not yet.")


@pytest.mark.parametrize("exercise, answer, hint", [
    ("02-random-top5", 0.5, "If you meant 0.5%, give it as a fraction: 0.005"),
    ("04-sigmoid-bound", 4**10, "the question asks for the factor it is multiplied by"),
    ("07-separable-parameters", 2_432, "counts a bias for each of the 32 depthwise filters"),
])
def test_common_wrong_answers_get_a_specific_hint(exercise, answer, hint):
    verdict = check.answer(exercise, answer)
    assert not verdict and hint in str(verdict)


def test_top_k_function_check():
    from imgclf.metrics import top_k_accuracy

    assert check.answer("02-top-k-function", top_k_accuracy)
    assert not check.answer("02-top-k-function", lambda y, p, k: top_k_accuracy(y, p, 1))


@pytest.mark.parametrize("name, as_predicted, reversed_", [
    ("01-more-images", {"fewer": 0.80, "more": 0.88}, {"fewer": 0.88, "more": 0.80}),
    ("02-confused-pair", {"top1": 0.90, "merged": 0.93}, {"top1": 0.90, "merged": 0.90}),
    ("03-heavy-dropout", {"without": 0.97, "heavy": 0.85}, {"without": 0.85, "heavy": 0.97}),
    ("04-deeper-sigmoid", {"shallow": 3.6e-9, "deep": 2.9e-18},
     {"shallow": 2.9e-18, "deep": 3.6e-9}),
    ("05-deeper-plain", {"plain56": 1081.0, "plain110": 9.4e5},
     {"plain56": 9.4e5, "plain110": 1081.0}),
    ("06-reduction-saving", {"at_192": 2.37, "at_480": 4.33}, {"at_192": 4.33, "at_480": 2.37}),
    ("07-separable-width", {"at_32": 6.88, "at_256": 8.67}, {"at_32": 8.67, "at_256": 6.88}),
    ("08-more-labels", {"few": 0.55, "more": 0.78}, {"few": 0.78, "more": 0.55}),
])
def test_experiments_against_the_lectures_prediction(name, as_predicted, reversed_):
    right = check.experiment(name, **as_predicted)
    assert right and str(right).startswith("Correct. ") and str(right)[9].isupper()
    wrong = check.experiment(name, **reversed_)
    assert not wrong and str(wrong).startswith("Not yet. ")
    shown = ", ".join(f"{key} = {value:.4g}" for key, value in reversed_.items())
    assert shown in str(wrong), "the hint repeats what the learner measured"


def test_every_chapter_has_an_experiment():
    chapters = sorted(p.stem[:2] for p in (REPO / "notebooks").glob("[0-9][0-9]-*.md"))
    assert sorted(name[:2] for name in check.EXPERIMENTS) == chapters
    for source in (REPO / "notebooks").glob("[0-9][0-9]-*.md"):
        text = source.read_text()
        assert any(f'check.experiment("{name}"' in text for name in check.EXPERIMENTS
                   if name.startswith(source.stem[:2])), source.name


def test_experiment_measurements_are_checked():
    with pytest.raises(ValueError, match="Unknown experiment '99-x'. Experiments with a check"):
        check.experiment("99-x", a=1)
    with pytest.raises(ValueError, match=r"takes the measurements fewer=\.\.\., more=\.\.\., "
                                         r"got less=\.\.\."):
        check.experiment("01-more-images", less=0.5)
    assert str(check.experiment("01-more-images", fewer="high", more=0.9)) == \
        "Not yet. fewer must be a number you measured, got 'high'."
    assert "is not a finite number: did the run diverge?" in str(
        check.experiment("08-more-labels", few=0.5, more=float("nan")))
