"""Every network of imgclf.models: parameters, multiply-adds and CPU forward time of one batch.

    python benchmarks/models.py [--batch 8] [--repeats 3] [NAME ...]

Each network is built at its native input size (the published one), run once to compile,
then timed over `--repeats` forward passes of one batch of random images (median reported).
Prints a Markdown table, and the machine and versions it ran on.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from imgclf import analysis, hardware, models


def measure(name: str, batch: int, repeats: int) -> tuple:
    started = time.perf_counter()
    model = models.get(name)
    build_s = time.perf_counter() - started
    totals = analysis.totals(model)
    images = np.random.default_rng(0).random((batch, *model.input_shape[1:])).astype("float32")
    model.predict_on_batch(images)  # compile
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.predict_on_batch(images)
        times.append(time.perf_counter() - started)
    seconds = statistics.median(times)
    size = "x".join(str(d) for d in model.input_shape[1:])
    return (name, size, totals.parameters, totals.multiply_adds / 1e6,
            analysis.weighted_depth(model), build_s, seconds * 1e3, batch / seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=models.names(), metavar="NAME")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{hardware.summary()}; batch {args.batch}, median of {args.repeats}\n")
    print("| network | input | parameters | MMACs/image | depth | build s | forward ms "
          "| images/s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name in args.names:
        row = measure(name, args.batch, args.repeats)
        print("| {} | {} | {:,} | {:,.1f} | {} | {:.1f} | {:,.0f} | {:,.1f} |".format(*row),
              flush=True)


if __name__ == "__main__":
    main()
