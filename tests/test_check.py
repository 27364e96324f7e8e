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
