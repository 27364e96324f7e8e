"""Data sets: `load(name)` finds, verifies and reads them; `download(name)` fetches them ahead
(for machines without network: `python -m imgclf download NAME --to DIR`).

    >>> data = imgclf.data.load("sample")
    >>> data.x_train.shape, data.class_names[0]
    ((1200, 28, 28, 1), 'T-shirt/top')
"""

from imgclf.data.dataset import Dataset, scale, stratified_indices
from imgclf.data.formats import CorruptDataError
from imgclf.data.load import download, load, sample_path
from imgclf.data.registry import names, spec
from imgclf.data.sources import DATA_DIR_VARIABLE, DataNotFoundError, places

__all__ = [
    "DATA_DIR_VARIABLE", "CorruptDataError", "DataNotFoundError", "Dataset", "download", "load",
    "names", "places", "sample_path", "scale", "spec", "stratified_indices",
]
