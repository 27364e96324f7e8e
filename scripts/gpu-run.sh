#!/usr/bin/env bash
# The GPU run of the course, in one command: every chapter in the full profile (papermill,
# the expected ranges of notebooks/expected.toml, then nbval), the two GPU benchmarks and
# the card's description. Documented in book/running.md ("The GPU run, in one script").
#
#   scripts/gpu-run.sh                       # on the GPU machine, from the checkout's root
#   PROFILE=smoke ONLY=01 scripts/gpu-run.sh # a rehearsal on a CPU, in a minute
#
# Needs python3 with imgclf's dependencies and JAX (or TensorFlow). A machine without network
# or TensorFlow can take an offline kit staged into the checkout as .gpu/ (wheels and
# Fashion-MNIST): if .gpu/env.sh exists it is sourced first, and selects JAX.
# Everything it makes goes to $OUT (default _build/gpu-run): run.log, the executed notebooks
# and run records (runs/), the benchmarks' JSON lines, gpu.txt. Keep the records with
#   python3 -m imgclf results --keep full --runs "$OUT/runs"
# It runs every part even when one fails, and exits 1 at the end if any did.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
if [ -f .gpu/env.sh ]; then
  # shellcheck source=/dev/null
  source .gpu/env.sh
fi
profile="${PROFILE:-full}"
# The full profile on Fashion-MNIST, which the kit carries (its default, CIFAR-10, needs a
# download); DATASET=cifar10 where it is at hand. Other profiles keep their own data set.
dataset="${DATASET:-}"
if [ -z "$dataset" ] && [ "$profile" = full ]; then dataset=fashion_mnist; fi
data_args=()
if [ -n "$dataset" ]; then data_args=(--dataset "$dataset"); fi
out="${OUT:-_build/gpu-run}"
mkdir -p "$out"
failed=()

run() {  # run NAME COMMAND...: its output (less XLA's log lines) to the terminal and run.log
  local name=$1
  shift
  echo "=== $name: $*" | tee -a "$out/run.log"
  "$@" 2>&1 | grep --line-buffered -v '^[IW]0000 ' | tee -a "$out/run.log"
  local status=${PIPESTATUS[0]}
  [ "$status" = 0 ] || failed+=("$name (exit $status)")
}

if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader \
    | tee "$out/gpu.txt"
else
  echo "no nvidia-smi: not a GPU machine" | tee "$out/gpu.txt"
fi
only=()
if [ -n "${ONLY:-}" ]; then
  read -r -a prefixes <<< "$ONLY"
  only=(--only "${prefixes[@]}")
fi
run notebooks python3 -m imgclf run-notebooks --profile "$profile" "${data_args[@]}" \
  --fresh --nbval --out "$out/runs" "${only[@]}"
smoke=()
[ "$profile" = smoke ] && smoke=(--smoke)
run time-to-accuracy python3 benchmarks/train_time_to_accuracy.py --setup gpu "${smoke[@]}"
run throughput python3 benchmarks/throughput_gpu.py "${smoke[@]}"

if [ "${#failed[@]}" -gt 0 ]; then
  echo "gpu-run: these parts failed: ${failed[*]} (see $out/run.log)" >&2
  exit 1
fi
echo "gpu-run: every part passed; records in $out/runs"
