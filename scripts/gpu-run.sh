#!/usr/bin/env bash
# The GPU run of the course, in one command: the card's description, the two GPU benchmarks
# (alone on the card, so that their timings are clean), every chapter in the full profile
# (papermill and the expected ranges of notebooks/expected.toml), then nbval. Documented in
# book/running.md ("The GPU run, in one script").
#
#   scripts/gpu-run.sh                                  # on the GPU machine, from the checkout's root
#   PROFILE=smoke ONLY="01 04" JOBS=2 scripts/gpu-run.sh  # a rehearsal on a CPU, in minutes
#
# Settings (environment variables):
#   PROFILE  the chapters' profile (default full)      DATASET  instead of the profile's data set
#   ONLY     chapter prefixes ("05 08"; default all)    JOBS     chapters executed at once (default 8)
#   PARTS    which parts, in this order: "benchmarks notebooks nbval" (the default)
#   FRESH    1 (default): execute every chapter; 0: keep chapters that finished earlier in $OUT
#            with the same inputs, so that a second try goes on where the first stopped
#   OUT      where everything goes (default _build/gpu-run)
#   ARCHIVE  also pack $OUT into this .tar.gz at the end (one file to copy off the machine)
# Small networks leave most of a large GPU idle, so JOBS chapters share the card, each in its
# own process with a share of its memory; a chapter's seconds are then measured beside the
# others' (the record's "concurrent_chapters" says how many). JOBS=1 times each chapter alone.
#
# Needs python3 with imgclf's dependencies and JAX (or TensorFlow). A machine without network
# or TensorFlow can take an offline kit staged into the checkout as .gpu/ (wheels and
# Fashion-MNIST): if .gpu/env.sh exists it is sourced first, and selects JAX.
# $OUT gets run.log, gpu.txt, the benchmarks' JSON lines (benchmarks.jsonl) and the executed
# notebooks with their run records (runs/). Keep the records with
#   python3 -m imgclf.course results --keep full --runs "$OUT/runs"
# It runs every part even when one fails, and exits 1 at the end if any did.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
if [ -f .gpu/env.sh ]; then
  # shellcheck source=/dev/null
  source .gpu/env.sh
fi
profile="${PROFILE:-full}"
jobs="${JOBS:-8}"
parts="${PARTS:-benchmarks notebooks nbval}"
# The full profile on Fashion-MNIST, which the kit carries (its default, CIFAR-10, needs a
# download); DATASET=cifar10 where it is at hand. Other profiles keep their own data set.
dataset="${DATASET:-}"
if [ -z "$dataset" ] && [ "$profile" = full ]; then dataset=fashion_mnist; fi
data_args=()
if [ -n "$dataset" ]; then data_args=(--dataset "$dataset"); fi
fresh=(--fresh)
[ "${FRESH:-1}" = 0 ] && fresh=()
out="${OUT:-_build/gpu-run}"
mkdir -p "$out"
failed=()

run() {  # run NAME COMMAND...: its output (less XLA's log lines) to the terminal and run.log
  local name=$1
  shift
  echo "=== $name: $*" | tee -a "$out/run.log"
  local started=$SECONDS
  "$@" 2>&1 | grep --line-buffered -v '^[IW]0000 ' | tee -a "$out/run.log"
  local status=${PIPESTATUS[0]}
  echo "=== $name: exit $status after $((SECONDS - started)) s wall" | tee -a "$out/run.log"
  [ "$status" = 0 ] || failed+=("$name (exit $status)")
}

wants() { [[ " $parts " == *" $1 "* ]]; }

if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv,noheader \
    | tee "$out/gpu.txt"
  nvidia-smi >> "$out/gpu.txt"
else
  echo "no nvidia-smi: not a GPU machine" | tee "$out/gpu.txt"
fi

if wants benchmarks; then
  smoke=()
  [ "$profile" = smoke ] && smoke=(--smoke)
  run "benchmark time to accuracy" \
    python3 benchmarks/train_time_to_accuracy.py --setup gpu "${smoke[@]}"
  run "benchmark throughput" python3 benchmarks/throughput_gpu.py "${smoke[@]}"
  grep -h '^{"benchmark"' "$out/run.log" > "$out/benchmarks.jsonl"
fi

chapters_at_once() {  # chapters_at_once CHAPTER...: each in its own process, $jobs at a time
  local status=0 chapter
  for chapter in "$@"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || status=1; done
    python3 -m imgclf.course run-notebooks --profile "$profile" --out "$out/runs" --only "$chapter" \
      "${data_args[@]}" "${fresh[@]}" &
  done
  while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || status=1; done
  return $status
}

if wants notebooks; then
  # The longest chapters first (by their kept records' seconds), so that no long one starts
  # last; each process takes a share of the card's memory instead of JAX's default 75%
  # (TensorFlow grows its allocation as needed).
  # shellcheck disable=SC2086  # ONLY: prefixes separated by spaces
  mapfile -t chapters < <(python3 - ${ONLY:-} <<'PY'
import json, sys
from pathlib import Path
def seconds(stem):
    for kept in ("full", "quick"):
        record = Path("book/results", kept, stem + ".json")
        if record.exists():
            return json.loads(record.read_text())["seconds"]
    return 0.0
stems = [p.stem for p in sorted(Path("notebooks").glob("[0-9][0-9]-*.md"))
         if not sys.argv[1:] or any(p.stem.startswith(prefix) for prefix in sys.argv[1:])]
print("\n".join(sorted(stems, key=seconds, reverse=True)))
PY
  )
  fraction=$(python3 -c "print(round(0.9 / $jobs, 3))")
  # JAX allocates on demand (up to that share): the runner process, which measures the
  # calibration, would otherwise hold a share of its own beside its kernel's.
  export XLA_PYTHON_CLIENT_MEM_FRACTION=$fraction XLA_PYTHON_CLIENT_PREALLOCATE=false
  export TF_FORCE_GPU_ALLOW_GROWTH=true
  export IMGCLF_CONCURRENT_CHAPTERS=$jobs
  run "notebooks (profile $profile, $jobs at a time: ${chapters[*]})" \
    chapters_at_once "${chapters[@]}"
  unset XLA_PYTHON_CLIENT_MEM_FRACTION XLA_PYTHON_CLIENT_PREALLOCATE IMGCLF_CONCURRENT_CHAPTERS
fi

if wants nbval; then
  run nbval python3 -m imgclf.course check-notebooks
fi

if [ -n "${ARCHIVE:-}" ]; then
  tar czf "$ARCHIVE" -C "$(dirname "$out")" "$(basename "$out")" \
    && echo "gpu-run: packed $out into $ARCHIVE"
fi
if [ "${#failed[@]}" -gt 0 ]; then
  echo "gpu-run: these parts failed: ${failed[*]} (see $out/run.log)" >&2
  exit 1
fi
echo "gpu-run: every part passed; records in $out/runs"
