"""Architecture diagrams drawn from a model's layer graph (`imgclf.diagram`)."""

from __future__ import annotations

import keras
import pytest

from imgclf import diagram, models
from imgclf.models import inception, resnet

# Drawing reads the layer graph only: the same on every backend.
pytestmark = pytest.mark.backend_independent


def texts(figure) -> list[str]:
    return [text.get_text() for text in figure.axes[0].texts if text.get_text()]


def arrows(figure) -> list[list[tuple[float, float]]]:
    """Each arrow's path, in inches from the top left."""
    return [list(zip(line.get_xdata(), line.get_ydata(), strict=True))
            for line in figure.axes[0].lines if line.get_gid() == "arrow"]


def boxes(figure) -> dict[str, list[tuple[float, float, float, float]]]:
    """label -> the (x0, y0, x1, y1) of each box that shows it, in inches."""
    found: dict[str, list] = {}
    patches = [p for p in figure.axes[0].patches if p.get_gid() == "box"]
    labels = [t for t in figure.axes[0].texts if t.get_gid() == "label"]
    for patch, label in zip(patches, labels, strict=True):
        found.setdefault(label.get_text(), []).append(
            (patch.get_x(), patch.get_y(), patch.get_x() + patch.get_width(),
             patch.get_y() + patch.get_height()))
    return found


def arrows_into(figure, box) -> int:
    x0, y0, x1, _ = box
    return sum(1 for path in arrows(figure)
               if x0 <= path[-1][0] <= x1 and abs(path[-1][1] - y0) < 1e-6)


def test_a_residual_block_reads_like_the_paper():
    figure = diagram.architecture(
        diagram.block_model(resnet.basic_block, (32, 32, 16), filters=16), title="block")
    assert texts(figure)[1:] == ["input 32x32x16", "conv 3x3, 16 + BN + relu\n32x32x16",
                                 "conv 3x3, 16 + BN\n32x32x16", "+ (add) + relu\n32x32x16"]
    assert texts(figure)[0] == "block"
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend == ["input, reshaping, other", "convolution", "add / concatenate"]
    # four arrows: into each convolution, into the addition, and the shortcut, which runs
    # in a lane beside the two convolutions
    assert len(arrows(figure)) == 4
    shortcut = max(arrows(figure), key=len)
    convolutions = [box for label, found in boxes(figure).items() if label.startswith("conv")
                    for box in found]
    assert len(shortcut) == 6 and all(x > box[2] for x, _ in shortcut[1:-1]
                                      for box in convolutions)
    assert diagram.defects(figure) == []


def test_unfolded_the_block_shows_every_layer():
    model = diagram.block_model(resnet.basic_block, (32, 32, 16), filters=16)
    labels = texts(diagram.architecture(model, title="block", fold=False))[1:]
    assert len(labels) == len(model.layers) and "BN\n32x32x16" in labels


def test_branches_sit_side_by_side_and_no_arrow_crosses_a_box():
    model = diagram.block_model(inception.reduction_module, (28, 28, 192), n1x1=64,
                                n3x3_reduce=96, n3x3=128, n5x5_reduce=16, n5x5=32,
                                pool_proj=32)
    figure = diagram.architecture(model, title="Module 3a")
    found = boxes(figure)
    first_row = [found[f"conv 1x1, {n} + relu\n28x28x{n}"][0] for n in (64, 96, 16)] + \
        [found["max pool 3x3\n28x28x192"][0]]
    assert len({box[1] for box in first_row}) == 1  # one row
    assert len({box[0] for box in first_row}) == 4  # four places in it
    concatenate = found["concatenate\n28x28x256"][0]
    assert concatenate[1] > first_row[0][3]  # below them
    assert arrows_into(figure, concatenate) == 4
    # The 1x1 branch skips a row: its arrow runs past the pool projection, not through it.
    assert diagram.defects(figure) == []


def test_alexnet_shows_its_towers_and_the_layers_that_read_both():
    figure = diagram.architecture(models.AlexNet(), title="AlexNet")
    found = boxes(figure)
    conv2 = found["conv 5x5, 128 + relu + LRN\n27x27x128"]
    assert len(conv2) == 2 and conv2[0][1] == conv2[1][1]  # two towers, side by side
    assert len(found["max pool 3x3 /2\n13x13x128"]) == 2  # pooled on each tower
    conv3 = found["conv 3x3, 384 + relu\n13x13x384"]
    assert len(conv3) == 1 and arrows_into(figure, conv3[0]) == 2  # reads both towers
    conv4 = found["conv 3x3, 192 + relu\n13x13x192"]
    assert len(conv4) == 2 and [arrows_into(figure, box) for box in conv4] == [1, 1]
    assert arrows_into(figure, found["flatten\n9216"][0]) == 2  # the dense layers read both
    assert diagram.defects(figure) == []


def test_identical_layers_and_blocks_in_a_row_are_one_box():
    mlp = texts(diagram.architecture(models.deep_mlp(depth=15), title="MLP"))
    assert "15 × dense 128 + sigmoid\n128" in mlp

    def flow(name):
        if not name.startswith("block"):
            return None
        number = int(name[5:].split("_")[0])
        return f"{'entry' if number <= 4 else 'middle' if number <= 12 else 'exit'} flow, " \
               f"block {number}"

    xception = texts(diagram.architecture(models.Xception(), title="Xception", group=flow))
    assert "middle flow, block 5–12 ×8\n19x19x728" in xception
    assert "entry flow, block 2\n74x74x128" in xception  # different blocks stay apart


def test_a_network_drawn_one_box_per_module():
    googlenet = models.GoogLeNet()
    # 20 boxes one below the other: too tall for a page, which is why chapter 6 draws
    # GoogLeNet one box per stage
    with pytest.warns(diagram.IllegibleDiagramWarning, match="10.4 in tall"):
        labels = texts(diagram.architecture(
            googlenet, title="GoogLeNet",
            group=lambda name: name[:12] if name.startswith("inception_") else None))
    modules = [label for label in labels if label.startswith("inception_")]
    # 4a to 4c have one output shape but other widths inside: not collapsed into one box
    assert [label.split("\n")[0] for label in modules] == [
        "inception_3a", "inception_3b", "inception_4a", "inception_4b", "inception_4c",
        "inception_4d", "inception_4e", "inception_5a", "inception_5b"]
    assert "inception_5b\n7x7x1024" in modules and labels[1] == "input 224x224x3"


def test_side_by_side_draws_each_under_its_label():
    block = diagram.block_model(resnet.basic_block, (32, 32, 16), filters=16)
    network = models.CompactResNet()
    figure = diagram.side_by_side(
        {"the network": (network, lambda name: name[:6] if name.startswith("block") else None),
         "its first block": block}, title="ResNet")
    labels = texts(figure)
    assert labels[:2] == ["ResNet", "the network"]
    assert labels.index("its first block") > labels.index("dense 10 + softmax\n10")
    assert "block1\n14x14x32" in labels and "+ (add) + relu\n32x32x16" in labels
    assert figure.get_size_inches()[0] <= diagram.MAX_WIDTH_IN + 0.2
    assert diagram.defects(figure) == []


def test_defects_are_read_from_the_drawn_figure():
    from matplotlib.lines import Line2D

    figure = diagram.architecture(
        diagram.block_model(resnet.basic_block, (32, 32, 16), filters=16), title="block")
    assert diagram.defects(figure) == []
    conv = boxes(figure)["conv 3x3, 16 + BN\n32x32x16"][0]
    middle = (conv[1] + conv[3]) / 2
    figure.axes[0].add_line(Line2D([conv[0] - 0.5, conv[2] + 0.5], [middle, middle],
                                   gid="arrow"))
    label = next(t for t in figure.axes[0].texts
                 if t.get_text().startswith("conv 3x3, 16 + BN\n"))
    label.set_text("a label far too long for the box it is drawn in, by design")
    found = diagram.defects(figure)
    assert len(found) == 2 and "an arrow crosses the box" in found[0]
    assert "does not fit its box" in found[1]


def test_legibility_is_measured_at_the_columns_width():
    import matplotlib.pyplot as plt

    wide, ax = plt.subplots(figsize=(15, 4), dpi=100)
    plt.close(wide)
    ax.set_title("wide", fontsize=8)
    ax.set_xlabel("x", fontsize=10)
    seen = diagram.legibility(wide)
    assert seen.scale == pytest.approx(750 / 1500)
    assert seen.smallest_text_pt == pytest.approx(4.0) and seen.height_in == pytest.approx(2.0)
    assert "its smallest text is 4.0 pt" in diagram.defects(wide)[0]
    with pytest.raises(TypeError, match="figure must be a matplotlib Figure"):
        diagram.legibility("figure.png")


def test_a_diagram_that_breaks_a_rule_says_so():
    inputs = keras.Input((4,))
    x = inputs
    for units in range(20, 0, -1):  # twenty different layers: nothing to collapse
        x = keras.layers.Dense(units)(x)
    with pytest.warns(diagram.IllegibleDiagramWarning, match="in tall at the column's width"):
        diagram.architecture(keras.Model(inputs, x), title="too tall")


def test_bad_arguments_say_what_is_expected():
    with pytest.raises(TypeError):
        diagram.architecture("resnet", title="x")
    model = models.small_cnn((28, 28, 1), 10)
    with pytest.raises(TypeError, match="group must map a layer name"):
        diagram.architecture(model, title="x", group="inception")
    with pytest.raises(ValueError):
        diagram.architecture(model, title="")
    with pytest.raises(ValueError, match=r"input_shape must be \(height, width, channels\)"):
        diagram.block_model(resnet.basic_block, (32, 32), filters=16)
    with pytest.raises(TypeError, match="block must be a block function"):
        diagram.block_model("basic", (32, 32, 16))
    assert isinstance(diagram.block_model(resnet.basic_block, [8, 8, 4], filters=4),
                      keras.Model)
