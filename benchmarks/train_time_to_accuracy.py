"""Time to accuracy on full Fashion-MNIST through imgclf.train, the course's one training path.

    python benchmarks/train_time_to_accuracy.py --setup cpu     # laptop CPU, TensorFlow
    KERAS_BACKEND=jax python benchmarks/train_time_to_accuracy.py --setup gpu   # one GPU, JAX

cpu: a VGG-style network without batch normalisation (`models.VGGSmall`: a block of one 3x3
     convolution of 32 filters, a block of two of 64, a dense layer of 512 units; 1.67M
     parameters), which `imgclf.fastest` trains in bfloat16 where the CPU has bfloat16
     instructions; 6 epochs on all 60,000 training images, batch 128, label smoothing 0.1, no
     augmentation. Target >= 93.0% test accuracy within 90 s *scaled*: the wall seconds at the
     development machine's speed (wall x the reference calibration / this machine's,
     `imgclf.hardware.calibrate`), so that a slower machine does not fail the code. The
     calibration is the mean of one taken before the clock starts and one after it stops, as
     for a chapter (`imgclf.course.execute.around`). On the shared 2-core development machine
     a reading ranged from 0.107 to 0.164 s within an hour, so the scaled seconds of one run
     are rough by about that ratio (benchmarks/RESULTS.md).
gpu: resnet_compact widened to (96, 192, 384), 18 epochs, batch 512, augmentation, label
     smoothing, bfloat16; target >= 95.0% within 60 s wall, compilation included.

Wall time runs from loading the data to the end of the test evaluation. Prints one JSON line
with the machine, versions, seconds (wall, and scaled where the calibration compares: on
TensorFlow without a GPU), images/s, accuracy and whether the targets were met.
"""

from __future__ import annotations

import argparse
import json
import time

import keras

from imgclf import data, hardware, models, profiles, train
from imgclf.course import execute
from imgclf.course.records import REFERENCE_BACKEND, REFERENCE_CALIBRATION_S

SETUPS = {
    "cpu": {"network": ("vgg_small", lambda shape, classes: models.VGGSmall(
                shape, classes, blocks=((32, 1), (64, 2)), dense_units=(512,), dropout=0.3)),
            "target": 0.93, "seconds": 90, "scaled": True,
            "train": {"epochs": 6, "batch_size": 128, "augment": False,
                      "label_smoothing": 0.1, "validation_split": 0.0}},
    "gpu": {"network": ("resnet_compact(96, 192, 384)", lambda shape, classes:
                        models.CompactResNet((96, 192, 384), shape, classes)),
            "target": 0.95, "seconds": 60,
            "train": {"epochs": 18, "batch_size": 512, "augment": True, "padding": 2,
                      "label_smoothing": 0.1, "bn_momentum": 0.9, "mixed_precision": True,
                      "peak_learning_rate": 4e-3}},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", choices=SETUPS, required=True)
    parser.add_argument("--seed", type=int, default=0,
                        help="the training's seed (its weights, order and dropout; default 0)")
    parser.add_argument("--smoke", action="store_true",
                        help="check the script on the shipped sample in seconds (no target)")
    args = parser.parse_args()
    setup = SETUPS[args.setup]
    before = hardware.calibrate()
    comparable = (keras.config.backend() == REFERENCE_BACKEND
                  and not hardware.gpu_available())
    started = time.perf_counter()
    dataset = data.load("sample" if args.smoke else "fashion_mnist")
    changes = dict(setup["train"], verbose=2, seed=args.seed)
    if args.smoke:
        changes.update(epochs=1, batch_size=64, mixed_precision=False)
    cfg = train.config(profiles.resolve("quick"), **changes)
    name, build = setup["network"]
    trained = train.fit(lambda: build(dataset.image_shape, dataset.num_classes), dataset, cfg,
                        name=name, devices="none")
    wall = time.perf_counter() - started
    calibrated = execute.around(before, hardware.calibrate())
    calibration = calibrated["seconds"]
    scaled = wall * REFERENCE_CALIBRATION_S / calibration if comparable else None
    judged = scaled if setup.get("scaled") else wall
    if judged is None:
        raise SystemExit(f"--setup {args.setup} is judged on scaled seconds, which need "
                         f"{REFERENCE_BACKEND} without a GPU (the reference calibration's)")
    record = trained.record
    print(json.dumps({
        "benchmark": f"fashion_mnist time to accuracy ({args.setup})", "smoke": args.smoke,
        "network": name,
        "machine": hardware.summary(), "versions": record["versions"],
        "parameters": record["parameters"], "epochs": record["epochs"],
        "batch_size": cfg.batch_size, "seed": cfg.seed, "wall_seconds": round(wall, 1),
        "calibration_seconds": calibration, "calibrations_before_after": calibrated["readings"],
        "reference_calibration_seconds":
            REFERENCE_CALIBRATION_S, "scaled_seconds": scaled and round(scaled, 1),
        "precision": record["precision"],
        "fit_seconds": record["seconds"], "images_per_second": record["images_per_second"],
        "test_accuracy": round(record["test_accuracy"], 4), "jit_compile": record["jit_compile"],
        "targets": {"accuracy": setup["target"], "seconds": setup["seconds"],
                    "seconds_are": "scaled" if setup.get("scaled") else "wall"},
        "met": record["test_accuracy"] >= setup["target"] and judged <= setup["seconds"],
    }))


if __name__ == "__main__":
    main()
