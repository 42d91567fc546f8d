#!/usr/bin/env bash
# The CPU tables of PERFORMANCE.md, on this machine's cores:
#  1. engram's training step for ENN, LSTM (XLA off and on) and H-Mem;
#  2. ENN against tensorflow-engram's EngramClassifier at the same size (parity/speed.py, through
#     parity/.venv: run parity/setup.sh once), in alternating rounds so that both see the same
#     machine load; the medians over the rounds give the ratio.
#   src/bench/cpu.sh [out dir] [rounds]        (defaults runs/bench-cpu, 3)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/runs/bench-cpu}
rounds=${2:-3}
mkdir -p "$out"
cd "$root"
[ -f target/engram.jar ] || ./mvnw -B -q package -DskipTests
engram="java -jar target/engram.jar"
bench() { $engram bench --device cpu --progress none "$@" 2>>"$out/stderr.log"; }

for xla in off on; do
  bench --model enn --xla $xla --batch 128 --seq 28 --warmup 10 --steps 40 --csv "$out/cpu.csv"
  bench --model lstm --xla $xla --batch 128 --seq 28 --warmup 10 --steps 40 --csv "$out/cpu.csv"
done
bench --model hmem --xla off --batch 128 --seq 88 --warmup 5 --steps 20 --csv "$out/cpu.csv"

for r in $(seq "$rounds"); do
  bench --model enn --xla off --batch 128 --seq 28 --warmup 10 --steps 40 --csv "$out/enn-rounds.csv"
  parity/.venv/bin/python parity/speed.py --batch 128 --seq 28 --hidden 128 --memory 64 \
    --steps 40 --warmup 10 --jit auto --csv "$out/keras-rounds.csv" 2>>"$out/stderr.log"
done
parity/.venv/bin/python - "$out" <<'PY'
import csv, statistics, sys
out = sys.argv[1]
e = [float(r["mean_ms"]) for r in csv.DictReader(open(f"{out}/enn-rounds.csv"))]
k = [min(float(r["train_on_batch_median_ms"]), float(r["fit_ms"]))
     for r in csv.DictReader(open(f"{out}/keras-rounds.csv"))]
print("engram ENN mean ms per round:", ", ".join(f"{v:.1f}" for v in e))
print("tensorflow-engram best of train_on_batch median / fit, ms per round:",
      ", ".join(f"{v:.1f}" for v in k))
print(f"medians: engram {statistics.median(e):.1f} ms, tensorflow-engram {statistics.median(k):.1f} ms,"
      f" ratio engram / tensorflow-engram = {statistics.median(e) / statistics.median(k):.2f}")
PY
