#!/usr/bin/env bash
# Trainer on a GPU machine: samples/s on the CPU, on one GPU, and on every GPU (data-parallel), same data,
# model, batch and epochs. Builds the trainer with the CUDA 12.4 native library (-Pgpu).
# Usage: bench/trainer/gpu.sh [ROWS] [EPOCHS] [BATCH]   (default 200000 4 1024)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
rows="${1:-200000}"; epochs="${2:-4}"; batch="${3:-1024}"
mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true -Pgpu -pl trainer -am package >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python="${MLOPS_BENCH_PYTHON:-python3}"
"$python" bench/src/main/resources/io/jenkins/plugins/mlops/bench/python_trainer_bench.py generate "$work" "$rows" 64 10
gpus="$(nvidia-smi -L 2>/dev/null | wc -l || echo 0)"
nvidia-smi -L || true
run() { # devices
  java -Dai.djl.offline=true -jar trainer/target/trainer.jar --label label --data_dir "$work" \
    --output_dir "$work/out-$1" --epochs "$epochs" --batch_size "$batch" --devices "$1" 2>&1 |
    tee "$work/log-$1" | grep -E "epoch|test" >&2
  # mean samples/s of the epochs after the first
  grep -oE '[0-9,]+ samples/s' "$work/log-$1" | tr -d , | awk 'NR > 1 { s += $1; n++ } END { printf "%.0f", (n ? s / n : 0) }'
}
cpu="$(run cpu)"
echo "cpu: $cpu samples/s"
if [ "$gpus" -ge 1 ]; then
  one="$(run gpu:0)"
  echo "1 GPU: $one samples/s ($(awk -v a="$one" -v b="$cpu" 'BEGIN { printf "%.1f", a / b }')x the CPU)"
fi
if [ "$gpus" -ge 2 ]; then
  all="$(run gpu)"
  echo "$gpus GPUs: $all samples/s ($(awk -v a="$all" -v b="$one" 'BEGIN { printf "%.2f", a / b }')x one GPU)"
fi
