#!/usr/bin/env bash
# The GPU tables of PERFORMANCE.md. Runs on the GPU host under ../shared/gpu/remote.sh, which sets
# $JAVA_GPU (a java command with engram's jars and TensorFlow's GPU build on the class path):
#   bash /tmp/g/remote.sh 'bash <checkout>/src/bench/gpu.sh <part>... -- <out dir>'
# parts: plan doctor diag enn lstm hmem long lm resident fp16 torch. Each bench process sweeps B and T over
# one graph per T; XLA's switch is process-wide, so "on" and "off" are separate processes. LIMIT caps
# each process (s); BATCH, SEQ and XLA narrow the sweep (defaults 128,512,2048 / 28,128 / "on off").
# "plan" is the one device call of PERFORMANCE.md's H200 table, 8 minutes at most: doctor; ENN and
# LSTM at B 128/512/2048, T 28, XLA on, float32 (and bf16 at B 128/2048); H-Mem at bAbI task 2's
# size; the PyTorch peer (parity/torch_peer.py, eager and torch.compile; PYTHON names the host's
# python with torch). "resident" (a second call) adds --data-on-device rows, then the same with the
# scores fetched every 10 steps and TF_SYNC_ON_FINISH=0 (TensorFlow's switch that lets a run return
# before the GPU finishes, so only fetching steps wait):
#   bash /tmp/g/remote.sh 'bash <checkout>/src/bench/gpu.sh plan -- $OUT'    (timeout_s 540)
set -uo pipefail
parts=(); while [[ $# -gt 0 && $1 != -- ]]; do parts+=("$1"); shift; done
out=${2:-/tmp/bench}
mkdir -p "$out"
engram="$JAVA_GPU engram.cli.Main"
quiet() { grep -v '^I0000\|^W0000\|^WARNING\|Unable to register\|^$'; }
bench() { timeout "${LIMIT:-300}" $engram bench --device gpu --progress none --csv "$out/gpu.csv" "$@" 2>&1 | quiet; }

root=$(cd "$(dirname "$0")/../.." && pwd)
torch_peer() {
  timeout "${LIMIT:-300}" "${PYTHON:-python3}" "$root/parity/torch_peer.py" --time \
    --batch "${BATCH:-128,512,2048}" --modes "${MODES:-eager,compile}" --csv "$out/torch.csv" 2>&1 \
    | grep -v '^W[0-9]' | tee -a "$out/torch.txt"
}

for part in "${parts[@]}"; do
  case $part in
    plan)
      # Limits from the H100's first steps (ENN XLA compile 56 s at B 128, 9 s at 512): 490 s in all.
      timeout 30 $engram doctor 2>&1 | quiet | tee "$out/doctor.txt"
      LIMIT=120 bench --model enn --xla on --batch 128,512,2048 --seq 28 --warmup 5 --steps 30
      LIMIT=100 bench --model enn --xla on --batch 128,2048 --seq 28 --warmup 5 --steps 30 \
        --precision bf16
      LIMIT=45 bench --model lstm --xla on --batch 128,512,2048 --seq 28 --warmup 5 --steps 30
      LIMIT=40 bench --model lstm --xla on --batch 128,2048 --seq 28 --warmup 5 --steps 30 \
        --precision bf16
      LIMIT=45 bench --model hmem --xla on --batch 128,512 --seq 88 --warmup 5 --steps 30
      LIMIT=110 MODES=eager,compile BATCH=128,2048 torch_peer ;;
    resident)
      for m in enn lstm; do
        bench --model $m --xla on --batch "${BATCH:-128,512,2048}" --seq 28 --warmup 5 --steps 30 \
          --data-on-device
        TF_SYNC_ON_FINISH=0 bench --model $m --xla on --batch "${BATCH:-128,512,2048}" --seq 28 \
          --warmup 5 --steps 30 --data-on-device --fetch-every 10
      done ;;
    fp16)
      # float16 with dynamic loss scaling (--precision fp16): the ENN's gradients outgrow its
      # range on MNIST (PERFORMANCE.md), so these rows time the step, not a recommendation.
      for m in enn lstm; do
        bench --model $m --xla on --batch "${BATCH:-128,2048}" --seq 28 --warmup 5 --steps 30 \
          --precision fp16
      done ;;
    torch) torch_peer ;;
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
