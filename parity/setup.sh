#!/usr/bin/env bash
# Creates parity/.venv with the reference packages. Idempotent; needs Python 3.10-3.12 and PyPI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv"
python=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps --ignore-requires-python tensorflow-engram==0.1.0
"$venv/bin/python" -c "import tensorflow as tf, keras, tensorflow_engram.layers; print('parity env: TensorFlow', tf.__version__, '/ Keras', keras.__version__)"
