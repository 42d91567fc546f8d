"""The ENN training step as a researcher would write it in plain PyTorch: engram's GPU peer.

A transcription of tensorflow-engram 0.1.0's EngramCell (the equations of EngramCell's javadoc and
../shared/reference/enn.md) under a Dense(10) head, trained with softmax cross-entropy and Adam 1e-3
with Keras' per-variable clipnorm 1, as `engram bench --model enn` trains it.

  --check FIXTURE.npz  runs the forward and backward pass on the CPU against a recorded fixture of
                       the Python package (src/test/resources/parity/cells/*.npz: weights, random
                       draws, inputs, per-step tensors, logits, loss and gradients) and prints the
                       largest relative differences; run it once, outside CI (PyTorch is not a
                       dependency of engram's tests).
  --time               times the training step, eager and torch.compile, on --device (cuda when
                       there is one), median ms over --steps after --warmup; each step ends on
                       the host (loss.item()), as engram's Session.run does. Prints a table and
                       one JSON line per row; appends to --csv when given.

Usage: python torch_peer.py --check FIXTURE.npz
       python torch_peer.py --time [--batch 128,512,2048] [--seq 28] [--features 28]
                            [--hidden 128] [--memory 64] [--steps 30] [--warmup 10]
                            [--modes eager,compile] [--dtype float32|bfloat16] [--csv FILE]
"""
import argparse
import csv
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

NAMES = ["engram_cell/input_encoder/kernel", "engram_cell/input_encoder/bias",
         "engram_cell/hidden_integrator/kernel", "engram_cell/hidden_integrator/bias",
         "engram_cell/output_dense/kernel", "engram_cell/output_dense/bias",
         "engram_cell/layer_norm1/gamma", "engram_cell/layer_norm1/beta",
         "engram_cell/layer_norm2/gamma", "engram_cell/layer_norm2/beta",
         "engram_cell/engram_memory", "head/kernel", "head/bias"]


class Enn(torch.nn.Module):
    """EngramCell (H units, M slots) unrolled over T steps, then Dense(classes) on the last h."""

    def __init__(self, features, hidden, memory, classes=10, hebbian_lr=0.05, scale=0.5,
                 temperature=1.5, sparsity=0.1):
        super().__init__()
        H, M, D = hidden, memory, features
        p = torch.nn.Parameter
        self.w = torch.nn.ParameterDict({
            "We": p(torch.randn(D, H) * math.sqrt(2 / D)), "be": p(torch.zeros(H)),
            "Wi": p(torch.randn(3 * H, 3 * H) * math.sqrt(2 / (3 * H))), "bi": p(torch.zeros(3 * H)),
            "Wo": p(torch.randn(3 * H, H) * math.sqrt(2 / (3 * H))), "bo": p(torch.zeros(H)),
            "g1": p(torch.ones(H)), "b1": p(torch.zeros(H)),
            "g2": p(torch.ones(H)), "b2": p(torch.zeros(H)),
            "Mem": p((torch.rand(M, H) * 2 - 1) * math.sqrt(6 / (M + H))),
            "Wh": p((torch.rand(H, classes) * 2 - 1) * math.sqrt(6 / (H + classes))),
            "bh": p(torch.zeros(classes))})
        self.eta = hebbian_lr
        self.scale = scale
        # Python computes tau in double and TensorFlow divides by it as a float32 constant.
        self.tau = float(np.float32(temperature / (1.0 + sparsity * 10.0)))
        self.hidden, self.memory = H, M

    def forward(self, x, h, trace, noise):
        """x [B,T,D]; h [B,H] and trace [M,H] the initial carry; noise [T,M,H] the draws eps_t."""
        w = self.w
        H = self.hidden
        # (1) z for every step at once: it needs no carry.
        z_all = F.layer_norm(F.relu(x @ w["We"] + w["be"]), (H,), w["g1"], w["b1"], eps=1e-6)
        for t in range(x.shape[1]):
            z = z_all[:, t]
            e = w["Mem"] + self.scale * trace                                      # (2)
            s = F.normalize(z, dim=-1, eps=1e-6) @ F.normalize(e, dim=-1, eps=1e-6).T
            a = torch.softmax(s / self.tau, dim=-1)                                # (3)
            m = a @ e                                                              # (4)
            u = F.relu(torch.cat([z, m, h], dim=-1) @ w["Wi"] + w["bi"])
            h = F.layer_norm(F.relu(u @ w["Wo"] + w["bo"]), (H,), w["g2"], w["b2"], eps=1e-6)  # (5)
            hebb = a.T @ z / x.shape[0]                                            # mean_b A_b^T z_b
            trace = torch.clamp((1 - self.eta) * trace + self.eta * (hebb + noise[t]), -0.1, 0.1)  # (6)
        return h @ w["Wh"] + w["bh"], h

    def load(self, arrays):
        keys = ["We", "be", "Wi", "bi", "Wo", "bo", "g1", "b1", "g2", "b2", "Mem", "Wh", "bh"]
        with torch.no_grad():
            for k, n in zip(keys, NAMES):
                self.w[k].copy_(torch.from_numpy(arrays["weights/" + n]))
        return dict(zip(NAMES, keys))


def check(path):
    """Forward and backward on the CPU against a recorded fixture of tensorflow-engram."""
    f = np.load(path)
    x = torch.from_numpy(f["x"])
    B, T, D = x.shape
    M, H = f["draws/trace0"].shape
    model = Enn(D, H, M, sparsity=0.1)
    names = model.load(f)
    noise = torch.stack([torch.from_numpy(f[f"draws/noise/t{t:02d}"]) for t in range(T)])
    logits, h = model(x, torch.from_numpy(f["draws/h0"]), torch.from_numpy(f["draws/trace0"]), noise)
    loss = F.cross_entropy(logits, torch.from_numpy(f["labels"]).long())
    loss.backward()

    def rel(a, b):
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))

    rows = [("output h_T", rel(h.detach(), f["output"])), ("logits", rel(logits.detach(), f["logits"])),
            ("loss", rel(loss.item(), f["loss"]))]
    rows += [(f"grad {n}", rel(model.w[k].grad, f["grads/" + n])) for n, k in names.items()]
    print(f"PyTorch {torch.__version__} against {os.path.basename(path)} (B={B} T={T} D={D} H={H} M={M})")
    print("| tensor | max |difference| / max |reference| |")
    print("|---|---|")
    for name, r in rows:
        print(f"| {name} | {r:.2e} |")
    worst = max(r for _, r in rows)
    print(f"largest: {worst:.2e}")
    return worst


def clip_per_variable(params, clipnorm):
    """Keras' clipnorm: each gradient scaled to an L2 norm of at most clipnorm, on its own."""
    grads = [p.grad for p in params]
    norms = torch._foreach_norm(grads)
    torch._foreach_mul_(grads, [torch.clamp(clipnorm / (n + 1e-12), max=1.0) for n in norms])


def time_steps(args):
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    dtype = {"float32": None, "bfloat16": torch.bfloat16}[args.dtype]
    rows = []
    for batch in [int(b) for b in args.batch.split(",")]:
        for mode in args.modes.split(","):
            torch.manual_seed(42)
            model = Enn(args.features, args.hidden, args.memory).to(device)
            params = list(model.parameters())
            opt = torch.optim.Adam(params, lr=1e-3, eps=1e-7,
                                   fused=device.type == "cuda")
            x = torch.rand(4, batch, args.seq, args.features, device=device)
            y = torch.randint(0, 10, (4, batch), device=device)
            H, M = args.hidden, args.memory

            def step(xb, yb):
                h0 = torch.randn(batch, H, device=device) * 0.01
                tr0 = torch.randn(M, H, device=device) * 0.01
                noise = torch.randn(args.seq, M, H, device=device) * 0.001
                with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
                    logits, _ = model(xb, h0, tr0, noise)
                    loss = F.cross_entropy(logits.float(), yb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                clip_per_variable(params, 1.0)
                opt.step()
                return loss

            run = torch.compile(step) if mode == "compile" else step
            t0 = time.perf_counter()
            run(x[0], y[0]).item()
            first_ms = (time.perf_counter() - t0) * 1e3
            for i in range(args.warmup):
                run(x[i % 4], y[i % 4]).item()
            ms = []
            for i in range(args.steps):
                t0 = time.perf_counter()
                loss = run(x[i % 4], y[i % 4]).item()  # ends on the host, as Session.run does
                ms.append((time.perf_counter() - t0) * 1e3)
            if not math.isfinite(loss):
                raise RuntimeError(f"loss became {loss}")
            rows.append({"model": "enn", "framework": "pytorch", "mode": mode, "dtype": args.dtype,
                         "device": str(device), "batch": batch, "seq": args.seq,
                         "features": args.features, "hidden": H, "memory": M,
                         "steps": args.steps, "median_ms": float(np.median(ms)),
                         "mean_ms": float(np.mean(ms)), "min_ms": float(np.min(ms)),
                         "first_step_ms": first_ms, "torch": torch.__version__,
                         "gpu": torch.cuda.get_device_name() if device.type == "cuda" else ""})
            print(json.dumps(rows[-1]), flush=True)
            if args.csv:  # row by row, so a run cut short by a time limit keeps what it measured
                new = not os.path.exists(args.csv)
                with open(args.csv, "a", newline="") as fh:
                    w = csv.DictWriter(fh, fieldnames=list(rows[-1]))
                    if new:
                        w.writeheader()
                    w.writerow(rows[-1])
    print("| batch | mode | dtype | median ms | mean ms | first step ms |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['batch']} | {r['mode']} | {r['dtype']} | {r['median_ms']:.2f} | "
              f"{r['mean_ms']:.2f} | {r['first_step_ms']:.0f} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", metavar="FIXTURE")
    ap.add_argument("--time", action="store_true")
    ap.add_argument("--batch", default="128,512,2048")
    ap.add_argument("--seq", type=int, default=28)
    ap.add_argument("--features", type=int, default=28)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--memory", type=int, default=64)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--modes", default="eager,compile")
    ap.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    ap.add_argument("--device")
    ap.add_argument("--csv")
    args = ap.parse_args()
    if args.check:
        check(args.check)
    if args.time:
        time_steps(args)
    if not args.check and not args.time:
        ap.error("give --check FIXTURE and/or --time")


if __name__ == "__main__":
    main()
