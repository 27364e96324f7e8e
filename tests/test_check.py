"""imgclf.check: the exercises' self-checks accept right answers and explain wrong ones."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REPO

from imgclf import check
from imgclf.chapters import image_classification, inception
from imgclf.chapters._checks import accuracy_on, first_over_last

# The checks' verdicts on the runs and answers they are given: the same on every backend. What
# they measure with the backend (gradient norms, trained networks) is tested on each backend
# where it is computed (test_metrics, test_train, test_transfer).
pytestmark = pytest.mark.backend_independent


def test_conv_parameters():
    assert check.answer("01-conv-parameters", 320)
    verdict = check.answer("01-conv-parameters", 288)
    assert not verdict and "plus one bias" in str(verdict)
    assert not check.answer("01-conv-parameters", "many")
    assert not check.answer("01-conv-parameters", 320.5)


@pytest.mark.parametrize("exercise, right", [
    ("01-conv-parameters", 320), ("02-random-top5", 0.005), ("04-init-std", 0.0625)])
def test_every_check_takes_numbers_alike_and_never_their_text(exercise, right):
    """NumPy's scalars count as numbers; text never does, in any check (once "0.005" passed
    one check and "320" failed another)."""
    assert check.answer(exercise, right)
    assert check.answer(exercise, np.float64(right) if isinstance(right, float)
                        else np.int64(right))
    refused = check.answer(exercise, str(right))
    assert not refused and "text: pass the number itself, without quotes" in refused.message


def test_a_percentage_where_a_fraction_is_asked_is_named():
    verdict = check.answer("02-random-top5", 0.5 * 100)
    assert not verdict and "is not a fraction (0 to 1)" in verdict.message


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


def test_every_chapter_has_an_experiment():
    chapters = sorted(p.stem[:2] for p in (REPO / "notebooks").glob("[0-9][0-9]-*.md"))
    assert sorted(name[:2] for name in check.experiments()) == chapters
    for source in (REPO / "notebooks").glob("[0-9][0-9]-*.md"):
        text = source.read_text()
        assert any(f'check.experiment("{name}"' in text for name in check.experiments()
                   if name.startswith(source.stem[:2])), source.name


def test_experiment_measurements_are_checked():
    with pytest.raises(ValueError, match="Unknown experiment '99-x'. Experiments with a check"):
        check.experiment("99-x", a=1)
    with pytest.raises(ValueError, match=r"takes the measurements fewer=\.\.\., more=\.\.\., "
                                         r"test=\.\.\., got less=\.\.\."):
        check.experiment("01-more-images", less=0.5)


def _small_cnn_run(images: int, epochs: int, batch: int = 40, width: int = 28):
    """A genuine History: the chapter's small_cnn fitted on `images` sample images."""
    import keras

    from imgclf import data
    from imgclf.models import small_cnn

    sample = data.load("sample")
    x = data.scale(sample.x_train[:images])
    if width != 28:
        x = keras.ops.convert_to_numpy(keras.ops.image.resize(x, (width, width)))
    keras.utils.set_random_seed(0)
    net = small_cnn(input_shape=(width, width, 1), num_classes=10)
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return net.fit(x, sample.y_train[:images], batch_size=batch, epochs=epochs, verbose=0)


@pytest.fixture(scope="module")
def more_images_runs():
    from imgclf import data

    return _small_cnn_run(80, 5), _small_cnn_run(400, 1), data.load("sample")


@pytest.mark.parametrize("accuracies, verdict", [
    ((0.60, 0.80), "Correct."), ((0.80, 0.60), "Not yet."), ((0.70, 0.71), "Cannot tell yet."),
])
@pytest.mark.integration
def test_more_images_judges_what_the_runs_scored(more_images_runs, monkeypatch, accuracies,
                                                 verdict):
    """Genuine runs, scored by the check itself; their accuracies set here so that each of the
    three verdicts is reached: agrees, disagrees (with the hint), within the noise of the
    sample's 300 test images."""
    fewer, more, sample = more_images_runs
    scored = dict(zip((fewer.model, more.model), accuracies, strict=True))
    monkeypatch.setattr(image_classification, "accuracy_on", lambda model, data: scored[model])
    said = str(check.experiment("01-more-images", fewer=fewer, more=more, test=sample))
    assert said.startswith(verdict)
    if verdict == "Not yet.":
        assert said.startswith("Not yet. fewer = 0.8, more = 0.6: ") and "another seed" in said
    if verdict == "Cannot tell yet.":
        assert "is within 0.0" in said and "on 300 test images" in said


def test_more_images_scores_the_networks_it_reads(more_images_runs):
    fewer, more, sample = more_images_runs
    said = str(check.experiment("01-more-images", fewer=fewer, more=more, test=sample))
    scores = [accuracy_on(run.model, sample) for run in (fewer, more)]
    shown = (f"({scores[1]:.1%} against {scores[0]:.1%})" if said.startswith("Correct.") else
             f"fewer = {scores[0]:.4g}, more = {scores[1]:.4g}")
    assert shown in said


def test_more_images_refuses_typed_numbers_and_other_settings(more_images_runs):
    fewer, more, sample = more_images_runs
    typed = check.experiment("01-more-images", fewer=0.8, more=0.9, test=sample)
    assert not typed and "must be the History that model.fit returned" in str(typed)
    assert "not a number" in str(typed)
    swapped = check.experiment("01-more-images", fewer=more, more=fewer, test=sample)
    assert "`fewer` must be the run on fewer images" in str(swapped)
    unequal = check.experiment("01-more-images", fewer=_small_cnn_run(80, 2), more=more,
                               test=sample)
    assert "took 4 and 10 optimiser steps: more images also means more steps" in str(unequal)
    other_net = check.experiment("01-more-images", fewer=_small_cnn_run(80, 5, width=32),
                                 more=more, test=sample)
    assert "trained different networks" in str(other_net)
    no_test = check.experiment("01-more-images", fewer=fewer, more=more, test=sample.x_test)
    assert "test must be the imgclf.data.Dataset" in str(no_test)


def _dropout_run(rate: float, epochs: int = 3, images: int = 200):
    """A genuine trained small_cnn with dropout `rate`, as in the chapter's experiment."""
    import keras

    from imgclf import data
    from imgclf.models import small_cnn

    sample = data.load("sample")
    keras.utils.set_random_seed(0)
    net = small_cnn(dropout=rate)
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    net.fit(data.scale(sample.x_train[:images]), sample.y_train[:images], batch_size=50,
            epochs=epochs, validation_split=0.2, verbose=0)
    return net


@pytest.fixture(scope="module")
def dropout_runs():
    from imgclf import data

    return _dropout_run(0.0), _dropout_run(0.9), data.load("sample").subset(200, 10, seed=0)


@pytest.mark.parametrize("accuracies, verdict", [
    ((0.95, 0.60), "Correct."), ((0.60, 0.95), "Not yet."), ((0.80, 0.81), "Cannot tell yet."),
])
@pytest.mark.integration
def test_heavy_dropout_judges_what_the_networks_fit(dropout_runs, monkeypatch, accuracies,
                                                    verdict):
    without, heavy, few = dropout_runs
    import keras

    scored = dict(zip((id(without), id(heavy)), accuracies, strict=True))
    real = keras.Model.predict

    def predict(model, x, **kwargs):  # the networks' outputs, set to score `accuracies`
        correct = np.random.default_rng(0).random(len(x)) < scored[id(model)]
        return np.eye(10)[np.where(correct, few.y_train[:len(x)],
                                   (few.y_train[:len(x)] + 1) % 10)]

    monkeypatch.setattr(keras.Model, "predict", predict)
    said = str(check.experiment("03-heavy-dropout", without=without, heavy=heavy, data=few))
    monkeypatch.setattr(keras.Model, "predict", real)
    assert said.startswith(verdict), said
    if verdict == "Correct.":
        assert "both measured with dropout off" in said
    if verdict == "Not yet.":
        assert "another seed" in said and "history['accuracy'] is measured with dropout on" \
            in said


def test_heavy_dropout_refuses_typed_numbers_and_other_settings(dropout_runs):
    without, heavy, few = dropout_runs
    typed = str(check.experiment("03-heavy-dropout", without=0.97, heavy=0.85, data=few))
    assert "without must be the trained Keras model, not a number" in typed
    swapped = str(check.experiment("03-heavy-dropout", without=heavy, heavy=without, data=few))
    assert "`without` must have no dropout and `heavy` a rate of 0.9" in swapped
    shorter = str(check.experiment("03-heavy-dropout", without=without,
                                   heavy=_dropout_run(0.9, epochs=1), data=few))
    assert "trained for 12 and 4 steps" in shorter
    from imgclf.models import small_cnn

    untrained = str(check.experiment("03-heavy-dropout", without=without,
                                     heavy=small_cnn(dropout=0.9), data=few))
    assert "heavy has not been trained" in untrained
    no_data = str(check.experiment("03-heavy-dropout", without=without, heavy=heavy,
                                   data=few.x_train))
    assert "data must be the imgclf.data.Dataset" in no_data


def _sigmoid_mlp(depth: int, stddev=None, width: int = 32):
    import keras

    from imgclf.models import deep_mlp

    keras.utils.set_random_seed(0)
    initializer = (keras.initializers.VarianceScaling(1.0, "fan_in", "untruncated_normal")
                   if stddev is None else keras.initializers.RandomNormal(stddev=stddev))
    return deep_mlp((28, 28, 1), 10, depth=depth, width=width, activation="sigmoid",
                    kernel_initializer=initializer)


@pytest.fixture(scope="module")
def batch():
    from imgclf import data

    sample = data.load("sample")
    return data.scale(sample.x_train[:32]), sample.y_train[:32]


def test_deeper_sigmoid_measures_the_networks_it_is_given(batch):
    right = check.experiment("04-deeper-sigmoid", shallow=_sigmoid_mlp(4), deep=_sigmoid_mlp(8),
                             batch=batch)
    assert right and "Twice the depth, a far smaller first-to-last ratio" in str(right)
    # The same check on a pair whose deeper network's ratio is not smaller: the hint.
    wrong = str(check.experiment("04-deeper-sigmoid", shallow=_sigmoid_mlp(1),
                                 deep=_sigmoid_mlp(2), batch=batch))
    ratios = [first_over_last(_sigmoid_mlp(d), batch) for d in (1, 2)]
    assert wrong.startswith("Not yet.") == (not 0 < ratios[1] < ratios[0])


def test_deeper_sigmoid_refuses_typed_numbers_and_other_settings(batch):
    typed = str(check.experiment("04-deeper-sigmoid", shallow=3.6e-9, deep=2.9e-18, batch=batch))
    assert "shallow must be the Keras model itself, not a number" in typed
    not_twice = str(check.experiment("04-deeper-sigmoid", shallow=_sigmoid_mlp(4),
                                     deep=_sigmoid_mlp(6), batch=batch))
    assert "deep must have twice shallow's hidden layers; they have 6 and 4" in not_twice
    other_init = str(check.experiment("04-deeper-sigmoid", shallow=_sigmoid_mlp(4),
                                      deep=_sigmoid_mlp(8, stddev=1.0), batch=batch))
    assert "must differ only in depth" in other_init
    from imgclf.models import deep_mlp

    relu = str(check.experiment("04-deeper-sigmoid", shallow=deep_mlp(depth=4, activation="relu"),
                                deep=_sigmoid_mlp(8), batch=batch))
    assert "shallow must be a stack of sigmoid dense layers" in relu
    trained = _sigmoid_mlp(4)
    trained.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    trained.fit(*batch, epochs=1, verbose=0)
    after = str(check.experiment("04-deeper-sigmoid", shallow=trained, deep=_sigmoid_mlp(8),
                                 batch=batch))
    assert "shallow has been trained" in after


@pytest.mark.integration
def test_deeper_plain_measures_the_networks_it_is_given(batch):
    from imgclf.models import CifarResNet

    nets = {d: CifarResNet(d, (28, 28, 1), 10, shortcut="plain") for d in (56, 110)}
    verdict = check.experiment("05-deeper-plain", plain56=nets[56], plain110=nets[110],
                               batch=batch)
    ratios = [first_over_last(nets[d], batch) for d in (56, 110)]
    assert bool(verdict) == (ratios[1] > ratios[0] > 0)
    assert f"{ratios[1]:.3g} at 110 layers" in str(verdict) or "plain110 = " in str(verdict)
    typed = str(check.experiment("05-deeper-plain", plain56=671.6, plain110=9.4e5, batch=batch))
    assert "plain56 must be the Keras model itself, not a number" in typed
    residual = str(check.experiment("05-deeper-plain", plain56=CifarResNet(56, (28, 28, 1), 10),
                                    plain110=nets[110], batch=batch))
    assert 'plain56 has shortcuts: build it with shortcut="plain"' in residual
    shallow = str(check.experiment("05-deeper-plain", plain56=CifarResNet(
        20, (28, 28, 1), 10, shortcut="plain"), plain110=nets[110], batch=batch))
    assert "plain56 must have 56 layers with weights, it has 20" in shallow
    no_batch = str(check.experiment("05-deeper-plain", plain56=nets[56], plain110=nets[110],
                                    batch=batch[0]))
    assert "batch must be the (images, labels) pair" in no_batch


@pytest.fixture(scope="module")
def head_runs():
    from imgclf import data, models, transfer

    target = data.load("sample").select_classes(range(1, 10, 2))
    extractor = transfer.feature_extractor(models.CompactResNet(num_classes=5))
    runs = {n: transfer.head_run(extractor, target.labels_per_class(n, seed=0), seed=0)
            for n in (2, 20)}
    return runs, target, extractor


@pytest.mark.parametrize("accuracies, verdict", [
    ((0.50, 0.75), "Correct."), ((0.75, 0.50), "Not yet."), ((0.60, 0.61), "Cannot tell yet."),
])
@pytest.mark.integration
def test_more_labels_judges_what_the_heads_score(head_runs, monkeypatch, accuracies, verdict):
    from imgclf import transfer

    runs, target, _ = head_runs
    real = transfer.extract
    wanted = dict(zip((id(runs[2].head), id(runs[20].head)), accuracies, strict=True))

    def extract(model, inputs, batch_size=256):  # the heads' outputs, set to score `accuracies`
        if id(model) not in wanted:
            return real(model, inputs, batch_size)
        right = np.random.default_rng(0).random(len(inputs)) < wanted[id(model)]
        return np.eye(5)[np.where(right, target.y_test, (target.y_test + 1) % 5)]

    monkeypatch.setattr(transfer, "extract", extract)
    said = str(check.experiment("08-more-labels", few=runs[2], more=runs[20], test=target))
    assert said.startswith(verdict), said
    if verdict == "Not yet.":
        assert "another seed" in said


@pytest.mark.integration
def test_more_labels_refuses_typed_numbers_and_other_settings(head_runs):
    from imgclf import models, transfer

    runs, target, extractor = head_runs
    typed = str(check.experiment("08-more-labels", few=0.55, more=0.78, test=target))
    assert "few must be what transfer.head_run returned, not a number" in typed
    swapped = str(check.experiment("08-more-labels", few=runs[20], more=runs[2], test=target))
    assert "`few` must have fewer labelled images per class than `more`; they have 20 and 2" \
        in swapped
    other = transfer.head_run(transfer.feature_extractor(models.CompactResNet(num_classes=5)),
                              target.labels_per_class(20, seed=0))
    assert "the same extractor's features" in str(
        check.experiment("08-more-labels", few=runs[2], more=other, test=target))
    reseeded = transfer.head_run(extractor, target.labels_per_class(20, seed=0), seed=1)
    assert "seeds 0 and 1" in str(
        check.experiment("08-more-labels", few=runs[2], more=reseeded, test=target))


def _modules(channels: int):
    import keras

    from imgclf import models

    def module(build, name):
        inputs = keras.Input((28, 28, channels))
        return keras.Model(inputs, build(inputs), name=name)

    return (module(lambda x: models.naive_module(x, 64, 128, 32), "naive"),
            module(lambda x: models.reduction_module(x, *models.inception.GOOGLENET[0][1]),
                   "reduced"))


@pytest.fixture(scope="module")
def wider_modules():
    (n192, r192), (n480, r480) = _modules(192), _modules(480)
    return {"naive_192": n192, "reduced_192": r192, "naive_480": n480, "reduced_480": r480}


@pytest.mark.parametrize("rounds, verdict", [
    ({192: [2.0, 2.1], 480: [3.5, 3.4]}, "Correct."), ({192: [3.5, 3.4], 480: [2.0, 2.1]},
                                                       "Not yet."),
    ({192: [2.0, 2.6], 480: [2.5, 2.2]}, "Cannot tell yet."),
])
def test_reduction_saving_judges_the_times_it_measures(wider_modules, monkeypatch, rounds,
                                                       verdict):
    """Genuine modules; their timings set here (timing on a shared machine is no test)."""
    channels = {id(wider_modules[f"naive_{c}"]): c for c in (192, 480)}
    monkeypatch.setattr(inception, "_time_ratios",
                        lambda naive, reduced: rounds[channels[id(naive)]])
    said = str(check.experiment("06-reduction-saving", **wider_modules))
    assert said.startswith(verdict), said


def test_reduction_saving_times_the_modules_and_refuses_others(wider_modules):
    measured = inception._reduction_saving(**wider_modules)
    assert set(measured.values) == {"at_192", "at_480"} and measured.noise >= 0
    typed = str(check.experiment("06-reduction-saving", **{**wider_modules, "naive_192": 2.37}))
    assert "naive_192 must be the module's Keras model, not a number" in typed
    swapped = str(check.experiment("06-reduction-saving", **{
        **wider_modules, "naive_192": wider_modules["reduced_192"]}))
    assert "naive_192 has 6 convolutions; the naive module has 3" in swapped
    narrow = str(check.experiment("06-reduction-saving", **{
        **wider_modules, "naive_480": wider_modules["naive_192"]}))
    assert "naive_480 must take 28x28 maps of 480 channels" in narrow


@pytest.fixture(scope="module")
def matched_runs():
    from imgclf import data, models, profiles, train

    sample = data.load("sample").subset(300, 100, seed=0)
    cfg = train.config(profiles.resolve("smoke"), epochs=1)
    return {name: train.fit(lambda build=build: build(), sample, cfg, name=name) for name, build
            in (("separable", lambda: models.MiniXception()),
                ("regular", lambda: models.MiniXception(widths=(24, 48), separable=False)),
                ("regular_wide", lambda: models.MiniXception(separable=False)))}


def _scored(run, accuracy):
    import dataclasses

    return dataclasses.replace(run, record={**run.record, "test_accuracy": accuracy})


@pytest.mark.parametrize("accuracies, verdict", [
    ((0.70, 0.95, 0.75), "Correct."), ((0.70, 0.75, 0.95), "Not yet."),
    ((0.80, 0.85, 0.84), "Cannot tell yet."),
])
@pytest.mark.integration
def test_matched_parameters_judges_the_runs_records(matched_runs, accuracies, verdict):
    """Genuine runs, their test accuracies (separable, regular, matched) set here to reach
    each verdict (100 test images)."""
    said = str(check.experiment("07-matched-parameters", **{
        name: _scored(matched_runs[run], accuracy) for name, run, accuracy in zip(
            ("separable", "regular", "matched"), ("separable", "regular_wide", "regular"),
            accuracies, strict=True)}))
    assert said.startswith(verdict), said
    if verdict == "Not yet.":
        assert "try another seed" in said


def test_matched_parameters_refuses_typed_numbers_and_other_settings(matched_runs):
    separable, matched = matched_runs["separable"], matched_runs["regular"]
    wide = matched_runs["regular_wide"]
    typed = str(check.experiment("07-matched-parameters", separable=0.87, regular=wide,
                                 matched=matched))
    assert "separable must be what train.fit returned, not a number" in typed
    swapped = str(check.experiment("07-matched-parameters", separable=matched, regular=wide,
                                   matched=separable))
    assert "`separable` must use separable convolutions, `regular` and `matched` none" in swapped
    unmatched = str(check.experiment("07-matched-parameters", separable=separable,
                                     regular=wide, matched=wide))
    assert "`matched` has 734,634 parameters and `separable` 101,706" in unmatched
    longer = _scored(matched, 0.5)
    longer.record["epochs"] = 3
    assert "the runs differ in epochs" in str(check.experiment(
        "07-matched-parameters", separable=separable, regular=wide, matched=longer))


def _probabilities(y, forgiven: dict[int, float], classes: int = 10):
    """Rows whose top-1 is wrong and top-5 right for the share `forgiven[c]` of class c's
    images (the first ones), and right at once for the others."""
    rows = np.full((len(y), classes), 0.01)
    for c, share in forgiven.items():
        images = np.flatnonzero(y == c)
        for k, i in enumerate(images):
            if k < share * len(images):  # true class second, another first
                rows[i, (c + 1) % classes], rows[i, c] = 0.6, 0.3
            else:
                rows[i, c] = 0.9
    return rows / rows.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("shares, verdict", [
    ((0.6, 0.0), "Correct."), ((0.0, 0.6), "Not yet."), ((0.1, 0.1), "Cannot tell yet."),
])
def test_alike_classes_scores_the_model_on_each_group(monkeypatch, shares, verdict):
    import keras

    from imgclf import data
    from imgclf.models import small_cnn

    sample = data.load("sample")
    model = small_cnn()
    alike, distinct = [0, 2], [1, 3]
    crafted = _probabilities(sample.y_test, {**{c: shares[0] for c in alike},
                                             **{c: shares[1] for c in distinct}})
    monkeypatch.setattr(keras.Model, "predict", lambda self, x, **kwargs: crafted)
    said = str(check.experiment("02-alike-classes", model=model, data=sample, alike=alike,
                                distinct=distinct))
    assert said.startswith(verdict), said


def test_alike_classes_cannot_tell_from_a_network_that_is_mostly_wrong(monkeypatch):
    """A network wrong at once on most of the compared images (a smoke run's) reverses the
    prediction by chance: the check says it cannot tell instead of "Not yet"."""
    import keras

    from imgclf import data
    from imgclf.models import small_cnn

    sample = data.load("sample")
    alike, distinct = [0, 2], [1, 3]
    crafted = _probabilities(sample.y_test, {**{c: 0.6 for c in alike},
                                             **{c: 0.0 for c in distinct}})
    for c in distinct:  # wrong at once, and not forgiven: the true class is ranked last
        rows = np.flatnonzero(sample.y_test == c)
        crafted[rows] = 0.1
        crafted[rows, (c + 1) % 10], crafted[rows, c] = 0.5, 0.0
    monkeypatch.setattr(keras.Model, "predict", lambda self, x, **kwargs: crafted)
    said = check.experiment("02-alike-classes", model=small_cnn(), data=sample, alike=alike,
                            distinct=distinct)
    assert said.undecided and not said.correct
    assert "right at once on only 20% of these classes' test images" in str(said), str(said)


def test_alike_classes_refuses_typed_numbers_and_other_settings():
    from imgclf import data
    from imgclf.models import small_cnn

    sample, model = data.load("sample"), small_cnn()
    typed = str(check.experiment("02-alike-classes", model=0.9, data=sample, alike=[0, 2],
                                 distinct=[1, 3]))
    assert "model must be the trained Keras model" in typed
    overlap = str(check.experiment("02-alike-classes", model=model, data=sample, alike=[0, 2],
                                   distinct=[2, 3]))
    assert "as many classes each, none in both" in overlap
    names = str(check.experiment("02-alike-classes", model=model, data=sample,
                                 alike=["Shirt", "Coat"], distinct=[1, 3]))
    assert "alike must be two or more different class indices in 0..9" in names
    other = str(check.experiment("02-alike-classes", model=small_cnn(num_classes=5),
                                 data=sample, alike=[0, 2], distinct=[1, 3]))
    assert "the model tells 5 classes apart, the data has 10" in other
