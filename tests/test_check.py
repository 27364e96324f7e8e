"""imgclf.check: the exercises' self-checks accept right answers and explain wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

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
