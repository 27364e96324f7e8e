"""imgclf.claims: the sentence follows the numbers, in both directions."""

from __future__ import annotations

import pytest

from imgclf import claims

pytestmark = pytest.mark.backend_independent


def errors(plain_shallow, plain_deep, res_shallow, res_deep):
    return {"plain20": plain_shallow, "plain56": plain_deep,
            "resnet20": res_shallow, "resnet56": res_deep}


def test_degradation_as_in_the_paper():
    text = claims.degradation(errors(0.0585, 0.116, 0.0567, 0.0475), 20, 56)
    assert "this run shows the degradation" in text
    assert "plain-56 11.6%, plain-20 5.9%" in text
    assert "ResNet-56 ended below plain-56 (4.8% against 11.6%) and below ResNet-20" in text
    assert "as in the paper" in text


def test_degradation_reversed_says_so():
    text = claims.degradation(errors(0.20, 0.18, 0.17, 0.19), 20, 56)
    assert "this run does not show the degradation" in text
    assert "ResNet-56 ended no lower than plain-56 (19.0% against 18.0%)" in text
    assert "no lower than ResNet-20" in text
    assert "unlike the paper" in text


def test_transfer_order_per_count():
    text = claims.transfer({"fine-tuning": {1: 0.40, 10: 0.85},
                            "feature extraction": {1: 0.45, 10: 0.80},
                            "from scratch": {1: 0.30, 10: 0.76}})
    first, second = text.split(". Fine-tuning led")[0].split(". With ")
    assert "1 labelled image per class: feature extraction 45.0%, fine-tuning 40.0%" in first
    assert "not the lecture's order" in first
    assert second.startswith("10 labelled images per class: fine-tuning 85.0%")
    assert "the order the lecture claims" in second
    assert text.endswith("Fine-tuning led training from scratch by 10.0 points at 1 and by "
                         "9.0 at 10 labelled images per class: the gap narrows as labels "
                         "grow, as the lecture says.")


def test_transfer_gap_that_widens_says_so():
    text = claims.transfer({"fine-tuning": {1: 0.50, 100: 0.95},
                            "feature extraction": {1: 0.45, 100: 0.90},
                            "from scratch": {1: 0.40, 100: 0.60}})
    assert text.endswith("by 10.0 points at 1 and by 35.0 at 100 labelled images per class: "
                         "the gap did not narrow as labels grew, unlike the lecture's claim.")


def test_transfer_without_scratch():
    text = claims.transfer({"fine-tuning": {10: 0.9}, "feature extraction": {10: 0.8}})
    assert text == ("With 10 labelled images per class: fine-tuning 90.0%, feature extraction "
                    "80.0%; the order the lecture claims.")
