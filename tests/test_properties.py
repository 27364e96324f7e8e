"""Property-based tests (Hypothesis) of the input contracts: arbitrary shapes, dtypes, NaN and
infinity, NumPy scalars and text, given to the validators, the metrics, `Dataset` and the cost
model, end in a right result or in a TypeError or ValueError whose message names the argument:
never another exception, never a silent result on invalid input.

Derandomised (the same examples on every run) and a few seconds each."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from imgclf import _validate as check
from imgclf import cost, metrics, plans
from imgclf.data import Dataset

pytestmark = pytest.mark.backend_independent

FAST = settings(derandomize=True, max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

DTYPES = st.sampled_from(["uint8", "int32", "int64", "float16", "float32", "float64", "bool"])
SCALARS = st.one_of(
    st.integers(-300, 300), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.text(max_size=3), st.none(),
    st.integers(-300, 300).map(np.int64), st.integers(0, 255).map(np.uint8),
    st.floats(-10, 10).map(np.float32), st.booleans().map(np.bool_))


def arrays(max_dims: int = 3, max_side: int = 4):
    """Arrays of any of `DTYPES`, 0 to `max_dims` dimensions, NaN and infinity included."""
    return DTYPES.flatmap(lambda dtype: hnp.arrays(
        dtype, hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=max_side)))


def refused_by_name(call, *names):
    """Run `call`; return its result, or None when it raised TypeError or ValueError naming one
    of `names`. Any other exception, or a message naming none of them, fails."""
    try:
        return call()
    except (TypeError, ValueError) as error:
        assert any(name in str(error) for name in names), \
            f"the message does not name {names}: {error}"
        return None


@FAST
@given(value=SCALARS)
def test_integer_takes_every_whole_number_and_names_anything_else(value):
    got = refused_by_name(lambda: check.integer("count", value, minimum=0), "count")
    whole = not isinstance(value, (bool, np.bool_, str, float, np.floating, type(None)))
    if whole and int(value) >= 0:
        assert got == int(value) and type(got) is int
    else:
        assert got is None


@FAST
@given(value=SCALARS)
def test_number_takes_every_finite_real_and_names_anything_else(value):
    got = refused_by_name(lambda: check.number("rate", value, low=0, high=1), "rate")
    real = not isinstance(value, (bool, np.bool_, str, type(None)))
    if real and np.isfinite(float(value)) and 0 <= float(value) <= 1:
        assert got == float(value)
    else:
        assert got is None


@FAST
@given(labels=st.one_of(arrays(max_dims=2), st.integers(1, 5).flatmap(
    lambda n: hnp.arrays(st.sampled_from(["int64", "uint8", "float32"]), n,
                         elements=st.integers(0, 5)))), classes=st.integers(1, 6))
def test_labels_are_whole_indices_in_range_or_named(labels, classes):
    got = refused_by_name(lambda: check.labels("y", labels, num_classes=classes), "y")
    valid = (labels.ndim == 1 and labels.size > 0 and labels.dtype.kind in "biuf"
             and np.all(np.isfinite(labels)) and np.all(labels == np.round(labels))
             and labels.min() >= 0 and labels.max() < classes)
    if valid:
        assert got.dtype == np.int64 and np.array_equal(got, labels)
    else:
        assert got is None


VALID_IMAGES = st.one_of(
    hnp.arrays("uint8", hnp.array_shapes(min_dims=4, max_dims=4, max_side=3)),
    hnp.arrays("float32", hnp.array_shapes(min_dims=4, max_dims=4, max_side=3),
               elements=st.floats(0, 1, width=32)),
    hnp.arrays("float64", hnp.array_shapes(min_dims=4, max_dims=4, max_side=3),
               elements=st.floats(0, 255)))  # 0-255 stored as floats: refused unless in [0, 1]


@FAST
@given(images=st.one_of(arrays(max_dims=4, max_side=3), VALID_IMAGES))
def test_images_meet_the_contract_or_are_named(images):
    got = refused_by_name(lambda: check.images("images", images), "images")
    finite = images.dtype.kind in "biuf" and np.all(np.isfinite(images))
    if got is None:
        return
    assert images.ndim == 4 and images.size > 0 and finite
    if got.dtype == np.uint8:
        assert np.array_equal(got, images)
    else:  # floats are only ever taken in [0, 1]
        assert got.min() >= 0 and got.max() <= 1


def whole(value_strategy):
    """A whole number as Python or NumPy gives it."""
    return value_strategy.flatmap(lambda v: st.sampled_from([v, np.int64(v)]))


CORRUPTIONS = st.sampled_from(["none", "none", "none", "out of range", "fractional", "nan",
                               "text", "length", "empty"])


@FAST
@given(data=st.data(), n=st.integers(1, 6), classes=st.integers(2, 5), corruption=CORRUPTIONS)
def test_top_k_accuracy_is_right_or_names_what_is_wrong(data, n, classes, corruption):
    labels = data.draw(hnp.arrays("int64", n, elements=st.integers(0, classes - 1)))
    probabilities = data.draw(hnp.arrays("float64", (n, classes), elements=st.floats(0, 1)))
    k = data.draw(whole(st.integers(1, classes)))
    if corruption == "out of range":
        labels[0] = classes
    elif corruption == "fractional":
        labels = labels + 0.5
    elif corruption == "nan":
        probabilities[0, 0] = np.nan
    elif corruption == "text":
        labels = [str(label) for label in labels]
    elif corruption == "length":
        probabilities = probabilities[:-1]
    elif corruption == "empty":
        labels, probabilities = labels[:0], probabilities[:0]
    got = refused_by_name(lambda: metrics.top_k_accuracy(labels, probabilities, k),
                          "y_true", "probabilities", "k")
    if corruption != "none":
        assert got is None, f"{corruption} input gave {got} in silence"
        return
    top = np.argsort(-probabilities, axis=1, kind="stable")[:, :int(k)]
    assert got == pytest.approx(np.mean([label in row
                                         for label, row in zip(labels, top, strict=True)]))


@FAST
@given(data=st.data(), n=st.integers(1, 8), classes=st.integers(1, 5), corruption=CORRUPTIONS)
def test_confusion_matrix_counts_every_label_or_names_what_is_wrong(data, n, classes,
                                                                    corruption):
    true = data.draw(hnp.arrays("int64", n, elements=st.integers(0, classes - 1)))
    predicted = data.draw(hnp.arrays("int64", n, elements=st.integers(0, classes - 1)))
    if corruption == "out of range":
        predicted[-1] = classes
    elif corruption == "fractional":
        predicted = predicted + 0.25
    elif corruption == "nan":
        true = true.astype(float)
        true[0] = np.nan
    elif corruption == "text":
        true = np.array([f"class {label}" for label in true])
    elif corruption == "length":
        predicted = predicted[1:]
    elif corruption == "empty":
        true, predicted = true[:0], predicted[:0]
    got = refused_by_name(
        lambda: metrics.confusion_matrix(true, predicted, data.draw(whole(st.just(classes)))),
        "y_true", "y_pred", "label arrays")
    if corruption != "none":
        assert got is None, f"{corruption} input gave a matrix in silence"
        return
    assert got.shape == (classes, classes) and got.sum() == n
    assert np.trace(got) == np.sum(true == predicted)


@FAST
@given(data=st.data(), n=st.integers(1, 5), side=st.integers(1, 4),
       channels=st.sampled_from([1, 3]), classes=st.integers(2, 4),
       corruption=st.sampled_from(["none", "none", "none", "float images", "test size",
                                   "one class", "fractional", "text labels", "list",
                                   "out of range"]))
def test_a_dataset_is_consistent_or_names_what_is_wrong(data, n, side, channels, classes,
                                                         corruption):
    def split():
        return (data.draw(hnp.arrays("uint8", (n, side, side, channels))),
                data.draw(hnp.arrays("int64", n, elements=st.integers(0, classes - 1))))

    (x_train, y_train), (x_test, y_test) = split(), split()
    names = tuple(f"class {i}" for i in range(classes))
    if corruption == "float images":
        x_train = x_train / 255
    elif corruption == "test size":
        x_test = np.zeros((n, side + 1, side, channels), np.uint8)
    elif corruption == "one class":
        names, y_train, y_test = names[:1], y_train * 0, y_test * 0
    elif corruption == "fractional":
        y_test = y_test + 0.5
    elif corruption == "text labels":
        y_train = np.array([names[label] for label in y_train])
    elif corruption == "list":
        x_train = x_train.tolist()
    elif corruption == "out of range":
        y_train[0] = classes
    got = refused_by_name(
        lambda: Dataset("toy", x_train, y_train, x_test, y_test, names, "test"),
        "x_train", "y_train", "x_test", "y_test", "class_names")
    if corruption != "none":
        assert got is None, f"a dataset with {corruption} was accepted in silence"
        return
    assert got.num_classes == classes and got.image_shape == (side, side, channels)
    assert np.array_equal(got.y_train, y_train) and np.array_equal(got.y_test, y_test)


FIELDS = ("parameters", "multiply_adds", "images", "epochs", "batch_size", "evaluated",
          "convolutions")


@FAST
@given(values=st.fixed_dictionaries({
    "parameters": whole(st.integers(0, 10**8)), "multiply_adds": whole(st.integers(0, 10**10)),
    "images": whole(st.integers(0, 10**5)), "epochs": whole(st.integers(0, 30)),
    "batch_size": whole(st.integers(1, 512)), "evaluated": whole(st.integers(0, 10**5)),
    "convolutions": whole(st.integers(0, 200))}),
    corruption=st.sampled_from(["none", "none", "none", "negative", "text", "nan", "bool"]),
    field=st.sampled_from(FIELDS))
def test_a_training_is_priced_or_names_the_field(values, corruption, field):
    values = dict(values)
    values[field] = {"none": values[field], "negative": -1, "text": "5", "nan": float("nan"),
                     "bool": True}[corruption]
    got = refused_by_name(lambda: plans.Training("net", "net", **values), *FIELDS)
    no_work = corruption == "none" and (
        (values["epochs"] and not values["images"])
        or (not values["epochs"] and not values["evaluated"]))
    if corruption != "none" or no_work:
        assert got is None, f"a training with {corruption or 'no work'} was priced in silence"
        return
    assert got.steps == -(-int(values["images"]) // int(values["batch_size"])) * got.epochs
    for device in cost.DEVICES:
        seconds = cost.seconds([got], device)
        assert np.isfinite(seconds) and seconds > 0
