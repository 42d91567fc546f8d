#!/usr/bin/env bash
# The data-parallel table of PERFORMANCE.md: the training step (LSTM and ENN, MNIST-rows sizes,
# global batch B) on one device, on two replicas in one process and on two worker processes on
# loopback (engram launch), in alternating rounds so that every layout sees the same machine load.
#   src/bench/replicas.sh [out dir] [rounds] [device]     (defaults runs/bench-replicas, 3, cpu)
# On a CPU, cpu:0,cpu:1 are two TensorFlow devices on the same cores and two workers share the
# cores too: the table measures what replication costs, not a speed-up. With device gpu, the
# in-process layout is gpu:0,gpu:1 (it needs two GPUs); two workers may share one GPU.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/runs/bench-replicas}
rounds=${2:-3}
device=${3:-cpu}
mkdir -p "$out"
cd "$root"
[ -f target/engram.jar ] || ./mvnw -B -q package -DskipTests
engram=${ENGRAM:-java -jar target/engram.jar}
size=(--device "$device" --progress none --batch "${BATCH:-128}" --seq 28 --warmup 10 --steps 40)
csv() { echo "$out/$1-$2.csv"; }

for r in $(seq "$rounds"); do
  for m in lstm enn; do
    $engram bench --model $m "${size[@]}" --csv "$(csv $m one)" 2>>"$out/stderr.log"
    if [[ $device == cpu ]]; then
      $engram bench --model $m "${size[@]}" --replicas cpu:0,cpu:1 --csv "$(csv $m replicas)" \
        2>>"$out/stderr.log"
      # Two processes with all cores each, and with one thread each (no oversubscription).
      $engram launch --workers 2 bench --model $m "${size[@]}" --csv "$(csv $m workers)" \
        2>>"$out/stderr.log"
      $engram launch --workers 2 bench --model $m "${size[@]}" --threads 1 \
        --csv "$(csv $m workers-1thread)" 2>>"$out/stderr.log"
    else
      if [[ $($engram doctor 2>/dev/null | grep -c 'GPU:1') -gt 0 ]]; then
        $engram bench --model $m "${size[@]}" --replicas gpu:0,gpu:1 \
          --csv "$(csv $m replicas)" 2>>"$out/stderr.log"
      fi
      $engram launch --workers 2 bench --model $m "${size[@]}" --csv "$(csv $m workers)" \
        2>>"$out/stderr.log"
    fi
  done
done

# Medians over the rounds: ms/step, sequences/s and the all-reduce's ms/step, per layout.
python3 - "$out" <<'PY'
import csv, glob, os, statistics, sys
rows = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.csv"))):
    name = os.path.basename(path)[:-4]
    model, layout = name.split("-", 1)
    with open(path, newline="") as f:
        runs = list(csv.DictReader(f))
    med = lambda k: statistics.median(float(r[k]) for r in runs)
    rows.append((model, layout, runs[0]["replicas"], med("median_ms"), med("sequences_per_s"),
                 med("allreduce_ms"), len(runs)))
print("| model | layout | replicas | ms/step | sequences/s | all-reduce ms/step | rounds |")
print("|---|---|---|---|---|---|---|")
for m, l, r, ms, sps, ar, n in rows:
    print(f"| {m} | {l} | {r} | {ms:.1f} | {sps:.0f} | {ar:.2f} | {n} |")
PY
