"""Well-known image data sets, as facts with their sources (see book/references.bib)."""

from __future__ import annotations

from dataclasses import dataclass

from imgclf.table import Table


@dataclass(frozen=True)
class DatasetFacts:
    """One data set as its paper or official site describes it.

    Attributes:
        image_size: typical height x width in pixels ("variable" where images differ).
        images: the labelled images of the standard release, train + validation/test.
        tasks: what it is used to benchmark.
        citation: the bibtex key in book/references.bib.
    """

    name: str
    year: int
    image_size: str
    colour: bool
    classes: int
    images: int
    tasks: str
    citation: str


DATASETS: tuple[DatasetFacts, ...] = (
    DatasetFacts("MNIST", 1998, "28x28", False, 10, 70_000, "classification", "lecun1998"),
    DatasetFacts("Fashion-MNIST (used here)", 2017, "28x28", False, 10, 70_000,
                 "classification", "xiao2017fashion"),
    DatasetFacts("CIFAR-10", 2009, "32x32", True, 10, 60_000, "classification",
                 "krizhevsky2009cifar"),
    DatasetFacts("CIFAR-100", 2009, "32x32", True, 100, 60_000, "classification",
                 "krizhevsky2009cifar"),
    DatasetFacts("SVHN", 2011, "32x32", True, 10, 99_289, "classification (digits)",
                 "netzer2011svhn"),
    DatasetFacts("STL-10", 2011, "96x96", True, 10, 13_000,
                 "classification (+100,000 unlabelled)", "coates2011stl10"),
    DatasetFacts("PASCAL VOC 2012", 2012, "variable (about 500x375)", True, 20, 11_540,
                 "classification, detection, segmentation", "everingham2010pascal"),
    DatasetFacts("ImageNet (ILSVRC 2012)", 2012, "variable (about 400x350)", True, 1000,
                 1_331_167, "classification, localisation", "russakovsky2015imagenet"),
    DatasetFacts("COCO 2017", 2014, "variable (about 640x480)", True, 80, 123_287,
                 "detection, segmentation, captions", "lin2014coco"),
)


def table() -> Table:
    """The data sets as a table, smallest images first."""
    return Table.of(
        ["data set", "year", "image size", "colour", "classes", "labelled images", "tasks"],
        [
            (d.name, str(d.year), d.image_size, "yes" if d.colour else "grey", d.classes,
             d.images, d.tasks)
            for d in DATASETS
        ],
        caption="Image data sets for classification and beyond",
    )


@dataclass(frozen=True)
class ChallengeResult:
    """The winning classification entry of one ILSVRC year: top-5 error on the test set."""

    year: int
    team: str
    network: str
    top5_error: float
    citation: str


#: Winners of ILSVRC's classification task (test top-5 error): Russakovsky et al. (2015) for
#: 2010-2014, the winners' papers and the challenge's published results for 2015-2017.
ILSVRC_WINNERS: tuple[ChallengeResult, ...] = (
    ChallengeResult(2010, "NEC-UIUC", "SIFT/LBP features + SVMs", 0.282,
                    "russakovsky2015imagenet"),
    ChallengeResult(2011, "XRCE", "Fisher vectors + SVMs", 0.258, "russakovsky2015imagenet"),
    ChallengeResult(2012, "SuperVision", "AlexNet", 0.153, "krizhevsky2012alexnet"),
    ChallengeResult(2013, "Clarifai", "ZFNet-style CNN", 0.117, "zeiler2014visualizing"),
    ChallengeResult(2014, "GoogLeNet", "GoogLeNet (Inception v1)", 0.0667,
                    "szegedy2014googlenet"),
    ChallengeResult(2015, "MSRA", "ResNet (ensemble)", 0.0357, "he2015resnet"),
    ChallengeResult(2016, "Trimps-Soushen", "ensemble of Inception/ResNet models", 0.0299,
                    "ilsvrc2016results"),
    ChallengeResult(2017, "WMW", "Squeeze-and-Excitation networks", 0.0225, "hu2018senet"),
)
#: Andrej Karpathy's own top-5 error on 1,500 ILSVRC test images (Russakovsky et al., 2015).
HUMAN_TOP5_ERROR_IMAGENET = 0.051
#: Accuracy of people on Fashion-MNIST (zalandoresearch/fashion-mnist benchmark table).
HUMAN_ACCURACY_FASHION_MNIST = 0.835


def ilsvrc_table() -> Table:
    """The ILSVRC winners by year, with their top-5 error."""
    return Table.of(["year", "team", "network", "top-5 error"],
                    [(str(r.year), r.team, r.network, f"{r.top5_error:.1%}")
                     for r in ILSVRC_WINNERS],
                    caption="ILSVRC classification winners")
