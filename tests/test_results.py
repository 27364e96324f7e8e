"""Expected ranges (notebooks/expected.toml) and the results page built from run records."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

from imgclf import hardware, spread
from imgclf.course import expected, records, results
from imgclf.course.execute import around, notebook_sources

# The same on every Keras backend: `make test-jax` leaves it to the TensorFlow pass.
pytestmark = pytest.mark.backend_independent


def record(notebook="01-image-classification", profile="quick", dataset="fashion_mnist",
           **metrics):
    return {"notebook": notebook, "profile": profile, "dataset": dataset, "seconds": 12.5,
            "started": "2026-11-26T09:00:00+00:00", "metrics": metrics,
            "hardware": {"cpu": "Some CPU", "cpu_cores": 2, "gpus": []},
            "versions": {"python": "3.11.7", "keras": "3.15.1", "keras_backend": "jax",
                         "jax": "0.10.2", "numpy": "2.0"}}


def test_every_chapter_has_quick_ranges():
    ranges = expected.ranges(REPO / "notebooks")
    chapters = [s.stem for s in notebook_sources(REPO / "notebooks")]
    assert sorted(ranges) == chapters
    assert all(ranges[chapter]["quick/fashion_mnist"] for chapter in chapters)


def test_quick_run_inside_and_outside_its_range(tmp_path):
    (tmp_path / "expected.toml").write_text(
        '["01-image-classification"."quick/fashion_mnist"]\ntest_accuracy = [0.88, 0.94]\n')
    ok = expected.check(record(test_accuracy=0.91), tmp_path)
    assert ok == {"status": "passed", "ranges": {"test_accuracy": [0.88, 0.94]},
                  "orders": [], "claims": {}, "problems": []}
    low = expected.check(record(test_accuracy=0.5), tmp_path)
    assert low["status"] == "failed"
    assert "test_accuracy = 0.5 is outside its expected range [0.88, 0.94]" in low["problems"][0]
    missing = expected.check(record(other=1.0), tmp_path)
    assert missing["problems"] == ["test_accuracy was expected but not reported"]
    elsewhere = expected.check(record(profile="full", test_accuracy=0.5), tmp_path)
    assert elsewhere["status"] == "unchecked"


def seed_record(folder, notebook, profile, dataset, **per_seed):
    """Write a seed record of three seeds (imgclf.spread) under `folder`."""
    file = spread.path(notebook, profile, dataset, folder)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps({"chapter": notebook, "profile": profile, "dataset": dataset,
                                "seeds": [0, 1, 2], "metrics": per_seed}))


def test_a_claim_fails_a_run_only_where_the_seeds_support_it(tmp_path):
    (tmp_path / "expected.toml").write_text(
        '["05-resnet"."full/fashion_mnist"]\n'
        'order = ["plain20_training_error < plain56_training_error",\n'
        '         "plain56_training_error > resnet56_training_error"]\n')
    spreads = tmp_path / "spread"
    claimed = record("05-resnet", "full", plain20_training_error=0.06,
                     plain56_training_error=0.12, resnet56_training_error=0.05)
    reversed_ = dict(claimed, metrics=dict(claimed["metrics"], plain56_training_error=0.04))
    # No seeds: one seed, never a failure.
    unmeasured = expected.check(reversed_, tmp_path, spreads)
    assert unmeasured["status"] == "passed"
    assert set(unmeasured["claims"].values()) == {expected.ONE_SEED}
    # Every seed kept the first order; the seeds disagree on the second.
    seed_record(spreads, "05-resnet", "full", "fashion_mnist",
                plain20_training_error=[0.06, 0.05, 0.07],
                plain56_training_error=[0.12, 0.10, 0.09],
                resnet56_training_error=[0.05, 0.11, 0.04])
    held = expected.check(claimed, tmp_path, spreads)
    assert held["status"] == "passed"
    assert held["claims"] == {
        "plain20_training_error < plain56_training_error": expected.HOLDS,
        "resnet56_training_error < plain56_training_error": expected.NOT_DISTINGUISHABLE}
    verdict = expected.check(reversed_, tmp_path, spreads)
    assert verdict["status"] == "failed"
    assert verdict["problems"] == [
        "plain20_training_error = 0.06 is not below plain56_training_error = 0.04: the run "
        "reverses the claim plain20_training_error < plain56_training_error for "
        "full/fashion_mnist, which every committed seed kept (imgclf/spread, python -m "
        "imgclf.course noise)"]
    assert verdict["claims"]["resnet56_training_error < plain56_training_error"] == \
        expected.NOT_DISTINGUISHABLE
    # A profile whose every seed reverses a claim says so, and does not fail the run.
    seed_record(spreads, "05-resnet", "full", "fashion_mnist",
                plain20_training_error=[0.13, 0.14, 0.15],
                plain56_training_error=[0.12, 0.10, 0.06],
                resnet56_training_error=[0.05, 0.11, 0.04])
    profile_reverses = expected.check(reversed_, tmp_path, spreads)
    assert profile_reverses["status"] == "passed"
    assert profile_reverses["claims"]["plain20_training_error < plain56_training_error"] == \
        expected.REVERSED
    unreported = dict(claimed, metrics={"plain20_training_error": 0.06})
    assert "plain56_training_error was expected but not reported" in \
        expected.check(unreported, tmp_path, spreads)["problems"]


def test_one_claim_alone_is_an_order_of_one(tmp_path):
    (tmp_path / "expected.toml").write_text(
        '["05-resnet"."full/fashion_mnist"]\n'
        'order = "plain20_training_error < plain56_training_error"\n')
    assert expected.orders(tmp_path) == {"05-resnet": {"full/fashion_mnist": [
        ("plain20_training_error", "plain56_training_error")]}}


def test_committed_full_records_meet_their_ranges_and_claims():
    # The check the runner applies, on what the results page shows.
    kept = records.load_records(REPO / "book" / "results" / "full")
    assert kept, "no full-profile records in book/results/full"
    for run in kept:
        verdict = expected.check(run, REPO / "notebooks")
        assert verdict["status"] == "passed", (run["notebook"], verdict["problems"])


def test_smoke_runs_are_checked_for_sanity_only(tmp_path):
    assert expected.check(record(profile="smoke", test_accuracy=0.1), tmp_path)["status"] \
        == "passed"
    insane = expected.check(record(profile="smoke", test_accuracy=1.5,
                                   training_error=float("nan")), tmp_path)
    assert insane["status"] == "failed" and len(insane["problems"]) == 2


@pytest.mark.parametrize("text, message", [
    ("[a\n", "is not valid TOML"),
    ('["01"."quick/x"]\nm = [2, 1]\n', "must be \\[low, high\\] with low <= high"),
    ('["01"."quick/x"]\nm = "high"\n', "must be \\[low, high\\]"),
    ('["01"."full/x"]\norder = ["a <= b"]\n', "each claim must read 'metric < metric'"),
])
def test_bad_expected_file(tmp_path, text, message):
    (tmp_path / "expected.toml").write_text(text)
    with pytest.raises(ValueError, match=message):
        expected.ranges(tmp_path)


def test_keep_and_render(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    first = record(test_accuracy=0.9152)
    first["expected"] = {"status": "passed", "ranges": {"test_accuracy": [0.88, 0.94]},
                         "problems": []}
    (runs / "01-image-classification.json").write_text(json.dumps(first))
    second = record("02-ilsvrc-top5", top1_accuracy=0.92)
    (runs / "02-ilsvrc-top5.json").write_text(json.dumps(second))
    for chapter in (first, second):  # measured on a machine twice as fast as the reference
        chapter["calibration"] = {"seconds": records.REFERENCE_CALIBRATION_S / 2, "steps": 10,
                                  "version": hardware.CALIBRATION_VERSION, "what": "10 steps"}
        chapter["hardware"]["cpu_flags"] = ["avx2", "avx512f"]
        chapter["versions"].update(keras_backend="tensorflow", tensorflow="2.21.0")
    # The page checks each record against today's expected.toml, not the verdict it carries.
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "expected.toml").write_text(
        '["01-image-classification"."quick/fashion_mnist"]\ntest_accuracy = [0.88, 0.94]\n')
    (runs / "01-image-classification.json").write_text(json.dumps(first))
    (runs / "02-ilsvrc-top5.json").write_text(json.dumps(second))
    kept = results.keep(runs, "quick", root=tmp_path)
    assert sorted(p.name for p in kept.iterdir()) == ["01-image-classification.json",
                                                      "02-ilsvrc-top5.json"]
    page = results.write(tmp_path).read_text()
    assert "No run of the `full` profile on a GPU has been recorded yet" in page
    assert "| 01-image-classification | 12.5 |" in page and "**25.0**" in page
    assert "test accuracy: 0.9152 ✓ [0.88, 0.94]" in page
    assert ("| 02-ilsvrc-top5 | fashion_mnist | 12.5 | 25.0 | top1 accuracy: 0.92 | unchecked |"
            in page), "a chapter's seconds beside those scaled to the reference machine"
    assert ("Some CPU (2 cores, with AVX-512 (avx2, avx512f)); Python 3.11.7, Keras 3.15.1 on "
            "tensorflow 2.21.0") in page
    assert f"Machine calibration: {records.REFERENCE_CALIBRATION_S / 2:g} s (10 steps;" in page
    assert "so this one ran at 2.00x its speed" in page
    assert "Each chapter ran alone on the machine." in page
    with pytest.raises(ValueError, match="another profile than full"):
        results.keep(runs, "full", root=tmp_path)


def test_gpu_records_are_not_scaled_to_the_cpu_reference(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    gpu = record(profile="full", test_accuracy=0.92)
    gpu["hardware"]["gpus"] = ["NVIDIA H200"]
    gpu.update(calibration={"seconds": 0.04, "steps": 10, "what": "10 steps"},
               concurrent_chapters=4)
    (runs / "01-image-classification.json").write_text(json.dumps(gpu))
    later = {**gpu, "notebook": "02-ilsvrc-top5", "seconds": 30.0,
             "started": "2026-11-26T09:00:10+00:00"}
    (runs / "02-ilsvrc-top5.json").write_text(json.dumps(later))
    results.keep(runs, "full", root=tmp_path)
    page = results.page(tmp_path)
    assert records.calibrated_seconds(gpu) is None
    assert "| 01-image-classification | fashion_mnist | 12.5 | - |" in page
    assert "so no *scaled* seconds are given here" in page
    assert "Chapters ran 4 at a time on the machine" in page
    # Shared, the chapters' seconds add up to more than the run took: 42.5 s against 40 s.
    assert "| **all chapters** | **42.5** |" in page
    assert "to the last one's end: 40 s of wall clock for these 2 chapters" in page
    with pytest.raises(FileNotFoundError, match="no run records"):
        results.keep(tmp_path / "empty", "quick", root=tmp_path)


def test_committed_results_page_is_up_to_date():
    assert (REPO / results.PAGE).read_text() == results.page(REPO), \
        "run: python -m imgclf.course results"


def test_each_chapter_header_quotes_its_kept_seconds():
    """The "How long" paragraph of every chapter quotes the seconds of its kept quick and full
    records (rounded), so that a new kept run cannot leave the headers behind."""
    for source in notebook_sources(REPO / "notebooks"):
        text = " ".join(source.read_text().split())
        header = text[text.index("**How long.**"):].split("+++")[0]
        for profile in ("quick", "full"):
            kept = REPO / results.KEPT / profile / f"{source.stem}.json"
            if kept.exists():
                seconds = round(json.loads(kept.read_text())["seconds"])
                assert f" {seconds} s " in header, \
                    f"{source.name}: its header does not quote the kept {profile} run's " \
                    f"{seconds} s: {header}"


def test_each_chapter_header_says_in_which_precision_its_kept_quick_run_trained():
    """The "How long" paragraph says what `imgclf.fastest` chose in the kept quick run: its
    networks' precisions as the run record's trainings give them."""
    for source in notebook_sources(REPO / "notebooks"):
        kept = REPO / results.KEPT / "quick" / f"{source.stem}.json"
        if not kept.exists():
            continue
        text = " ".join(source.read_text().split())
        header = text[text.index("**How long.**"):].split("+++")[0]
        precisions = {t.get("precision") for t in json.loads(kept.read_text())["trainings"]}
        if "mixed_bfloat16" in precisions:
            assert "in bfloat16" in header, (source.name, precisions)
        else:
            assert "That run trained every network in float32" in header, \
                (source.name, precisions)


def test_every_committed_claim_fails_a_reversed_run_exactly_where_its_seeds_support_it():
    """Each order of notebooks/expected.toml, fed a record that meets every other claim and
    range of its section but reverses this one, fails the check naming the claim where every
    committed seed kept the order, and is recorded as not distinguishable (or reversed, or one
    seed) where not."""
    ranges, orders = expected.ranges(REPO / "notebooks"), expected.orders(REPO / "notebooks")
    claims = [(notebook, key, pair) for notebook, sections in orders.items()
              for key, pairs in sections.items() for pair in pairs]
    assert len(claims) >= 4
    enforced = 0
    for notebook, key, (smaller, larger) in claims:
        profile, dataset = key.split("/")
        metrics = {name: (low + high) / 2
                   for name, (low, high) in ranges[notebook].get(key, {}).items()}
        metrics[smaller], metrics[larger] = 0.9, 0.1
        run = record(notebook, profile, dataset, **metrics)
        verdict = expected.check(run, REPO / "notebooks")
        gaps = spread.read(spread.path(notebook, profile, dataset), notebook, profile,
                           dataset).gaps(smaller, larger)
        supported = len(gaps) >= spread.MIN_SEEDS and all(g > 0 for g in gaps)
        enforced += supported
        failing = [p for p in verdict["problems"]
                   if p.startswith(f"{smaller} = 0.9 is not below {larger} = 0.1")]
        assert bool(failing) == supported, (notebook, key, gaps, verdict["problems"])
        assert verdict["claims"][f"{smaller} < {larger}"] == (
            expected.REVERSED_HERE if supported else expected.judge(run, smaller, larger))
    assert enforced, "no committed claim is supported by its seeds: is imgclf/spread empty?"


def test_every_quick_comparison_has_seeds_of_the_current_plan():
    """The seed records (python -m imgclf.course noise --profile quick) exist for every chapter that
    compares something in quick, hold every metric it compares, and were measured on the
    plan the chapter trains today (a changed plan needs new seeds)."""
    from imgclf import plans, profiles

    settings = profiles.resolve("quick")
    key = f"quick/{settings.dataset}"
    for notebook, sections in expected.compared(REPO / "notebooks").items():
        if key not in sections:
            continue
        file = spread.path(notebook, "quick", settings.dataset)
        assert file.is_file(), \
            f"no seed record {file}: python -m imgclf.course noise --profile quick"
        measured = spread.of(notebook, settings)
        assert measured.measured
        for a, b in sections[key]:
            assert len(measured.gaps(a, b)) == len(measured.seeds)
        plan = [[t.label, t.parameters, t.images, t.epochs, t.batch_size]
                for t in plans.chapter(notebook, settings).run_all(gpu=False)]
        assert json.loads(file.read_text())["plan"] == plan, \
            f"{notebook}: its plan changed since its seeds ran: python -m imgclf.course noise " \
            f"--profile quick --only {notebook[:2]} --fresh"


def test_a_calibration_of_another_version_is_not_scaled(tmp_path):
    """A reading of an earlier `calibrate` timed another workload: its seconds are shown but
    not set beside the reference machine's."""
    runs = tmp_path / "runs"
    runs.mkdir()
    old = record(test_accuracy=0.91)
    old["versions"]["keras_backend"] = "tensorflow"
    old["calibration"] = {"seconds": 0.06, "steps": 10, "what": "10 steps"}  # no version: 1
    (runs / "01-image-classification.json").write_text(json.dumps(old))
    results.keep(runs, "quick", root=tmp_path)
    page = results.page(tmp_path)
    assert records.calibration_version(old) == 1 and records.calibrated_seconds(old) is None
    assert "| 01-image-classification | fashion_mnist | 12.5 | - |" in page
    assert (f"by an earlier version of the calibration than today's (version "
            f"{hardware.CALIBRATION_VERSION})") in page
    current = {**old, "calibration": {**old["calibration"],
                                      "version": hardware.CALIBRATION_VERSION}}
    assert records.calibrated_seconds(current) == pytest.approx(
        12.5 * records.REFERENCE_CALIBRATION_S / 0.06)


def test_a_records_calibration_is_the_mean_of_the_readings_around_its_notebook():
    before = {"seconds": 0.05, "steps": 10, "rounds": 5, "version": hardware.CALIBRATION_VERSION,
              "what": "10 steps"}
    after = {**before, "seconds": 0.07}
    once = around(before, after)
    assert once["readings"] == [0.05, 0.07] and once["seconds"] == 0.06
    assert once["what"] == "10 steps; the mean of readings before and after the notebook"
    # Readings already combined keep counting: the mean is over every reading.
    assert around(once, {**after, "seconds": 0.09})["readings"] == [0.05, 0.07, 0.09]
    assert records.calibrated_seconds({"seconds": 100, "calibration": once,
                                       "versions": {"keras_backend": "tensorflow"},
                                       "hardware": {"gpus": []}}) == pytest.approx(
        100 * records.REFERENCE_CALIBRATION_S / 0.06)
