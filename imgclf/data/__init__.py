"""Data sets: `load(name)` finds, verifies and reads them; `obtain(name)` prefetches them.

    >>> data = imgclf.data.load("sample")
    >>> data.x_train.shape, data.class_names[0]
    ((1200, 28, 28, 1), 'T-shirt/top')
"""

from imgclf.data.dataset import Dataset, stratified_indices
from imgclf.data.formats import CorruptDataError
from imgclf.data.load import load, obtain, sample_path
from imgclf.data.registry import names, spec
from imgclf.data.sources import DATA_DIR_VARIABLE, DataNotFoundError, places

__all__ = [
    "DATA_DIR_VARIABLE", "CorruptDataError", "DataNotFoundError", "Dataset", "load", "names",
    "obtain", "places", "sample_path", "spec", "stratified_indices",
]
