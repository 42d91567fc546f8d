"""Fails if freshly generated cell fixtures drift from the committed ones.

Usage: python compare.py COMMITTED_DIR FRESH_DIR

What it compares, and why it is portable across CPU kinds:
- exactly: the package versions and every configuration (name, sizes, options, recorded steps), and
  the arrays the harness makes itself with numpy's seeded generator (x, labels, weights/*). numpy's
  generators are bit-reproducible on every CPU, so any difference here is a changed harness;
- within the bounds of engram's Java parity tests (EngramCellParityTest: 1e-5 relative for draws,
  per-step tensors, outputs, logits and loss; 1e-4 for gradients): everything TensorFlow computes.
  TensorFlow's CPU kernels pick different SIMD paths on different CPUs, which moves the last bits
  (measured: up to 3.0e-6 on an AVX-512 Xeon, 2.5e-6 on an AMD EPYC, against fixtures recorded on
  a third machine). A package change below these bounds could not change any parity verdict, and
  every real change seen so far (temperature, trace rule, layer norm) moves them by 1e-2 or more.

Relative error of an array = max|a - b| / max|a|. The report lists the worst error per kind of array.
"""
import json
import sys
from pathlib import Path

import numpy as np

EXACT = ("x", "labels", "weights")
# Keep in step with EngramCellParityTest.STEP_TOLERANCE and GRADIENT_TOLERANCE.
TOLERANCE = {"grads": 1e-4}
DEFAULT_TOLERANCE = 1e-5


def kind(key):
    return key.split("/")[0]


def relative_error(u, v):
    if u.size == 0:
        return 0.0
    scale = float(np.max(np.abs(u))) or 1.0
    return float(np.max(np.abs(u.astype(np.float64) - v.astype(np.float64)))) / scale


def main(committed, fresh):
    committed, fresh = Path(committed), Path(fresh)
    a = json.loads((committed / "manifest.json").read_text())
    b = json.loads((fresh / "manifest.json").read_text())
    problems = []
    if a["versions"] != b["versions"]:
        problems.append(f"package versions differ: committed {a['versions']}, fresh {b['versions']}")
    if a["configs"] != b["configs"] or a.get("num_classes") != b.get("num_classes"):
        problems.append("the configurations differ; regenerate the committed fixtures")
        a["configs"] = [c for c in a["configs"] if c in b["configs"]]
    worst = {}
    identical = total = 0
    for cfg in a["configs"]:
        x, y = np.load(committed / cfg["file"]), np.load(fresh / cfg["file"])
        if sorted(x.files) != sorted(y.files):
            problems.append(f"{cfg['name']}: different arrays")
            continue
        for k in x.files:
            u, v = x[k], y[k]
            if u.shape != v.shape or u.dtype != v.dtype:
                problems.append(f"{cfg['name']} {k}: {u.dtype}{u.shape} vs {v.dtype}{v.shape}")
                continue
            total += 1
            identical += int(np.array_equal(u, v))
            err = relative_error(u, v)
            worst[kind(k)] = max(worst.get(kind(k), 0.0), err)
            if kind(k) in EXACT:
                if not np.array_equal(u, v):
                    problems.append(f"{cfg['name']} {k}: harness input differs (error {err:.2e})")
            elif err > TOLERANCE.get(kind(k), DEFAULT_TOLERANCE):
                bound = TOLERANCE.get(kind(k), DEFAULT_TOLERANCE)
                problems.append(f"{cfg['name']} {k}: relative difference {err:.2e} > {bound:.0e}")
    for p in problems:
        print("parity fixture drift:", p, file=sys.stderr)
    summary = ", ".join(f"{k} {e:.1e}" for k, e in sorted(worst.items()))
    print(f"compared {len(a['configs'])} configurations with the committed fixtures: "
          f"{identical} of {total} arrays bit-identical; worst relative difference by kind: {summary}")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python compare.py COMMITTED_DIR FRESH_DIR")
    sys.exit(main(sys.argv[1], sys.argv[2]))
