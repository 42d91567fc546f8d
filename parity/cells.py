"""Records tensorflow-engram's EngramCell, step by step, for engram's parity tests.

For each configuration this builds the package's own EngramCell, sets its weights (and those of
a dense softmax head) from a seeded generator, records every random draw, runs T steps and writes
one .npz with:

  x, labels                      inputs [B,T,D] and class labels [B]
  draws/h0, draws/trace0,        every tf.random.normal draw, by name
  draws/noise/tNN
  weights/<engram name>          cell and head weights under engram's variable names
  steps/tNN/{z,attention,retrieved,h,trace}
                                 per-step tensors (all steps, or the listed ones for large configs)
  output, logits, loss           h_T, the head's logits and the mean softmax cross-entropy
  grads/<engram name>            d loss / d weight for every trainable weight

It also checks that driving the cell step by step here equals running it inside Keras' own
layers.RNN with the same draws, so the fixtures describe the package as Keras runs it.

Usage: python cells.py OUT_DIR
"""
import json
import sys
from pathlib import Path

from reference import Capture, DrawRecorder, configure, versions

tf, np = configure(threads=1)

import keras  # noqa: E402
from tensorflow_engram.layers import EngramCell  # noqa: E402

NUM_CLASSES = 10

# A covering subset: every value of D, H, M, B, T, sparsity and layer norm appears, plus a large
# Hebbian rate that drives the trace into its +-0.1 clip, and the paper's MNIST setting.
CONFIGS = [
    dict(name="d1-h8-m4-b1-t1-sp0-ln", D=1, H=8, M=4, B=1, T=1, sparsity=0.0, layer_norm=True, hebbian_lr=0.05),
    dict(name="d1-h8-m4-b3-t28-sp03-noln-eta09", D=1, H=8, M=4, B=3, T=28, sparsity=0.3, layer_norm=False, hebbian_lr=0.9),
    dict(name="d28-h8-m4-b128-t28-sp01-ln", D=28, H=8, M=4, B=128, T=28, sparsity=0.1, layer_norm=True, hebbian_lr=0.05),
    dict(name="d28-h8-m64-b128-t1-sp0-noln", D=28, H=8, M=64, B=128, T=1, sparsity=0.0, layer_norm=False, hebbian_lr=0.05),
    dict(name="d28-h128-m64-b3-t28-sp03-noln", D=28, H=128, M=64, B=3, T=28, sparsity=0.3, layer_norm=False, hebbian_lr=0.05,
         steps=[0, 1, 2, 13, 26, 27]),
    dict(name="d28-h128-m64-b128-t28-sp01-ln", D=28, H=128, M=64, B=128, T=28, sparsity=0.1, layer_norm=True, hebbian_lr=0.05,
         steps=[0, 1, 13, 27]),
]


def engram_weights(cell, layer_norm):
    """The cell's trainable weights under engram's variable names (the package's attribute names)."""
    w = {"engram_cell/engram_memory": cell.memory_bank}
    for layer in ["input_encoder", "hidden_integrator", "output_dense"]:
        dense = getattr(cell, layer)
        w[f"engram_cell/{layer}/kernel"] = dense.kernel
        w[f"engram_cell/{layer}/bias"] = dense.bias
    if layer_norm:
        for layer in ["layer_norm1", "layer_norm2"]:
            ln = getattr(cell, layer)
            w[f"engram_cell/{layer}/gamma"] = ln.gamma
            w[f"engram_cell/{layer}/beta"] = ln.beta
    return w


def set_weights(weights, rng):
    """Non-trivial, seeded values: He-like kernels, small biases, gammas near one."""
    for name, var in weights.items():
        shape = tuple(var.shape)
        if name.endswith("/kernel"):
            value = rng.standard_normal(shape) * np.sqrt(2.0 / shape[0])
        elif name.endswith("/gamma"):
            value = 1.0 + rng.uniform(-0.2, 0.2, shape)
        elif name.endswith("engram_memory"):
            value = rng.uniform(-0.5, 0.5, shape)
        else:
            value = rng.uniform(-0.1, 0.1, shape)
        var.assign(value.astype(np.float32))


def record(cfg, seed):
    D, H, M, B, T = cfg["D"], cfg["H"], cfg["M"], cfg["B"], cfg["T"]
    rng = np.random.default_rng(seed)
    cell = EngramCell(H, M, hebbian_lr=cfg["hebbian_lr"], sparsity_strength=cfg["sparsity"],
                      use_layer_norm=cfg["layer_norm"])
    x = rng.uniform(0.0, 1.0, (B, T, D)).astype(np.float32)
    labels = rng.integers(0, NUM_CLASSES, B).astype(np.int32)

    # build() creates the memory bank (as layers.RNN does); one throw-away call then builds the
    # lazily created Dense and LayerNorm weights.
    cell.build((B, D))
    with DrawRecorder(seed):
        cell(x[:, 0, :], cell.get_initial_state(batch_size=B))
    weights = engram_weights(cell, cfg["layer_norm"])
    head = {"head/kernel": tf.Variable(np.zeros((H, NUM_CLASSES), np.float32)),
            "head/bias": tf.Variable(np.zeros((NUM_CLASSES,), np.float32))}
    weights.update(head)
    set_weights(weights, rng)

    steps = {}
    with DrawRecorder(seed + 1) as draws:
        h0, trace0, _ = cell.get_initial_state(batch_size=B)
        with tf.GradientTape() as tape:
            states = [h0, trace0, cell.memory_bank]
            for t in range(T):
                with Capture() as cap:
                    h, states = cell(x[:, t, :], states)
                if len(cap.softmax) != 1 or len(cap.concat) != 1:
                    raise RuntimeError(f"expected one softmax and one concat per step, got "
                                       f"{len(cap.softmax)} and {len(cap.concat)}")
                combined = cap.concat[0].numpy()
                steps[t] = {"z": combined[:, :H], "attention": cap.softmax[0].numpy(),
                            "retrieved": combined[:, H:2 * H], "h": h.numpy(), "trace": states[1].numpy()}
            logits = tf.matmul(h, head["head/kernel"]) + head["head/bias"]
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(
                tf.one_hot(labels, NUM_CLASSES), logits))
        names = list(weights)
        grads = tape.gradient(loss, [weights[n] for n in names])
    draw_values = draws.values
    draw_names = ["h0", "trace0"] + [f"noise/t{t:02d}" for t in range(T)]
    assert len(draw_values) == len(draw_names), (len(draw_values), len(draw_names))

    check_against_keras_rnn(cell, x, draw_values, np.stack([steps[t]["h"] for t in range(T)], axis=1))

    kept = cfg.get("steps", list(range(T)))
    arrays = {"x": x, "labels": labels}
    arrays.update({f"draws/{n}": v for n, v in zip(draw_names, draw_values)})
    arrays.update({f"weights/{n}": weights[n].numpy() for n in names})
    for t in kept:
        arrays.update({f"steps/t{t:02d}/{k}": v for k, v in steps[t].items()})
    arrays.update({"output": h.numpy(), "logits": logits.numpy(), "loss": np.float32(loss.numpy())})
    arrays.update({f"grads/{n}": g.numpy() for n, g in zip(names, grads)})
    return arrays, kept


def check_against_keras_rnn(cell, x, draws, expected):
    """Keras' layers.RNN over the same cell and draws must give the same outputs."""
    h0, trace0, noises = draws[0], draws[1], list(draws[2:])
    rnn = keras.layers.RNN(cell, return_sequences=True)
    with DrawRecorder(0) as replay:
        # The TensorFlow backend calls the cell once on step 0 before its loop and discards the
        # result; that call consumes a draw too.
        replay.replay = [noises[0]] + noises
        out = rnn(x, initial_state=[tf.constant(h0), tf.constant(trace0), cell.memory_bank]).numpy()
        if replay.replay:
            raise RuntimeError(f"Keras RNN left {len(replay.replay)} draws unused")
    err = np.max(np.abs(out - expected)) / max(np.max(np.abs(expected)), 1e-30)
    if err > 1e-6:
        raise RuntimeError(f"step-by-step driver differs from keras.layers.RNN: {err:.3g}")


def main(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"versions": versions(), "num_classes": NUM_CLASSES, "configs": []}
    for i, cfg in enumerate(CONFIGS):
        arrays, kept = record(cfg, seed=1000 + 17 * i)
        np.savez_compressed(out / f"{cfg['name']}.npz", **arrays)
        entry = {k: v for k, v in cfg.items() if k != "steps"}
        entry.update(scale_factor=0.5, temperature=1.5, steps=kept, file=f"{cfg['name']}.npz")
        manifest["configs"].append(entry)
        print(f"{cfg['name']}: loss {float(arrays['loss']):.6f}, {len(kept)} steps kept", flush=True)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python cells.py OUT_DIR")
    main(sys.argv[1])
