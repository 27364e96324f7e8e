"""The ImageNet networks Keras ships, as facts, and how to feed them our images.

`FACTS` holds the top-1/top-5 ImageNet validation accuracies that the Keras documentation
lists for each `keras.applications` network we build from scratch; `table()` adds what the
code measures (parameters, depth, input size). `imagenet_classifier` puts the preprocessing a
pretrained network expects in front of it, so it takes the course's uint8 images directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from imgclf import models
from imgclf.analysis import weighted_depth
from imgclf.table import Table


@dataclass(frozen=True)
class ApplicationFacts:
    """One keras.applications network: ImageNet validation accuracy (single 224 or 299 crop)
    as the Keras documentation lists it, and the paper it comes from (book/references.bib)."""

    name: str
    top1: float
    top5: float
    citation: str


#: Source: the Keras documentation, keras.io/api/applications (keras-io templates).
FACTS: tuple[ApplicationFacts, ...] = (
    ApplicationFacts("vgg16", 0.713, 0.901, "simonyan2014vgg"),
    ApplicationFacts("vgg19", 0.713, 0.900, "simonyan2014vgg"),
    ApplicationFacts("resnet50", 0.749, 0.921, "he2015resnet"),
    ApplicationFacts("resnet101", 0.764, 0.928, "he2015resnet"),
    ApplicationFacts("resnet152", 0.766, 0.931, "he2015resnet"),
    ApplicationFacts("inception_v3", 0.779, 0.937, "szegedy2015inceptionv3"),
    ApplicationFacts("xception", 0.790, 0.945, "chollet2016xception"),
    ApplicationFacts("mobilenet", 0.704, 0.895, "howard2017mobilenets"),
)

#: How each network's ImageNet weights expect their pixels: "tf" scales to [-1, 1]; "caffe"
#: flips RGB to BGR and subtracts the ImageNet mean per channel.
PREPROCESSING = {"vgg16": "caffe", "vgg19": "caffe", "resnet50": "caffe", "resnet101": "caffe",
                 "resnet152": "caffe", "inception_v3": "tf", "xception": "tf", "mobilenet": "tf"}


@dataclass(frozen=True)
class Measured:
    """What building our twin of a keras.applications network shows."""

    facts: ApplicationFacts
    parameters: int
    depth: int
    input_size: int


def measure() -> list[Measured]:
    """Build each network of `FACTS` (without weights) and count its parameters and depth."""
    measured = []
    for facts in FACTS:
        net = models.get(facts.name)
        measured.append(Measured(facts, net.count_params(), weighted_depth(net),
                                 int(net.input_shape[1])))
        del net
        keras.backend.clear_session()
    return measured


def table(measured: list[Measured]) -> Table:
    """The networks side by side: parameters, depth, input size, ImageNet top-1 and top-5."""
    if isinstance(measured, Measured) or not measured or not all(
            isinstance(m, Measured) for m in measured):
        raise TypeError("measured must be a list of imgclf.applications.Measured "
                        "(applications.measure())")
    return Table.of(
        ["network", "parameters", "layers with weights", "input", "top-1", "top-5"],
        [(m.facts.name, m.parameters, m.depth, f"{m.input_size}x{m.input_size}",
          f"{m.facts.top1:.1%}", f"{m.facts.top5:.1%}") for m in measured],
        caption="keras.applications networks, built by imgclf (accuracy: Keras documentation)")


def photographs() -> dict[str, np.ndarray]:
    """Real photographs that ship with matplotlib, as uint8 RGB arrays (H, W, 3).

    Grace Hopper's portrait (matplotlib's sample data) is the photograph TensorFlow's own
    ImageNet examples classify; it is on every machine that has matplotlib.
    """
    import matplotlib
    import matplotlib.image

    folder = Path(matplotlib.get_data_path()) / "sample_data"
    return {"Grace Hopper": np.asarray(matplotlib.image.imread(folder / "grace_hopper.jpg"))}


def imagenet_classifier(network: keras.Model, name: str, image_shape) -> keras.Model:
    """`network` (an ImageNet network `name`) behind the preprocessing its weights expect.

    The result takes images of `image_shape` (H, W, 1 or 3) scaled to [0, 1], like every
    network of `imgclf.models` (so `imgclf.train` and `imgclf.transfer` use it as they use
    the others), repeats grey ones to RGB, resizes them to the network's input size and maps
    them to [-1, 1], the range its weights were trained on.

    Raises:
        ValueError: an unknown `name`, a network expecting "caffe" preprocessing (VGG,
            ResNet: their BGR mean subtraction is not a rescaling), or an image shape that is
            not (H, W, 1) or (H, W, 3).
    """
    if name not in PREPROCESSING:
        raise ValueError(f"Unknown ImageNet network {name!r}. Known: {', '.join(PREPROCESSING)}")
    if PREPROCESSING[name] != "tf":
        tf_mode = [n for n, mode in PREPROCESSING.items() if mode == "tf"]
        raise ValueError(f"{name} expects BGR mean-subtracted pixels; imagenet_classifier takes "
                         f"the networks scaled to [-1, 1]: {', '.join(tf_mode)}")
    image_shape = tuple(image_shape)
    if len(image_shape) != 3 or image_shape[2] not in (1, 3):
        raise ValueError(f"image_shape must be (height, width, 1 or 3), got {image_shape}")
    inputs = keras.Input(image_shape, name="images")
    x = keras.layers.Rescaling(2.0, offset=-1, name="to_minus1_1")(inputs)
    height, width = network.input_shape[1:3]
    x = keras.layers.Resizing(height, width, name="resize")(x)
    if image_shape[2] == 1:
        x = keras.layers.Concatenate(name="grey_to_rgb")([x, x, x])
    return keras.Model(inputs, network(x), name=f"{name}_on_{image_shape[0]}px")


def decode(probabilities: np.ndarray, top: int = 5) -> list[list[tuple[str, float]]]:
    """The `top` ImageNet class names and probabilities of each row of `probabilities`.

    Uses `keras.applications.imagenet_utils.decode_predictions`, which downloads the class
    index once into the Keras cache.

    Raises:
        ValueError: probabilities that are not (N, 1000), or `top` outside 1..1000.
        imgclf.models.WeightsUnavailableError: the class index is neither cached nor reachable.
    """
    from imgclf import network

    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or probabilities.shape[1] != 1000:
        raise ValueError(f"probabilities must be (N, 1000) for the ImageNet classes, got shape "
                         f"{probabilities.shape}")
    if not isinstance(top, int) or not 1 <= top <= 1000:
        raise ValueError(f"top must be an integer in 1..1000, got {top!r}")
    try:
        with network.keras_download_timeout():
            decoded = keras.applications.imagenet_utils.decode_predictions(probabilities, top)
    except Exception as error:
        raise models.WeightsUnavailableError(
            f"The ImageNet class names are not in the Keras cache and could not be downloaded: "
            f"{network.reason(error)}; no network?") from None
    return [[(name, float(p)) for _, name, p in row] for row in decoded]
