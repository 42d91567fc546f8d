"""Loads an engram SavedModel in Python TensorFlow and checks it against engram's own predictions.

  1. `saved_model_cli show --all` must list the serving_default signature with the request's inputs
     and the outputs logits, probabilities and class;
  2. tf.saved_model.load(dir).signatures["serving_default"] on the inputs of REQUEST (the first
     batch, written by `engram predict --request`, TensorFlow Serving's REST format) must give the
     logits that `engram predict --out CSV` wrote for the same examples, within 1e-5 relative.

Usage: python savedmodel.py MODEL_DIR REQUEST_JSON ENGRAM_PREDICTIONS_CSV
"""
import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["CUDA_VISIBLE_DEVICES"] = "-1"

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

TOLERANCE = 1e-5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("request")
    ap.add_argument("engram_csv")
    args = ap.parse_args()
    request = json.loads(Path(args.request).read_text())

    cli = Path(sys.executable).with_name("saved_model_cli")
    shown = subprocess.run([str(cli), "show", "--all", "--dir", args.model_dir],
                           capture_output=True, text=True, check=True).stdout
    wanted = ["signature_def['serving_default']", "outputs['logits']",
              "outputs['probabilities']", "outputs['class']"]
    wanted += [f"inputs['{name}']" for name in request["inputs"]]
    for needle in wanted:
        if needle not in shown:
            sys.exit(f"saved_model_cli show --all does not list {needle}:\n{shown}")

    serve = tf.saved_model.load(args.model_dir).signatures[request["signature_name"]]
    specs = serve.structured_input_signature[1]
    feeds = {name: tf.constant(np.array(values), dtype=specs[name].dtype)
             for name, values in request["inputs"].items()}
    out = serve(**feeds)
    python = out["logits"].numpy()

    with open(args.engram_csv) as f:
        rows = list(csv.DictReader(f))[: len(python)]
    if len(rows) < len(python):
        sys.exit(f"{args.engram_csv}: {len(rows)} predictions, expected at least {len(python)}")
    classes = python.shape[1]
    java = np.array([[float(r[f"logit_{k}"]) for k in range(classes)] for r in rows], np.float32)
    error = float(np.max(np.abs(python - java)) / np.max(np.abs(java)))
    same = float(np.mean(np.argmax(python, 1) == np.argmax(java, 1)))
    sums = float(np.max(np.abs(out["probabilities"].numpy().sum(1) - 1)))
    print(f"{args.model_dir}: Python TF {tf.__version__} vs engram predict on {len(rows)} examples"
          f" ({', '.join(feeds)}): logits relative error {error:.1e}, same class {same:.2%},"
          f" probabilities sum to 1 within {sums:.1e}")
    if error > TOLERANCE:
        sys.exit(f"logits differ by {error:.1e} > {TOLERANCE:.0e}")


if __name__ == "__main__":
    main()
