"""Which way of training the course's small networks is fastest on this CPU, by measurement.

    python benchmarks/cpu_paths.py           # the table: about 15 minutes on 2 cores
    python benchmarks/cpu_paths.py --smoke   # the shipped sample, one network: seconds
    python benchmarks/cpu_paths.py --batch-norm   # fused against Keras's batch norm: 10 min

Each path is one way to run the same training: the Keras backend (TensorFlow or JAX), the
precision (float32, or mixed bfloat16 on CPUs with bfloat16 instructions), XLA compilation, the
input pipeline (uint8 arrays scaled inside the graph as `imgclf.train` does; float32 arrays
scaled beforehand, as a notebook's own `model.fit` does; a `tf.data` pipeline with prefetch),
TensorFlow's inter-op threads, the batch size, and the batch normalisation: TensorFlow's fused
kernel (`imgclf.models.BatchNormalization`, what the networks are built with) or Keras's own
layer, which normalises in separate operations. A backend is fixed when Keras is imported,
so each backend and thread setting runs in its own process.

Every training: the network as the chapters build it, images as uint8 scaled by a Rescaling
layer, AdamW with warm-up and cosine decay (`imgclf.schedules`), BatchNorm momentum 0.9
(as `imgclf.train`), `EPOCHS` epochs on `IMAGES` Fashion-MNIST training images. Reported:
images/s (the median of the epochs after the first), the first epoch's extra seconds
(compilation and tracing), and the test accuracy on 10,000 images after the last epoch.
The main comparison (the default path against bfloat16) runs `ROUNDS` times, interleaved,
because this machine's speed drifts within minutes; the table gives the median of the rounds.
The calibration figure (`imgclf.hardware.calibrate`) is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

IMAGES, EPOCHS, ROUNDS, BATCH = 12_000, 3, 2, 128

#: The chapters' networks, as they build them (Fashion-MNIST, 28x28x1, 10 classes), each a
#: function of `imgclf.models` (imported in the child, once its backend is set) and the shape.
NETWORKS = {
    "small_cnn": lambda models, shape: models.small_cnn(shape, 10),
    "four_layer_cnn": lambda models, shape: models.four_layer_cnn(shape, 10),
    "deep_mlp": lambda models, shape: models.deep_mlp(shape, 10),
    "alexnet_small": lambda models, shape: models.AlexNetSmall(shape, 10),
    "vgg_small": lambda models, shape: models.VGGSmall(shape, 10),
    "resnet_compact": lambda models, shape: models.CompactResNet((32, 64, 128), shape, 10),
    "plain8": lambda models, shape: models.CifarResNet(8, shape, 10, shortcut="plain"),
    "resnet20": lambda models, shape: models.CifarResNet(20, shape, 10),
    "mini_inception": lambda models, shape: models.MiniInception(shape, 10),
    "plain_cnn": lambda models, shape: models.plain_cnn(shape, 10),
    "mini_xception": lambda models, shape: models.MiniXception(shape, 10),
}
#: Networks on which the paths beyond precision are tried: a small CNN with batch
#: normalisation, a residual network, and one without batch normalisation (AlexNet's design).
FEW = ("small_cnn", "resnet_compact", "alexnet_small")

#: The networks with batch normalisation, on which `--batch-norm` compares the two layers.
WITH_BATCH_NORM = ("small_cnn", "resnet_compact", "plain8", "resnet20", "mini_inception",
                   "plain_cnn", "mini_xception")

BASE = {"backend": "tensorflow", "precision": "float32", "jit": False, "pipeline": "uint8",
        "inter_threads": None, "batch": BATCH, "batch_norm": "fused"}


def paths() -> list[dict]:
    """Every (path, network, round) to run, each path a change to `BASE`."""
    runs = []
    for round_ in range(ROUNDS):
        for network in NETWORKS:
            for precision in ("float32", "mixed_bfloat16"):
                runs.append({**BASE, "precision": precision, "network": network,
                             "round": round_})
    others = [{"jit": True}, {"backend": "jax"}, {"backend": "jax", "precision": "mixed_bfloat16"},
              {"pipeline": "float32"}, {"pipeline": "tf.data"}, {"inter_threads": 1},
              {"batch": 256}, {"batch": 64}]
    for change in others:
        for network in FEW:
            runs.append({**BASE, **change, "network": network, "round": 0})
    return runs


def batch_norm_paths() -> list[dict]:
    """The fused kernel against Keras's layer on every network with batch normalisation,
    float32, `ROUNDS` interleaved rounds; and the fused kernel in mixed bfloat16, one round."""
    runs = [{**BASE, "batch_norm": layer, "network": network, "round": round_}
            for round_ in range(ROUNDS) for network in WITH_BATCH_NORM
            for layer in ("keras", "fused")]
    return runs + [{**BASE, "precision": "mixed_bfloat16", "network": network, "round": 0}
                   for network in WITH_BATCH_NORM]


def with_keras_batch_norm(keras, network):
    """`network` with each fused batch normalisation replaced by Keras's own layer, same
    configuration (a fresh copy; the weights are initialised anew)."""
    from imgclf.models import BatchNormalization

    def clone(layer):
        kind = (keras.layers.BatchNormalization if isinstance(layer, BatchNormalization)
                else type(layer))
        return kind.from_config(layer.get_config())

    return keras.models.clone_model(network, clone_function=clone)


def _EpochTimer(keras):
    """A Keras callback whose `seconds` lists each epoch's wall seconds."""

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.started)

    return EpochTimer()


def _child(jobs: list[dict], images: int, epochs: int, dataset_name: str) -> None:
    """Run `jobs` (all of one backend and thread setting) in this process; one JSON line each."""
    first = jobs[0]
    os.environ["KERAS_BACKEND"] = first["backend"]
    if first["backend"] == "tensorflow" and first["inter_threads"]:
        import tensorflow as tf

        tf.config.threading.set_inter_op_parallelism_threads(first["inter_threads"])
    import keras

    from imgclf import data, hardware, models
    from imgclf.schedules import warmup_cosine

    full = data.load(dataset_name)
    sample = full.subset(min(images, len(full.x_train)), None, seed=0)
    shape = sample.image_shape
    print(json.dumps({"calibration": hardware.calibrate()["seconds"]}), flush=True)
    for job in jobs:
        keras.utils.set_random_seed(0)
        keras.mixed_precision.set_global_policy(job["precision"])
        network = NETWORKS[job["network"]](models, shape)
        if job["batch_norm"] == "keras":
            network = with_keras_batch_norm(keras, network)
        keras.mixed_precision.set_global_policy("float32")
        for layer in network.layers:
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.momentum = 0.9
        scaled_outside = job["pipeline"] == "float32"
        inputs = keras.Input(shape, dtype="float32" if scaled_outside else "uint8")
        x = inputs if scaled_outside else keras.layers.Rescaling(1 / 255)(inputs)
        model = keras.Model(inputs, network(x))
        steps = epochs * -(-len(sample.x_train) // job["batch"])
        model.compile(optimizer=keras.optimizers.AdamW(warmup_cosine(steps), weight_decay=5e-4),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      jit_compile=job["jit"] if job["backend"] == "tensorflow" else "auto")
        x_train, x_test = sample.x_train, full.x_test
        if scaled_outside:
            x_train, x_test = data.scale(x_train), data.scale(x_test)
        timer = _EpochTimer(keras)
        if job["pipeline"] == "tf.data":
            import tensorflow as tf

            train = (tf.data.Dataset.from_tensor_slices((x_train, sample.y_train))
                     .shuffle(len(x_train), seed=0).batch(job["batch"])
                     .prefetch(tf.data.AUTOTUNE))
            model.fit(train, epochs=epochs, verbose=0, callbacks=[timer])
        else:
            model.fit(x_train, sample.y_train, batch_size=job["batch"], epochs=epochs, verbose=0,
                      callbacks=[timer])
        _, accuracy = model.evaluate(x_test, full.y_test, batch_size=256, verbose=0)
        times = timer.seconds
        steady = statistics.median(times[1:]) if len(times) > 1 else times[0]
        print(json.dumps({**job, "images_per_second": round(len(x_train) / steady, 1),
                          "first_epoch_extra_s": round(times[0] - steady, 2),
                          "test_accuracy": round(float(accuracy), 4),
                          "parameters": network.count_params()}), flush=True)


def _run_groups(runs: list[dict], images: int, epochs: int,
                dataset_name: str) -> tuple[list[dict], list[float]]:
    """Run `runs` in one child process per (backend, threads, round), in order."""
    results, calibrations = [], []
    groups: dict[tuple, list[dict]] = {}
    for run in runs:
        groups.setdefault((run["backend"], run["inter_threads"], run["round"]), []).append(run)
    for (backend, threads, round_), jobs in groups.items():
        print(f"# {backend}, inter-op threads {threads or 'default'}, round {round_ + 1}: "
              f"{len(jobs)} trainings", file=sys.stderr, flush=True)
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        child = subprocess.run(
            [sys.executable, __file__, "--child", json.dumps(jobs), "--images", str(images),
             "--epochs", str(epochs), "--dataset", dataset_name],
            env=env, capture_output=True, text=True, check=False)
        if child.returncode:
            raise SystemExit(f"the {backend} process failed:\n{child.stderr[-3000:]}")
        for line in child.stdout.splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                (calibrations.append(row["calibration"]) if "calibration" in row
                 else results.append(row))
    return results, calibrations


def describe(row: dict) -> str:
    """The path of `row` in words: what differs from the default."""
    words = [row["backend"], row["precision"]]
    if row["jit"]:
        words.append("XLA")
    if row["pipeline"] != "uint8":
        words.append({"float32": "float32 arrays (scaled before)",
                      "tf.data": "tf.data + prefetch"}[row["pipeline"]])
    if row["inter_threads"]:
        words.append(f"inter-op threads {row['inter_threads']}")
    if row["batch"] != BATCH:
        words.append(f"batch {row['batch']}")
    if row["batch_norm"] == "keras":
        words.append("Keras batch norm")
    return ", ".join(words)


def table(results: list[dict]) -> str:
    """A Markdown table: one row per path and network, the median over rounds."""
    merged: dict[tuple, list[dict]] = {}
    for row in results:
        merged.setdefault((describe(row), row["network"]), []).append(row)
    lines = ["| path | network | images/s | first epoch extra s | test accuracy | rounds |",
             "|---|---|---:|---:|---:|---:|"]
    for (path, network), rows in merged.items():
        median = {key: statistics.median(row[key] for row in rows)
                  for key in ("images_per_second", "first_epoch_extra_s", "test_accuracy")}
        lines.append(f"| {path} | {network} | {median['images_per_second']:,.0f} | "
                     f"{median['first_epoch_extra_s']:.1f} | {median['test_accuracy']:.4f} | "
                     f"{len(rows)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true",
                        help="the shipped sample, small_cnn, two paths (checks the script)")
    parser.add_argument("--batch-norm", action="store_true",
                        help="only the fused batch normalisation against Keras's layer")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--images", type=int, default=IMAGES, help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=argparse.SUPPRESS)
    parser.add_argument("--dataset", default="fashion_mnist", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(json.loads(args.child), args.images, args.epochs, args.dataset)
        return
    if args.smoke:
        runs = [{**BASE, "precision": p, "network": "small_cnn", "round": 0}
                for p in ("float32", "mixed_bfloat16")]
        dataset_name, images, epochs = "sample", 200, 2
    else:
        runs = batch_norm_paths() if args.batch_norm else paths()
        dataset_name, images, epochs = "fashion_mnist", args.images, args.epochs
    started = time.perf_counter()
    results, calibrations = _run_groups(runs, images, epochs, dataset_name)
    from imgclf import hardware

    machine = hardware.describe()
    print(f"{machine['cpu']} ({machine['cpu_cores']} cores; flags: "
          f"{', '.join(machine['cpu_flags'])}); {images:,} {dataset_name} images, {epochs} "
          f"epochs; calibration {min(calibrations):.4f}-{max(calibrations):.4f} s over "
          f"{len(calibrations)} processes; {time.perf_counter() - started:.0f} s in all\n")
    print(table(results))
    print("\n" + json.dumps({"results": results, "calibrations": calibrations}))


if __name__ == "__main__":
    main()
