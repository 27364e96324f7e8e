"""Make imgclf/data/sample.npz: a stratified real subset of Fashion-MNIST, shipped in the package.

    python scripts/make_sample.py            # reads the official files (see imgclf.data.load)
    python scripts/make_sample.py --check    # rebuilds in memory, compares with the shipped file

The output is byte-for-byte reproducible (fixed seed, fixed zip timestamps), so its sha256,
recorded in imgclf/data/registry.py, proves the shipped file is exactly what this script makes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import zipfile

import numpy as np

from imgclf.atomic import write_bytes
from imgclf.data import load, sample_path, spec, stratified_indices

TRAIN_PER_CLASS = 120
TEST_PER_CLASS = 30
SEED = 2012  # the year of AlexNet


def sample_bytes() -> bytes:
    """The npz archive of the sample, as bytes."""
    source = load("fashion_mnist", download=False)
    rng = np.random.default_rng(SEED)
    train = stratified_indices(source.y_train, TRAIN_PER_CLASS * source.num_classes, rng)
    test = stratified_indices(source.y_test, TEST_PER_CLASS * source.num_classes, rng)
    arrays = {
        "x_train": source.x_train[train, ..., 0], "y_train": source.y_train[train].astype(np.uint8),
        "x_test": source.x_test[test, ..., 0], "y_test": source.y_test[test].astype(np.uint8),
        "train_index": train.astype(np.int32), "test_index": test.astype(np.int32),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for key, array in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array))
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file")
    args = parser.parse_args()
    data = sample_bytes()
    digest = hashlib.sha256(data).hexdigest()
    recorded = spec("sample").files[0].sha256
    if args.check:
        shipped = hashlib.sha256(sample_path().read_bytes()).hexdigest()
        print(f"rebuilt {digest}\nshipped {shipped}\nregistry {recorded}")
        return 0 if digest == shipped == recorded else 1
    target = write_bytes(sample_path(), data)
    print(f"wrote {target}: {len(data):,} bytes, sha256 {digest}")
    if digest != recorded:
        print("record this sha256 in imgclf/data/registry.py (DataSpec 'sample')", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
