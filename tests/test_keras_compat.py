"""imgclf._keras_compat: the private Keras names imgclf uses, by behaviour, and what happens
on a Keras that no longer has them."""

from __future__ import annotations

import re
import types

import keras
import pytest
from conftest import REPO

from imgclf import _keras_compat, analysis
from imgclf._keras_compat import KerasInternalsChanged

# The graph is read alike on every backend, and the trainer's patch is TensorFlow's.
pytestmark = pytest.mark.backend_independent


def test_inbound_layers_reads_each_call_of_a_layer():
    inputs = keras.Input((4,))
    shared = keras.layers.Dense(4, name="shared")
    first = shared(inputs)
    second = shared(first)  # the same layer called twice
    keras.Model(inputs, keras.layers.Add(name="add")([first, second]))
    calls = _keras_compat.inbound_layers(shared)
    assert [[type(p).__name__ if p.name != "shared" else p.name for p in call]
            for call in calls] == [["InputLayer"], ["shared"]]


def test_a_keras_without_the_graph_says_which_version_and_what_to_do():
    with pytest.raises(KerasInternalsChanged, match=re.escape(
            f"Keras {keras.__version__} has no `_inbound_nodes`. Install a verified version")):
        _keras_compat.inbound_layers(types.SimpleNamespace(name="a layer of another Keras"))
    with pytest.raises(TypeError, match="layer must be a keras layer"):  # caught before
        analysis.inbound_layers(types.SimpleNamespace())


def test_the_multi_worker_fix_patches_for_its_context_and_restores_even_after_an_error():
    pytest.importorskip("tensorflow")
    from keras.src.backend.tensorflow import trainer as tf_trainer

    original = (tf_trainer.TensorFlowTrainer._maybe_symbolic_build,
                tf_trainer.reduce_per_replica)
    with pytest.raises(KeyError, match="a training that failed"), \
            _keras_compat.multi_worker_fixes():
        assert (tf_trainer.TensorFlowTrainer._maybe_symbolic_build,
                tf_trainer.reduce_per_replica) != original
        raise KeyError("a training that failed")
    assert (tf_trainer.TensorFlowTrainer._maybe_symbolic_build,
            tf_trainer.reduce_per_replica) == original


def test_a_keras_without_the_functions_the_fix_replaces_fails_before_training(monkeypatch):
    pytest.importorskip("tensorflow")
    from keras.src.backend.tensorflow import trainer as tf_trainer

    monkeypatch.delattr(tf_trainer.TensorFlowTrainer, "_maybe_symbolic_build")
    with pytest.raises(KerasInternalsChanged, match=re.escape(
            f"verified on Keras 3.15.1; Keras {keras.__version__} has no "
            f"`_maybe_symbolic_build`")), _keras_compat.multi_worker_fixes():
        pytest.fail("the context must not be entered")


def test_each_use_was_verified_on_the_pinned_keras_and_the_graph_on_colabs_and_the_floor():
    pinned = re.search(r"^keras==(\S+)$", (REPO / "requirements" / "lock.txt").read_text(),
                       re.M)[1]
    colab = re.search(r"^keras==(\S+)$", (REPO / "requirements" / "colab.txt").read_text(),
                      re.M)[1]
    floor = re.search(r'"keras>=([\d.]+)', (REPO / "pyproject.toml").read_text())[1]
    for feature, (_, versions) in _keras_compat.VERIFIED.items():
        assert pinned in versions, feature
    assert {colab, f"{floor}.0"} <= set(_keras_compat.VERIFIED["inbound_layers"][1])
