#!/usr/bin/env bash
# The GPU tables of PERFORMANCE.md. Runs on the GPU host under ../shared/gpu/remote.sh, which sets
# $JAVA_GPU (a java command with engram's jars and TensorFlow's GPU build on the class path):
#   bash /tmp/g/remote.sh 'bash <checkout>/src/bench/gpu.sh <part>... -- <out dir>'
# parts: doctor diag enn lstm hmem long lm. Each bench process sweeps B and T over one graph per T; XLA's
# switch is process-wide, so "on" and "off" are separate processes. LIMIT caps each process (s);
# BATCH, SEQ and XLA narrow the sweep (defaults 128,512,2048 / 28,128 / "on off").
set -uo pipefail
parts=(); while [[ $# -gt 0 && $1 != -- ]]; do parts+=("$1"); shift; done
out=${2:-/tmp/bench}
mkdir -p "$out"
engram="$JAVA_GPU engram.cli.Main"
quiet() { grep -v '^I0000\|^W0000\|^WARNING\|Unable to register\|^$'; }
bench() { timeout "${LIMIT:-300}" $engram bench --device gpu --progress none --csv "$out/gpu.csv" "$@" 2>&1 | quiet; }

for part in "${parts[@]}"; do
  case $part in
    doctor) $engram doctor 2>&1 | quiet | tee "$out/doctor.txt" ;;
    diag)
      # Why ops stay outside XLA clusters: the traced step and the clustering pass's log.
      TF_CPP_VMODULE=${VMODULE:-} \
        timeout 300 $engram bench --device gpu --progress none --xla on --model enn --steps 10 \
        --warmup 5 --csv "$out/diag.csv" --dump-trace "$out/enn-trace.pb" 2>"$out/xla.log" | tee "$out/diag.txt"
      gzip -f "$out/xla.log" ;;
    enn|lstm)
      for xla in ${XLA:-on off}; do
        bench --model "$part" --xla $xla --batch "${BATCH:-128,512,2048}" --seq "${SEQ:-28,128}" \
          --warmup 5 --steps 30
      done ;;
    long)
      # T = 128 with XLA through BPTT windows of 32 steps: exact, then truncated.
      bench --model enn --xla on --batch "${BATCH:-128,512,2048}" --seq 128 --window 32 \
        --warmup 5 --steps 30
      bench --model enn --xla on --batch "${BATCH:-128,512,2048}" --seq 128 --window 32 \
        --truncate --warmup 5 --steps 30 ;;
    lm)
      # The WikiText-2 language-model step (B 20 streams, T 35, H 200 tied to a 33,278-word
      # softmax): ENN and LSTM, XLA on.
      for m in enn lstm; do
        bench --model $m --lm --xla on --batch "${BATCH:-20,128}" --seq 35 --hidden 200 \
          --warmup 5 --steps 30
      done ;;
    hmem)
      for xla in off on; do
        bench --model hmem --xla $xla --batch 128,512 --seq 88 --warmup 5 --steps 30
      done ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
done
