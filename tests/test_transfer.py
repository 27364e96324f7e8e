"""imgclf.transfer and the data it needs: class splits, few labels, frozen features,
a new classifier, fine-tuning that leaves its starting point untouched."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest

from imgclf import _validate, analysis, data, models, profiles, train, transfer


@pytest.fixture(scope="module")
def sample():
    return data.load("sample")


def test_select_classes_relabels_in_the_given_order(sample):
    odd = sample.select_classes([9, 1, 3])
    assert odd.class_names == ("Ankle boot", "Trouser", "Dress")
    assert set(odd.y_train) == {0, 1, 2} and len(odd.x_train) == 3 * 120
    original = sample.x_train[sample.y_train == 9]
    np.testing.assert_array_equal(odd.x_train[odd.y_train == 0], original)
    for bad, message in (([1], "2 or more distinct"), ([1, 1], "2 or more distinct"),
                         ([0, 10], "outside 0..9")):
        with pytest.raises(ValueError, match=message):
            sample.select_classes(bad)


def test_labels_per_class(sample):
    few = sample.labels_per_class(3, seed=1)
    assert np.bincount(few.y_train).tolist() == [3] * 10
    assert len(few.x_test) == len(sample.x_test)
    assert not np.array_equal(few.x_train, sample.labels_per_class(3, seed=2).x_train)
    with pytest.raises(ValueError, match="at most 120, got 121"):
        sample.labels_per_class(121)
    with pytest.raises(ValueError, match="count must be an integer >= 1"):
        sample.labels_per_class(0)


def test_feature_extractor_is_frozen_and_scales_uint8_images():
    net = models.CompactResNet(num_classes=5)
    extractor = transfer.feature_extractor(net)
    assert extractor.output_shape == (None, 128) and not extractor.trainable_weights
    images = np.random.default_rng(0).integers(0, 256, (3, 28, 28, 1), dtype="uint8")
    body = keras.Model(net.input, net.layers[-1].input)
    np.testing.assert_allclose(transfer.extract(extractor, images),
                               keras.ops.convert_to_numpy(body(images / 255.0)), atol=1e-5)
    with pytest.raises(ValueError, match="must end in a Dense classifier"):
        transfer.feature_extractor(models.CompactResNet(include_top=False))


def test_headless_network_is_its_own_extractor():
    headless = models.MobileNet(input_shape=(32, 32, 3), include_top=False, pooling="avg")
    assert transfer.feature_extractor(headless).output_shape == (None, 1024)


def test_train_head_learns_separable_features_and_checks_its_input():
    rng = np.random.default_rng(0)
    labels = np.arange(60) % 3
    features = rng.normal(size=(60, 8)) + 4 * np.eye(8)[labels]
    head = transfer.train_head(features, labels, 3, epochs=100)
    assert np.mean(transfer.extract(head, features).argmax(1) == labels) == 1.0
    with pytest.raises(ValueError, match="labels must be in 0..2"):
        transfer.train_head(features, labels + 1, 3)
    with pytest.raises(ValueError, match="features must be an array of extracted features "
                                         "\\(N, F\\), got shape \\(60, 8, 1\\)"):
        transfer.train_head(features[:, :, None], labels, 3)
    # Once trained in silence: NaN features, fractional labels, no epochs.
    with pytest.raises(ValueError, match="features holds 1 values that are not finite"):
        transfer.train_head(np.where(np.arange(480).reshape(60, 8) == 7, np.nan, features),
                            labels, 3)
    with pytest.raises(ValueError, match="labels must hold whole class indices"):
        transfer.train_head(features, labels / 2, 3)
    with pytest.raises(ValueError, match="epochs must be an integer >= 1, got 0"):
        transfer.train_head(features, labels, 3, epochs=0)
    # NumPy's own integers, as every array gives them, are taken.
    assert transfer.train_head(features, labels, np.int64(3), epochs=np.int64(2)).output_shape \
        == (None, 3)
    with pytest.raises(ValueError, match="labels must have shape \\(60,\\)"):
        transfer.train_head(features, labels[:10], 3)


@pytest.mark.integration
def test_fine_tuning_trains_a_copy(sample):
    five = sample.select_classes(range(5))
    extractor = transfer.feature_extractor(models.CompactResNet(num_classes=5))
    head = transfer.train_head(transfer.extract(extractor, five.x_train[:20]),
                               five.y_train[:20], 5, epochs=5)
    before = [w.copy() for w in extractor.get_weights()]
    tuned = transfer.fine_tuning_model(extractor, head)
    images = five.x_test[:4]  # before training: the extractor's features through the head
    np.testing.assert_allclose(tuned.predict(data.scale(images), verbose=0),
                               head.predict(transfer.extract(extractor, images), verbose=0),
                               atol=1e-5)
    assert analysis.totals(tuned).trainable > 0.99 * analysis.totals(
        models.CompactResNet(num_classes=5)).trainable
    cfg = train.config(profiles.resolve("smoke"), epochs=2, verbose=0, validation_split=0.0,
                       batch_size=20)  # one batch of the 20 images
    train.fit(lambda: tuned, five.labels_per_class(4), cfg, evaluate_test=False)
    assert all(np.array_equal(a, b) for a, b in zip(before, extractor.get_weights(),
                                                    strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(before, tuned.get_weights()[:len(before)],
                                                        strict=True))


@pytest.mark.integration
def test_few_label_comparison_runs_every_method(sample):
    source, target = sample.select_classes([0, 2, 4]), sample.select_classes([1, 3, 5])
    settings = profiles.resolve("smoke")
    pretrained = train.fit(lambda: models.CompactResNet(num_classes=3), source,
                           train.config(settings, epochs=1, verbose=0))
    results = transfer.few_label_comparison(
        transfer.feature_extractor(pretrained.network), target, (2,), train.config(settings),
        scratch=lambda: models.CompactResNet(num_classes=3), steps=2)
    assert [r.method for r in results] == list(transfer.METHODS)
    assert all(0 <= r.test_accuracy <= 1 and r.labels_per_class == 2 for r in results)
    table = transfer.accuracy_by_count(results)
    assert set(table) == set(transfer.METHODS) and table["fine-tuning"].keys() == {2}
    with pytest.raises(ValueError, match="counts must name at least one"):
        transfer.few_label_comparison(transfer.feature_extractor(pretrained.network), target,
                                      (), train.config(settings), scratch=None)


@pytest.mark.backend_independent
@pytest.mark.parametrize("profile, images, steps", [("full", 50, 60), ("full", 500, 60),
                                                     ("quick", 50, 60), ("smoke", 50, 20)])
def test_short_runs_let_batch_normalisation_settle(profile, images, steps):
    """A few-label run of `steps` steps leaves at most 1% of BatchNorm's initial moving
    statistics (the full profile's momentum 0.99 left 55% after 60 steps, and the network
    trained from scratch scored chance), and never raises the profile's momentum."""
    base = train.config(profiles.resolve(profile))
    cfg = transfer._steps_config(base, images, steps)
    total = cfg.epochs * -(-images // cfg.batch_size)
    assert cfg.bn_momentum ** total <= transfer.BN_STATISTICS_LEFT + 1e-12
    assert cfg.bn_momentum <= base.bn_momentum
    if profile == "quick":
        assert cfg.bn_momentum == base.bn_momentum  # 0.9 already settles within 60 steps


def test_the_imagenet_comparison_runs_in_full_and_in_quick_on_a_gpu(monkeypatch):
    from imgclf import hardware, profiles

    monkeypatch.delenv("IMGCLF_PROFILE", raising=False)
    monkeypatch.setattr(hardware, "gpu_available", lambda: False)
    assert transfer.runs_imagenet_comparison(profiles.resolve("full"))
    assert not transfer.runs_imagenet_comparison(profiles.resolve("quick"))
    assert not transfer.runs_imagenet_comparison(profiles.resolve("smoke"))
    monkeypatch.setattr(hardware, "gpu_available", lambda: True)
    assert transfer.runs_imagenet_comparison(profiles.resolve("quick"))
    assert not transfer.runs_imagenet_comparison(profiles.resolve("smoke"))


def test_images_scaled_twice_get_a_warning_not_a_silent_wrong_answer():
    """An extractor scales uint8 images itself: images already in [0, 1] would reach the
    network within [0, 1/255] (once extracted in silence)."""
    extractor = transfer.feature_extractor(models.small_cnn(num_classes=2))
    images = np.random.default_rng(0).integers(0, 256, (4, 28, 28, 1)).astype(np.uint8)
    with pytest.warns(_validate.ScaledTwiceWarning, match="inputs look scaled to \\[0, 1\\] "
                                                          "already .* scaled twice"):
        transfer.extract(extractor, data.scale(images))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert transfer.extract(extractor, images).shape == (4, extractor.output_shape[-1])
