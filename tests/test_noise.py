"""imgclf.course.noise: the seed records, from seed runs, and which chapters need them."""

from __future__ import annotations

import pytest
from conftest import REPO

from imgclf import spread
from imgclf.course import noise

pytestmark = pytest.mark.backend_independent


def run(seed, **metrics):
    return {"notebook": "07-xception", "profile": "quick", "dataset": "fashion_mnist",
            "seed": seed, "seconds": 90.0 + seed, "metrics": metrics,
            "hardware": {"cpu": "Some CPU", "cpu_cores": 2, "gpus": []},
            "calibration": {"seconds": 0.1},
            "versions": {"keras": "3.15.1", "keras_backend": "tensorflow"}}


def test_a_record_holds_seeds_values_spread_and_machine():
    runs = [run(0, separable=0.87, regular=0.88), run(1, separable=0.86, regular=0.88),
            run(2, separable=0.88, regular=0.87)]
    record = noise.record_of("07-xception", runs, [("separable", "regular")], [["x", 1, 2, 3, 4]])
    assert record["seeds"] == [0, 1, 2]
    assert record["metrics"] == {"regular": [0.88, 0.88, 0.87],
                                 "separable": [0.87, 0.86, 0.88]}
    assert record["spread"]["separable"]["low"] == 0.86
    gaps = record["comparisons"]["regular - separable"]
    assert gaps["gaps"] == pytest.approx([0.01, 0.02, -0.01])
    assert gaps["verdict"] == spread.CANNOT_TELL
    assert record["machine"]["summary"] == ("Some CPU, 2 cores, no GPU, Keras 3.15.1 on "
                                            "tensorflow, calibration 0.1 s")
    assert record["plan"] == [["x", 1, 2, 3, 4]] and record["seconds"] == [90.0, 91.0, 92.0]


@pytest.mark.parametrize("runs, message", [
    ([], "no runs of 07-xception"),
    ([run(0, a=1.0), run(0, a=2.0)], "repeat a seed"),
    ([run(0, a=1.0), dict(run(1, a=2.0), dataset="cifar10")], "several profiles or data sets"),
    ([run(0, a=1.0, b=2.0), run(1, a=2.0)], "not every seed of 07-xception reported b"),
])
def test_bad_seed_runs(runs, message):
    with pytest.raises(ValueError, match=message):
        noise.record_of("07-xception", runs, [], [])


def test_the_chapters_that_compare_something():
    names = [s.stem for s in noise.chapters("quick", folder=REPO / "notebooks")]
    assert names == ["03-alexnet", "05-resnet", "06-inception", "07-xception",
                     "08-transfer-learning"]
    with pytest.raises(ValueError, match="no chapter among 01 compares anything"):
        noise.chapters("quick", folder=REPO / "notebooks", only=["01"])


def test_too_few_seeds_are_refused_before_anything_runs(tmp_path):
    with pytest.raises(ValueError, match="at least 3 different seeds, got \\[0, 1\\]"):
        noise.measure("quick", [0, 1], folder=REPO / "notebooks", work=tmp_path,
                      target=tmp_path)
    with pytest.raises(ValueError, match="at least 3 different seeds"):
        noise.measure("quick", [0, 0, 1], folder=REPO / "notebooks", work=tmp_path,
                      target=tmp_path)
    assert not any(tmp_path.iterdir())
