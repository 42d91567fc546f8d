#!/usr/bin/env bash
# The CPU tables of PERFORMANCE.md, on this machine's cores:
#   src/bench/cpu.sh [out dir] [rounds]        (defaults runs/bench-cpu, 3)
#  1. sweep: engram's training step for ENN, LSTM (XLA off and on) and H-Mem;
#  2. peers: ENN against tensorflow-engram's EngramClassifier and LSTM against Keras 3's LSTM +
#     Dense at the same size (parity/speed.py, through parity/.venv: run parity/setup.sh once);
#  3. resident: engram's step with the batch fed from the host against --data-on-device;
#  4. precision: engram's step in fp32 against bf16 (mixed precision).
# Parts 2-4 alternate their contestants for [rounds] rounds, so that both see the same machine
# load; the medians over the rounds give the ratios. PARTS="peers resident" narrows the parts,
# MODELS=lstm the models of parts 2-4; PRECISION=bf16 runs part 2 in mixed precision on both sides
# (engram --precision bf16 against Keras' mixed_bfloat16 policy).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/runs/bench-cpu}
rounds=${2:-3}
parts=${PARTS:-sweep peers resident precision}
models=${MODELS:-enn lstm}
precision=${PRECISION:-fp32}
policy=$([ "$precision" = bf16 ] && echo mixed_bfloat16 || echo float32)
tag=$([ "$precision" = bf16 ] && echo "-bf16" || echo "")
mkdir -p "$out"
cd "$root"
[ -f target/engram.jar ] || ./mvnw -B -q package -DskipTests
engram="java -jar target/engram.jar"
bench() { $engram bench --device cpu --progress none "$@" 2>>"$out/stderr.log"; }
step() { bench --model "$1" --xla off --batch 128 --seq 28 --warmup 10 --steps 40 "${@:2}"; }
has() { [[ " $parts " == *" $1 "* ]]; }

if has sweep; then
  for xla in off on; do
    bench --model enn --xla $xla --batch 128 --seq 28 --warmup 10 --steps 40 --csv "$out/cpu.csv"
    bench --model lstm --xla $xla --batch 128 --seq 28 --warmup 10 --steps 40 --csv "$out/cpu.csv"
  done
  bench --model hmem --xla off --batch 128 --seq 88 --warmup 5 --steps 20 --csv "$out/cpu.csv"
fi

for r in $(seq "$rounds"); do
  for m in $models; do
    if has peers; then
      step "$m" --precision "$precision" --csv "$out/$m-rounds$tag.csv"
      parity/.venv/bin/python parity/speed.py --model "$m" --batch 128 --seq 28 --hidden 128 \
        --memory 64 --steps 40 --warmup 10 --jit auto,false --policy "$policy" \
        --csv "$out/keras-$m-rounds$tag.csv" 2>>"$out/stderr.log" >/dev/null
    fi
    if has resident; then
      step "$m" --csv "$out/$m-fed.csv" >/dev/null
      step "$m" --data-on-device --csv "$out/$m-resident.csv" >/dev/null
    fi
    if has precision; then
      step "$m" --csv "$out/$m-fp32.csv" >/dev/null
      step "$m" --precision bf16 --csv "$out/$m-bf16.csv" >/dev/null
    fi
  done
done

if has peers; then
  parity/.venv/bin/python - "$out" "$tag" $models <<'PY'
import csv, statistics, sys
out, tag, models = sys.argv[1], sys.argv[2], sys.argv[3:]
peer = {"enn": "tensorflow-engram EngramClassifier", "lstm": "Keras 3 LSTM + Dense"}
for m in models:
    rows = list(csv.DictReader(open(f"{out}/{m}-rounds{tag}.csv")))
    e_mean = [float(r["mean_ms"]) for r in rows]
    e_med = [float(r["median_ms"]) for r in rows]
    keras = list(csv.DictReader(open(f"{out}/keras-{m}-rounds{tag}.csv")))
    # Per round, Keras' best: the faster of jit_compile auto/False and of train_on_batch/fit.
    k = []
    for i in range(0, len(keras), 2):
        k.append(min(min(float(r["train_on_batch_median_ms"]), float(r["fit_ms"]))
                     for r in keras[i:i + 2]))
    print(f"{m}: engram mean ms per round {', '.join(f'{v:.1f}' for v in e_mean)};"
          f" median {', '.join(f'{v:.1f}' for v in e_med)}")
    print(f"{m}: {peer[m]}, best of train_on_batch median / fit ms per round:",
          ", ".join(f"{v:.1f}" for v in k))
    print(f"{m}: medians over rounds: engram mean {statistics.median(e_mean):.1f} ms,"
          f" engram median {statistics.median(e_med):.1f} ms, Keras {statistics.median(k):.1f} ms;"
          f" engram / Keras = {statistics.median(e_mean) / statistics.median(k):.2f} (means),"
          f" {statistics.median(e_med) / statistics.median(k):.2f} (medians)")
PY
fi
# Median ms per round of two contestants, and the ratio of their medians over the rounds.
pair() {
  python3 - "$out" "$1" "$2" "$3" "$4" $models <<'PY'
import csv, statistics, sys
out, a, b, label_a, label_b, models = *sys.argv[1:6], sys.argv[6:]
for m in models:
    x = [float(r["median_ms"]) for r in csv.DictReader(open(f"{out}/{m}-{a}.csv"))]
    y = [float(r["median_ms"]) for r in csv.DictReader(open(f"{out}/{m}-{b}.csv"))]
    print(f"{m}: median ms per round, {label_a} {', '.join(f'{v:.1f}' for v in x)};"
          f" {label_b} {', '.join(f'{v:.1f}' for v in y)};"
          f" medians {statistics.median(x):.1f} / {statistics.median(y):.1f} ms,"
          f" ratio {statistics.median(y) / statistics.median(x):.2f}")
PY
}
has resident && pair fed resident "fed" "data on the device"
has precision && pair fp32 bf16 "fp32" "bf16"
