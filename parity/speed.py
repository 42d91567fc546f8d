"""Times a Keras training step for PERFORMANCE.md's CPU comparisons with `engram bench`.

--model enn (default): tensorflow-engram's EngramClassifier as in the ENN paper's MNIST notebook
(H=128, M=64, Adam 1e-3 with clipnorm 1, categorical cross-entropy).
--model lstm: the peer most users know, Keras 3's LSTM(H) + Dense(10) with the same optimiser and
loss, the model `engram bench --model lstm` builds.
Both are fed uniform random inputs [B, T, D] and random labels, as `engram bench` is. Two ways
Keras users train are timed after a warm-up:

  train_on_batch  one call per step (returns the loss, so each step ends on the host, as engram's)
  fit             one epoch of N steps from in-memory arrays, divided by N

both with Keras's default compilation (jit_compile="auto", which turns XLA on for this model on
CPU) and with jit_compile=False. TensorFlow keeps its own defaults (oneDNN on), like engram's
native library. Prints a table and one JSON line per row; appends to --csv when given.

Usage: python speed.py [--model enn|lstm] [--batch 128] [--seq 28] [--features 28] [--hidden 128] [--memory 64]
                       [--steps 50] [--warmup 10] [--threads N] [--jit auto,false]
                       [--engram-ms X] [--csv FILE]
"""
import argparse
import csv
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["CUDA_VISIBLE_DEVICES"] = "-1"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["enn", "lstm"], default="enn")
    ap.add_argument("--policy", default="float32",
                    help="Keras dtype policy, e.g. mixed_bfloat16 (against engram --precision bf16)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seq", type=int, default=28)
    ap.add_argument("--features", type=int, default=28)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--memory", type=int, default=64)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0, help="TensorFlow threads (0: all cores)")
    ap.add_argument("--engram-ms", type=float, help="engram's ms/step, to print the ratio")
    ap.add_argument("--csv", help="append the rows to this CSV file")
    ap.add_argument("--jit", default="auto,false",
                    help="jit_compile settings to time, comma-separated (auto, true, false)")
    args = ap.parse_args()

    import numpy as np
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras
    import importlib.metadata as md

    rng = np.random.default_rng(42)
    n = args.batch * args.steps
    x = rng.random((n, args.seq, args.features), dtype=np.float32)
    y = keras.utils.to_categorical(rng.integers(0, 10, n), 10)

    keras.mixed_precision.set_global_policy(args.policy)

    def build(jit):
        keras.utils.set_random_seed(42)
        if args.model == "lstm":
            model = keras.Sequential([keras.Input((args.seq, args.features)),
                                      keras.layers.LSTM(args.hidden),
                                      keras.layers.Dense(10, activation="softmax",
                                                         dtype="float32")])
        else:
            from tensorflow_engram.models import EngramClassifier
            model = EngramClassifier(input_shape=(args.seq, args.features), num_classes=10,
                                     hidden_dim=args.hidden, memory_size=args.memory,
                                     return_states=True, hebbian_lr=0.05)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3, clipnorm=1.0),
                      loss="categorical_crossentropy", metrics=["accuracy"], jit_compile=jit)
        return model

    rows = []
    settings = {"auto": "auto", "true": True, "false": False}
    for jit in [settings[j.strip().lower()] for j in args.jit.split(",")]:
        model = build(jit)
        b = args.batch
        for i in range(args.warmup):
            model.train_on_batch(x[i * b % n:i * b % n + b], y[i * b % n:i * b % n + b])
        per_step = []
        for i in range(args.steps):
            xb, yb = x[i * b:(i + 1) * b], y[i * b:(i + 1) * b]
            t0 = time.perf_counter()
            model.train_on_batch(xb, yb)
            per_step.append((time.perf_counter() - t0) * 1e3)
        model.fit(x[:b * args.warmup], y[:b * args.warmup], batch_size=b, epochs=1, verbose=0,
                  shuffle=False)
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=b, epochs=1, verbose=0, shuffle=False)
        fit_ms = (time.perf_counter() - t0) * 1e3 / args.steps
        rows.append({
            "model": args.model, "policy": args.policy, "jit_compile": str(jit), "resolved_jit": bool(model.jit_compile),
            "train_on_batch_mean_ms": float(np.mean(per_step)),
            "train_on_batch_median_ms": float(np.median(per_step)),
            "fit_ms": fit_ms,
            "batch": b, "seq": args.seq, "features": args.features, "hidden": args.hidden,
            "memory": args.memory, "steps": args.steps,
            "threads": args.threads or os.cpu_count(),
            "tensorflow": tf.__version__, "keras": keras.__version__,
            "tensorflow_engram": md.version("tensorflow-engram"),
        })

    name = "Keras LSTM + Dense" if args.model == "lstm" else "tensorflow-engram EngramClassifier"
    print(f"{name} B={args.batch} T={args.seq} D={args.features} "
          f"H={args.hidden} M={args.memory}, {args.steps} steps, "
          f"{args.threads or os.cpu_count()} threads, TF {tf.__version__}")
    print("| jit_compile | XLA | train_on_batch mean ms | median ms | fit ms/step |"
          + (" engram ms / best Keras ms |" if args.engram_ms else ""))
    for r in rows:
        best = min(r["train_on_batch_median_ms"], r["fit_ms"])
        ratio = f" {args.engram_ms / best:.2f} |" if args.engram_ms else ""
        print(f"| {r['jit_compile']} | {'on' if r['resolved_jit'] else 'off'} | "
              f"{r['train_on_batch_mean_ms']:.1f} | {r['train_on_batch_median_ms']:.1f} | "
              f"{r['fit_ms']:.1f} |{ratio}")
    for r in rows:
        print(json.dumps(r))
    if args.csv:
        new = not os.path.exists(args.csv)
        with open(args.csv, "a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            if new:
                w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
