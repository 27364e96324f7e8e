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


def test_a_residual_block_reads_like_the_paper():
    figure = diagram.architecture(
        diagram.block_model(resnet.basic_block, (32, 32, 16), filters=16), title="block")
    boxes = texts(figure)
    assert boxes == ["input 32x32x16", "conv 3x3, 16 + BN + relu\n32x32x16",
                     "conv 3x3, 16 + BN\n32x32x16", "+ (add) + relu\n32x32x16"]
    assert figure.axes[0].get_title() == "block"
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend == ["input, reshaping, other", "convolution", "add / concatenate"]
    # four boxes, and four arrows: into each convolution, into the addition, and the shortcut
    arrows = [child for child in figure.axes[0].get_children()
              if type(child).__name__ == "Annotation"]
    assert len(arrows) == 4


def test_unfolded_the_block_shows_every_layer():
    model = diagram.block_model(resnet.basic_block, (32, 32, 16), filters=16)
    boxes = texts(diagram.architecture(model, title="block", fold=False))
    assert len(boxes) == len(model.layers) and "BN\n32x32x16" in boxes


def test_branches_sit_side_by_side():
    model = diagram.block_model(inception.naive_module, (28, 28, 192), n1x1=64, n3x3=128,
                                n5x5=32)
    figure = diagram.architecture(model, title="naive")
    positions = {text.get_text().split("\n")[0]: text.get_position()
                 for text in figure.axes[0].texts if text.get_text()}
    branches = ["conv 1x1, 64 + relu", "conv 3x3, 128 + relu", "conv 5x5, 32 + relu",
                "max pool 3x3"]
    assert len({positions[name][1] for name in branches}) == 1  # one row
    assert len({positions[name][0] for name in branches}) == 4  # four places in it
    assert positions["concatenate"][1] < positions[branches[0]][1]  # below them


def test_alexnets_grouped_convolutions_are_drawn_as_two_towers():
    boxes = texts(diagram.architecture(models.AlexNet(), title="AlexNet"))
    assert "tower 1: conv 5x5, 128 + relu\n27x27x128" in boxes
    assert "tower 2: conv 5x5, 128 + relu\n27x27x128" in boxes
    assert "conv 3x3, 384 + relu\n13x13x384" in boxes  # conv3 sees both halves


def test_a_network_drawn_one_box_per_module():
    googlenet = models.GoogLeNet()
    boxes = texts(diagram.architecture(
        googlenet, title="GoogLeNet",
        group=lambda name: name[:12] if name.startswith("inception_") else None))
    modules = [box for box in boxes if box.startswith("inception_")]
    assert [box.split("\n")[0] for box in modules] == [
        "inception_3a", "inception_3b", "inception_4a", "inception_4b", "inception_4c",
        "inception_4d", "inception_4e", "inception_5a", "inception_5b"]
    assert "inception_5b\n7x7x1024" in modules and boxes[0] == "input 224x224x3"


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
