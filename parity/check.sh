#!/usr/bin/env bash
# Proves engram against the real tensorflow-engram package, from PyPI:
#  1. installs the reference environment (parity/setup.sh),
#  2. regenerates the cell fixtures and fails if they drift from the committed ones: versions, configurations
#     and the harness's own inputs exactly, TensorFlow's outputs within the Java parity tests' bounds, so it
#     passes on any CPU kind and still catches a changed package or harness (parity/compare.py says why),
#  3. trains and records the one-epoch EngramClassifier afresh,
#  4. runs engram's parity tests against the fresh fixtures;
#  5. exports a briefly trained ENN, LSTM and H-Mem as SavedModels and checks that Python TensorFlow loads
#     them (saved_model_cli lists the signature) and predicts what engram's `predict` does;
#  6. trains the ENN MNIST preset for 2 epochs and reads its TensorBoard event files back with
#     TensorBoard's own reader: they must hold the values of metrics.csv and trace-stats.csv.
# Needs Python 3.10-3.12, PyPI access and the MNIST files (ENGRAM_DATA, default ../shared/data).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
data=${ENGRAM_DATA:-$root/../shared/data}
fresh="$root/target/parity-fresh"
py="$root/parity/.venv/bin/python"

bash parity/setup.sh
rm -rf "$fresh" && mkdir -p "$fresh"
"$py" parity/cells.py "$fresh/cells"
"$py" parity/compare.py src/test/resources/parity/cells "$fresh/cells"
"$py" parity/classifier.py --data-dir "$data" "$fresh"
./mvnw -B -q test -Dspotless.check.skip=true -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest='EngramCellParityTest,KerasImportParityTest' -Dengram.parity.dir="$fresh"
[ -f target/engram.jar ] || ./mvnw -B -q package -DskipTests
for m in enn lstm hmem; do
  case $m in
    hmem) preset=(--preset models/hmem-babi.json --set data.task=1 --set data.size=1k
                  --set data.trainLimit=300 --set data.testLimit=256) ;;
    *) preset=(--model "$m" --set data.trainLimit=1200 --set data.testLimit=256) ;;
  esac
  java -jar target/engram.jar train "${preset[@]}" --epochs 1 --data-dir "$data" \
    --out "$fresh/$m-run" --progress none
  java -jar target/engram.jar export --run "$fresh/$m-run" --out "$fresh/$m-model" --data-dir "$data"
  java -jar target/engram.jar predict --model "$fresh/$m-model" --data-dir "$data" \
    --out "$fresh/$m-predictions.csv" --request "$fresh/$m-request.json"
  "$py" parity/savedmodel.py "$fresh/$m-model" "$fresh/$m-request.json" "$fresh/$m-predictions.csv"
done
java -jar target/engram.jar train --preset models/enn-mnist.json --epochs 2 --data-dir "$data" \
  --out "$fresh/enn-tensorboard" --progress none
"$py" parity/events.py "$fresh/enn-tensorboard"
echo "parity: engram matches tensorflow-engram $("$py" -c 'import importlib.metadata as m; print(m.version("tensorflow-engram"))') (reports in target/parity-report/)"
