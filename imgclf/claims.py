"""Sentences that say which experiment came out ahead, written from a run's own numbers.

A chapter states the lecture's claim, then prints what its run shows with one of these, so
that a run which reverses an ordering (another profile, data set or seed) changes the
sentence instead of contradicting the text around it.
"""

from __future__ import annotations

from collections.abc import Mapping

from imgclf import _validate as check

TRANSFER_METHODS = ("fine-tuning", "feature extraction", "from scratch")  # best first, as claimed


def _rate(name: str, values: Mapping, key) -> float:
    if key not in values:
        raise KeyError(f"{name} has no {key!r}; it has "
                       f"{', '.join(map(repr, values)) or 'nothing'}")
    return check.number(f"{name}[{key!r}]", values[key], low=0, high=1)


def degradation(training_error: Mapping[str, float], shallow: int, deep: int) -> str:
    """What a run of the paper's Figure 6 experiment shows, in two sentences.

    Args:
        training_error: final training error (a fraction, 0 to 1) by network name, with
            "plain{shallow}", "plain{deep}", "resnet{shallow}" and "resnet{deep}".
        shallow, deep: the two depths, shallow < deep.

    Raises:
        KeyError: a network missing from `training_error`.
        ValueError: depths not in order, or an error outside [0, 1].
    """
    shallow = check.integer("shallow", shallow, minimum=1)
    deep = check.integer("deep", deep, minimum=shallow + 1)
    check.mapping("training_error", training_error)
    plain_shallow, plain_deep, res_shallow, res_deep = (
        _rate("training_error", training_error, f"{kind}{depth}")
        for kind in ("plain", "resnet") for depth in (shallow, deep))
    if plain_deep > plain_shallow:
        first = (f"The deeper plain network ended with the higher training error (plain-{deep} "
                 f"{plain_deep:.1%}, plain-{shallow} {plain_shallow:.1%}): this run shows the "
                 f"degradation of the paper's Figure 6.")
    else:
        first = (f"The deeper plain network did not end with the higher training error "
                 f"(plain-{deep} {plain_deep:.1%}, plain-{shallow} {plain_shallow:.1%}): this "
                 f"run does not show the degradation of the paper's Figure 6.")
    below_plain = res_deep < plain_deep
    below_shallow = res_deep < res_shallow
    second = (f"ResNet-{deep} ended {'below' if below_plain else 'no lower than'} plain-{deep} "
              f"({res_deep:.1%} against {plain_deep:.1%}) and "
              f"{'below' if below_shallow else 'no lower than'} ResNet-{shallow} "
              f"({res_shallow:.1%})")
    if below_plain and below_shallow:
        second += ": with shortcuts, the deeper network is the better one, as in the paper."
    else:
        second += (": unlike the paper, the shortcuts did not make the deeper network the "
                   "better one here.")
    return f"{first} {second}"


def transfer(accuracy: Mapping[str, Mapping[int, float]]) -> str:
    """What a few-label comparison shows: at each number of labels per class, whether
    fine-tuning beat feature extraction and feature extraction beat training from scratch
    (the lecture's order), in one sentence per count; then, with training from scratch and
    two counts or more, whether fine-tuning's lead over it narrowed from the fewest labels to
    the most.

    Args:
        accuracy: test accuracy (0 to 1) by method, then by labelled images per class
            (`imgclf.transfer.accuracy_by_count`); methods "fine-tuning", "feature
            extraction" and, optionally, "from scratch".

    Raises:
        KeyError: fine-tuning or feature extraction missing, or a count one method lacks.
        ValueError: an accuracy outside [0, 1].
    """
    check.mapping("accuracy", accuracy)
    methods = [m for m in TRANSFER_METHODS if m in accuracy]
    for required in TRANSFER_METHODS[:2]:
        if required not in accuracy:
            raise KeyError(f"accuracy has no {required!r}; it has "
                           f"{', '.join(map(repr, accuracy))}")
    counts = sorted(accuracy[methods[0]])
    sentences = []
    for count in counts:
        at = {m: _rate(f"accuracy[{m!r}]", accuracy[m], count) for m in methods}
        ranked = sorted(methods, key=at.get, reverse=True)
        shown = ", ".join(f"{m} {at[m]:.1%}" for m in ranked)
        as_claimed = ranked == methods
        verdict = "the order the lecture claims" if as_claimed else "not the lecture's order"
        sentences.append(f"With {count} labelled image{'s' if count != 1 else ''} per class: "
                         f"{shown}; {verdict}.")
    if "from scratch" in methods and len(counts) > 1:
        fewest, most = counts[0], counts[-1]
        gaps = [accuracy["fine-tuning"][n] - accuracy["from scratch"][n] for n in (fewest, most)]
        narrows = gaps[1] < gaps[0]
        sentences.append(
            f"Fine-tuning led training from scratch by {100 * gaps[0]:.1f} points at {fewest} "
            f"and by {100 * gaps[1]:.1f} at {most} labelled images per class: "
            + ("the gap narrows as labels grow, as the lecture says." if narrows else
               "the gap did not narrow as labels grew, unlike the lecture's claim."))
    return " ".join(sentences)
