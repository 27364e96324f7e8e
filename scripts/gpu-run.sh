#!/bin/bash
# The GPU run of issue 7 on a machine with the offline kit (../shared/gpu/stage.sh copies it to
# .gpu/): no TensorFlow and no network, so JAX and the staged Fashion-MNIST. Every notebook in
# the full profile, checked against notebooks/expected.toml, then nbval. The executed
# notebooks and records go to $OUT/runs-full (keep them with:
# python -m imgclf results --keep full --runs <that folder>).
set -uo pipefail
source .gpu/env.sh
out="${OUT:-_build}/runs-full"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$out/gpu.txt"
python3 -m imgclf run-notebooks --profile full --dataset fashion_mnist --fresh --nbval \
    --out "$out" 2>&1 | grep -v "^I0000\|^W0000" | tee "$out/run.log"
