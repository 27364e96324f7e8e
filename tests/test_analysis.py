"""imgclf.analysis: the lecture's arithmetic, reproduced from real Keras layers."""

from __future__ import annotations

import keras
import pytest
from keras import layers

from imgclf import analysis, models


def single_layer(layer, input_shape):
    inputs = keras.Input(input_shape)
    return keras.Model(inputs, layer(inputs))


def test_regular_3x3_convolution_from_20_to_40_channels():
    conv = single_layer(layers.Conv2D(40, 3, padding="same"), (24, 24, 20))
    assert conv.count_params() == ((3 * 3) * 20 + 1) * 40 == 7_240
    assert analysis.totals(conv).multiply_adds == 24 * 24 * 40 * 3 * 3 * 20


def test_depthwise_plus_pointwise_with_biases_is_1040():
    inputs = keras.Input((24, 24, 20))
    pair = keras.Model(inputs, models.depthwise_pointwise(inputs, 40, name="pair"))
    assert pair.get_layer("pair_depthwise").count_params() == (3 * 3 + 1) * 20 == 200
    assert pair.get_layer("pair_pointwise").count_params() == (20 + 1) * 40 == 840
    assert pair.count_params() == 1_040
    assert 7_240 / 1_040 > 6.9  # "almost a factor of 7"


def test_keras_separable_conv_keeps_one_bias_per_output_channel():
    separable = single_layer(layers.SeparableConv2D(40, 3, padding="same"), (24, 24, 20))
    assert separable.count_params() == 3 * 3 * 20 + 20 * 40 + 40 == 1_020
    table = analysis.layer_table(separable)
    assert table.rows[-1][3:] == (1_020, 24 * 24 * (3 * 3 * 20 + 20 * 40))


def test_1x1_reduction_halves_the_next_layers_computation():
    wide = keras.Input((24, 24, 20))
    reduced = layers.Conv2D(10, 1, name="reduce")(wide)
    after_reduction = layers.Conv2D(40, 3, padding="same", name="next")(reduced)
    without = layers.Conv2D(40, 3, padding="same", name="next_direct")(wide)
    model = keras.Model(wide, [after_reduction, without])
    assert tuple(model.get_layer("reduce").output.shape[1:]) == (24, 24, 10)
    cost = {layer.name: analysis.multiply_adds(layer) for layer in analysis.layers_of(model)}
    assert cost["next"] * 2 == cost["next_direct"]
    assert cost["reduce"] == 24 * 24 * 20 * 10


def test_layer_table_lists_weighted_layers_and_totals():
    model = models.small_cnn()
    table = analysis.layer_table(model)
    assert table.columns == ("layer", "type", "output shape", "parameters", "multiply-adds")
    assert [row[0] for row in table.rows] == ["stage1_conv", "stage1_bn", "stage2_conv",
                                              "stage2_bn", "hidden", "classifier", "total"]
    assert table.rows[-1][3] == model.count_params()
    assert len(analysis.layer_table(model, all_layers=True).rows) == len(model.layers)
    totals = analysis.totals(model)
    assert totals.parameters - totals.trainable == 2 * (32 + 64)  # BN moving mean and variance


@pytest.mark.parametrize("name, depth", [("alexnet", 8), ("vgg16", 16), ("vgg19", 19),
                                         ("resnet50", 50), ("googlenet", 22)])
@pytest.mark.backend_independent  # counts the layers of the graph
def test_weighted_depth_counts_as_the_papers_do(name, depth):
    assert analysis.weighted_depth(models.get(name)) == depth


def test_grouped_convolution_multiply_adds():
    grouped = single_layer(layers.Conv2D(256, 5, padding="same", groups=2), (27, 27, 96))
    assert analysis.totals(grouped).multiply_adds == 27 * 27 * 256 * 5 * 5 * 48


def _chain(*chain, shape=(32, 32, 8)):
    inputs = keras.Input(shape)
    x = inputs
    for layer in chain:
        x = layer(x)
    return keras.Model(inputs, x)


@pytest.mark.parametrize("chain, field", [
    ([keras.layers.Conv2D(4, 5)], (5, 5)),
    ([keras.layers.Conv2D(4, 3), keras.layers.Conv2D(4, 3)], (5, 5)),
    ([keras.layers.Conv2D(4, 3) for _ in range(3)], (7, 7)),
    ([keras.layers.Conv2D(4, (1, 7)), keras.layers.Conv2D(4, (7, 1))], (7, 7)),
    ([keras.layers.Conv2D(4, (1, 7))], (1, 7)),
    ([keras.layers.Conv2D(4, 3, strides=2), keras.layers.Conv2D(4, 3)], (7, 7)),
    ([keras.layers.MaxPooling2D(2), keras.layers.Conv2D(4, 3)], (6, 6)),
    ([keras.layers.Conv2D(4, 3, dilation_rate=2)], (5, 5)),
])
def test_receptive_field(chain, field):
    assert analysis.receptive_field(_chain(*chain)) == field


def test_receptive_field_needs_a_chain():
    inputs = keras.Input((8, 8, 3))
    joined = keras.layers.Add()([keras.layers.Conv2D(3, 3, padding="same")(inputs), inputs])
    with pytest.raises(ValueError, match="needs a model that is a chain of layers"):
        analysis.receptive_field(keras.Model(inputs, joined))


def test_inbound_layers_reads_the_graph_keras_builds():
    """The one use of Keras's private graph API (`layer._inbound_nodes`): fails first when a
    Keras release changes it."""
    inputs = keras.Input((4,))
    left = keras.layers.Dense(3, name="left")
    right = keras.layers.Dense(3, name="right")
    add = keras.layers.Add(name="add")
    outputs = add([left(inputs), right(inputs)])
    keras.Model(inputs, outputs)
    assert [[p.name for p in call] for call in analysis.inbound_layers(add)] == [["left",
                                                                                  "right"]]
    assert [[type(p).__name__ for p in call] for call in analysis.inbound_layers(left)] == [
        ["InputLayer"]]


def test_weighted_layers_read_alexnet_as_its_paper_tabulates_it():
    found = analysis.weighted_layers(models.AlexNet())
    assert [str(layer) for layer in found] == [
        "11x11/4 conv 96", "5x5 conv 256 in 2 groups", "3x3 conv 384",
        "3x3 conv 384 in 2 groups", "3x3 conv 256 in 2 groups",
        "dense 4,096", "dense 4,096", "dense 1,000"]


def test_weighted_layers_name_separable_and_depthwise_widths():
    inputs = keras.Input((16, 16, 8))
    x = layers.DepthwiseConv2D(3, strides=2, depth_multiplier=2, name="dw")(inputs)
    x = layers.SeparableConv2D(12, (1, 3), name="sep")(x)
    found = analysis.weighted_layers(keras.Model(inputs, x))
    assert [(layer.name, layer.kind, layer.width, layer.kernel, layer.stride)
            for layer in found] == [("dw", "depthwise", 16, (3, 3), (2, 2)),
                                    ("sep", "separable", 12, (1, 3), (1, 1))]
