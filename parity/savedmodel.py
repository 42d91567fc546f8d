"""Loads an engram SavedModel in Python TensorFlow and checks it against engram's own predictions.

  1. `saved_model_cli show --all` must list the serving_default signature with input x and outputs
     logits, probabilities and class;
  2. tf.saved_model.load(dir).signatures["serving_default"](x=...) on the first BATCH MNIST test
     images (rows as time steps, pixels / 255, the loader's view) must give the logits that
     `engram predict --out CSV` wrote for the same images, within 1e-5 relative.

Usage: python savedmodel.py --data-dir DATA_DIR [--batch 128] MODEL_DIR ENGRAM_PREDICTIONS_CSV
"""
import argparse
import csv
import gzip
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["CUDA_VISIBLE_DEVICES"] = "-1"

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

TOLERANCE = 1e-5


def mnist_test(data_dir, n):
    with gzip.open(Path(data_dir) / "mnist" / "t10k-images-idx3-ubyte.gz", "rb") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    return images[:n].astype(np.float32) / 255.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("model_dir")
    ap.add_argument("engram_csv")
    args = ap.parse_args()

    cli = Path(sys.executable).with_name("saved_model_cli")
    shown = subprocess.run([str(cli), "show", "--all", "--dir", args.model_dir],
                           capture_output=True, text=True, check=True).stdout
    for needle in ("signature_def['serving_default']", "inputs['x']", "outputs['logits']",
                   "outputs['probabilities']", "outputs['class']"):
        if needle not in shown:
            sys.exit(f"saved_model_cli show --all does not list {needle}:\n{shown}")

    loaded = tf.saved_model.load(args.model_dir)
    serve = loaded.signatures["serving_default"]
    x = mnist_test(args.data_dir, args.batch)
    out = serve(x=tf.constant(x))
    python = out["logits"].numpy()

    with open(args.engram_csv) as f:
        rows = list(csv.DictReader(f))[: args.batch]
    if len(rows) < args.batch:
        sys.exit(f"{args.engram_csv}: {len(rows)} predictions, expected at least {args.batch}")
    classes = python.shape[1]
    java = np.array([[float(r[f"logit_{k}"]) for k in range(classes)] for r in rows], np.float32)
    error = float(np.max(np.abs(python - java)) / np.max(np.abs(java)))
    same = float(np.mean(np.argmax(python, 1) == np.argmax(java, 1)))
    probabilities = out["probabilities"].numpy()
    print(f"{args.model_dir}: Python TF {tf.__version__} vs engram predict on {len(rows)} images:"
          f" logits relative error {error:.1e}, same class {same:.2%},"
          f" probabilities sum to 1 within {np.max(np.abs(probabilities.sum(1) - 1)):.1e}")
    if error > TOLERANCE:
        sys.exit(f"logits differ by {error:.1e} > {TOLERANCE:.0e}")


if __name__ == "__main__":
    main()
