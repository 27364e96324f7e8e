"""imgclf.table and imgclf.catalog: tables shown as Markdown in notebooks and as text elsewhere."""

from __future__ import annotations

import pytest

from imgclf import catalog
from imgclf.table import Table

# The same on every Keras backend: `make test-jax` leaves it to the TensorFlow pass.
pytestmark = pytest.mark.backend_independent


def test_markdown_and_text():
    table = Table.of(["layer", "parameters"], [("conv", 7240), ("dense", 0.5)], caption="Counts")
    assert table._repr_markdown_() == (
        "**Counts**\n\n| layer | parameters |\n|---|---|\n| conv | 7,240 |\n| dense | 0.5 |")
    assert str(table).splitlines() == [
        "Counts", "layer  parameters", "-----  ----------", "conv   7,240", "dense  0.5"]


def test_rows_must_fit_the_columns():
    with pytest.raises(ValueError, match="has 1 cells, the table 2"):
        Table.of(["a", "b"], [("only one",)])


def test_catalog_lists_the_data_sets():
    names = [d.name for d in catalog.DATASETS]
    for expected in ("CIFAR-10", "CIFAR-100", "STL-10", "SVHN", "PASCAL VOC 2012",
                     "ImageNet (ILSVRC 2012)", "COCO 2017", "Fashion-MNIST (used here)"):
        assert expected in names
    assert len(catalog.table().rows) == len(names)


def test_ilsvrc_winners():
    years = [r.year for r in catalog.ILSVRC_WINNERS]
    assert years == list(range(2010, 2018))
    errors = [r.top5_error for r in catalog.ILSVRC_WINNERS]
    assert errors == sorted(errors, reverse=True)
    assert dict(zip(years, errors, strict=True))[2012] == 0.153
    assert len(catalog.ilsvrc_table().rows) == 8
