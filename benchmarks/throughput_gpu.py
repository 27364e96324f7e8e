"""Training throughput of imgclf's ResNet-50 beside torchvision's, on the same GPU in one run.

    KERAS_BACKEND=jax python benchmarks/throughput_gpu.py            # one H100/H200 (bf16)
    KERAS_BACKEND=jax python benchmarks/throughput_gpu.py --smoke    # the code path, on a CPU

Keras: imgclf.models.ResNet50 in mixed_bfloat16, SGD with momentum, jit-compiled `fit` on
224x224 images already on the device. PyTorch: torchvision resnet50 with bf16 autocast and
channels_last. Both: batch 256, warm-up steps first, then timed steps. Prints one JSON line:
images/s of each and their ratio (target: imgclf >= 1.0x torchvision).
"""

from __future__ import annotations

import argparse
import json
import time

import keras
import numpy as np

from imgclf import hardware, models


class RepeatedBatch(keras.utils.PyDataset):
    """The same batch `steps` times: measures the training step, not the input pipeline."""

    def __init__(self, x, y, steps):
        super().__init__()
        self.x, self.y, self.steps = x, y, steps

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        return self.x, self.y


def on_device(array):
    """The array on the accelerator (JAX), so that no step waits for a host-to-device copy."""
    if keras.config.backend() == "jax":
        import jax

        return jax.device_put(array)
    return array


def keras_images_per_second(batch, size, warmup, steps, bf16):
    if bf16:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    model = models.ResNet50(input_shape=(size, size, 3), num_classes=1000)
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy", jit_compile=True)
    rng = np.random.default_rng(0)
    x = on_device(rng.random((batch, size, size, 3), dtype=np.float32))
    y = on_device(rng.integers(0, 1000, (batch,)))
    model.fit(RepeatedBatch(x, y, warmup), epochs=1, verbose=0)  # compile
    started = time.perf_counter()
    model.fit(RepeatedBatch(x, y, steps), epochs=1, verbose=0)
    return batch * steps / (time.perf_counter() - started)


def torch_images_per_second(batch, size, warmup, steps):
    import torch
    import torchvision

    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = torchvision.models.resnet50().to(device).to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = torch.randn(batch, 3, size, size, device=device).to(memory_format=torch.channels_last)
    y = torch.randint(0, 1000, (batch,), device=device)

    def step():
        with torch.autocast(device, dtype=torch.bfloat16):
            loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    for _ in range(warmup):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(steps):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    return batch * steps / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, float32, no torch")
    args = parser.parse_args()
    if args.smoke:
        args.batch, args.size, args.warmup, args.steps = 2, 64, 1, 2
    result = {"benchmark": "ResNet-50 training throughput", "machine": hardware.summary(),
              "versions": hardware.versions(), "batch": args.batch, "size": args.size,
              "steps": args.steps, "smoke": args.smoke}
    result["imgclf_images_per_second"] = round(keras_images_per_second(
        args.batch, args.size, args.warmup, args.steps, bf16=not args.smoke), 1)
    if not args.smoke:
        try:
            result["torchvision_images_per_second"] = round(torch_images_per_second(
                args.batch, args.size, args.warmup, args.steps), 1)
            result["ratio"] = round(result["imgclf_images_per_second"]
                                    / result["torchvision_images_per_second"], 3)
        except ImportError as error:
            result["torchvision_images_per_second"] = f"not measured: {error}"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
