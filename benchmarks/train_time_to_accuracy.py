"""Time to accuracy on full Fashion-MNIST through imgclf.train, the course's one training path.

    python benchmarks/train_time_to_accuracy.py --setup cpu     # laptop CPU, TensorFlow
    KERAS_BACKEND=jax python benchmarks/train_time_to_accuracy.py --setup gpu   # one GPU, JAX

cpu: resnet_compact (309k parameters), 3 epochs, batch 128, no augmentation; target >= 93.0%
     test accuracy within 90 s *scaled*: the wall seconds at the development machine's speed
     (wall x the reference calibration / this machine's, `imgclf.hardware.calibrate`, measured
     before the clock starts), so that a slower machine does not fail the code.
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
from imgclf.course.records import REFERENCE_BACKEND, REFERENCE_CALIBRATION_S

SETUPS = {
    "cpu": {"widths": (32, 64, 128), "target": 0.93, "seconds": 90, "scaled": True,
            "train": {"epochs": 3, "batch_size": 128, "augment": False}},
    "gpu": {"widths": (96, 192, 384), "target": 0.95, "seconds": 60,
            "train": {"epochs": 18, "batch_size": 512, "augment": True, "padding": 2,
                      "label_smoothing": 0.1, "bn_momentum": 0.9, "mixed_precision": True,
                      "peak_learning_rate": 4e-3}},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", choices=SETUPS, required=True)
    parser.add_argument("--smoke", action="store_true",
                        help="check the script on the shipped sample in seconds (no target)")
    args = parser.parse_args()
    setup = SETUPS[args.setup]
    calibration = hardware.calibrate()["seconds"]
    comparable = (keras.config.backend() == REFERENCE_BACKEND
                  and not hardware.gpu_available())
    started = time.perf_counter()
    dataset = data.load("sample" if args.smoke else "fashion_mnist")
    changes = dict(setup["train"], verbose=2)
    if args.smoke:
        changes.update(epochs=1, batch_size=64, mixed_precision=False)
    cfg = train.config(profiles.resolve("quick"), **changes)
    trained = train.fit(lambda: models.CompactResNet(setup["widths"], dataset.image_shape,
                                                     dataset.num_classes),
                        dataset, cfg, name=f"resnet_compact{setup['widths']}", devices="none")
    wall = time.perf_counter() - started
    scaled = wall * REFERENCE_CALIBRATION_S / calibration if comparable else None
    judged = scaled if setup.get("scaled") else wall
    if judged is None:
        raise SystemExit(f"--setup {args.setup} is judged on scaled seconds, which need "
                         f"{REFERENCE_BACKEND} without a GPU (the reference calibration's)")
    record = trained.record
    print(json.dumps({
        "benchmark": f"fashion_mnist time to accuracy ({args.setup})", "smoke": args.smoke,
        "machine": hardware.summary(), "versions": record["versions"],
        "parameters": record["parameters"], "epochs": record["epochs"],
        "batch_size": cfg.batch_size, "wall_seconds": round(wall, 1),
        "calibration_seconds": calibration, "reference_calibration_seconds":
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
