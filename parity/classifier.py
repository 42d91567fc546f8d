"""Trains tensorflow-engram's EngramClassifier for one epoch on MNIST and records its predictions.

Writes to OUT_DIR/classifier/:
  enn-mnist-1epoch.weights.h5   the Keras 3 weights file (what `engram import-keras` reads)
  predictions.npz               logits [10000, 10] and labels of the MNIST test set, predicted in
                                the deterministic mode (every tf.random.normal draw is zero: zero
                                initial h and trace, no trace noise), in order, batches of 128
  manifest.json                 package versions, settings and Python's test accuracy

The model and training follow the ENN paper's MNIST notebook (rows as time steps, H=128, M=64,
Adam 1e-3 with clipnorm 1, batch 128), for one epoch on the 60,000 training images.

Usage: python classifier.py --data-dir DATA_DIR OUT_DIR
"""
import argparse
import gzip
import json
from pathlib import Path

from reference import DrawRecorder, configure, versions

tf, np = configure(threads=0)

import keras  # noqa: E402
from tensorflow_engram.models import EngramClassifier  # noqa: E402

BATCH = 128
SEED = 42


def idx(path, dims):
    with gzip.open(path, "rb") as f:
        data = f.read()
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims)


def mnist(data_dir, split):
    prefix = "train" if split == "train" else "t10k"
    images = idx(Path(data_dir) / "mnist" / f"{prefix}-images-idx3-ubyte.gz", 3).reshape(-1, 28, 28)
    labels = idx(Path(data_dir) / "mnist" / f"{prefix}-labels-idx1-ubyte.gz", 1)
    return (images.astype(np.float32) / 255.0), labels.astype(np.int32)


def logits_of(model, x):
    """Head logits: the Engram layer's h_T through the final Dense kernel, before its softmax."""
    engram_layer, dense = model.layers[0], model.layers[-1]
    out = []
    for i in range(0, len(x), BATCH):
        h = engram_layer(x[i:i + BATCH])
        out.append((tf.matmul(h, dense.kernel) + dense.bias).numpy())
    return np.concatenate(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("out_dir")
    args = ap.parse_args()
    out = Path(args.out_dir) / "classifier"
    out.mkdir(parents=True, exist_ok=True)

    x_train, y_train = mnist(args.data_dir, "train")
    x_test, y_test = mnist(args.data_dir, "test")
    keras.utils.set_random_seed(SEED)
    model = EngramClassifier(input_shape=(28, 28), num_classes=10, hidden_dim=128, memory_size=64,
                             return_states=True, hebbian_lr=0.05)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3, clipnorm=1.0),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, keras.utils.to_categorical(y_train, 10), batch_size=BATCH, epochs=1,
              shuffle=True, verbose=2)
    model.save_weights(out / "enn-mnist-1epoch.weights.h5")

    with DrawRecorder(0, zeros=True):
        logits = logits_of(model, x_test)
    accuracy = float(np.mean(np.argmax(logits, axis=1) == y_test))
    np.savez_compressed(out / "predictions.npz", logits=logits.astype(np.float32), labels=y_test)
    manifest = {"versions": versions(), "weights": "enn-mnist-1epoch.weights.h5", "epochs": 1,
                "batch": BATCH, "seed": SEED, "hidden_dim": 128, "memory_size": 64,
                "hebbian_lr": 0.05, "sparsity_strength": 0.1, "deterministic_test_accuracy": accuracy}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"deterministic test accuracy after 1 epoch: {accuracy:.4f}", flush=True)


if __name__ == "__main__":
    main()
