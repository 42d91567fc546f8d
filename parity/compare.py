"""Fails if freshly generated cell fixtures differ from the committed ones.

Usage: python compare.py COMMITTED_DIR FRESH_DIR
Every array must have the same keys, shapes and values within 1e-6 relative error (max|a-b| /
max|a| per array); on one kind of CPU they are bit-identical.
"""
import json
import sys
from pathlib import Path

import numpy as np

TOLERANCE = 1e-6


def main(committed, fresh):
    committed, fresh = Path(committed), Path(fresh)
    a = json.loads((committed / "manifest.json").read_text())
    b = json.loads((fresh / "manifest.json").read_text())
    problems = []
    if a["versions"] != b["versions"]:
        problems.append(f"package versions differ: committed {a['versions']}, fresh {b['versions']}")
    if [c["name"] for c in a["configs"]] != [c["name"] for c in b["configs"]]:
        problems.append("the configurations differ; regenerate the committed fixtures")
    worst = 0.0
    for cfg in a["configs"]:
        x, y = np.load(committed / cfg["file"]), np.load(fresh / cfg["file"])
        if sorted(x.files) != sorted(y.files):
            problems.append(f"{cfg['name']}: different arrays")
            continue
        for k in x.files:
            u, v = x[k], y[k]
            if u.shape != v.shape:
                problems.append(f"{cfg['name']} {k}: shape {u.shape} vs {v.shape}")
                continue
            scale = float(np.max(np.abs(u))) if u.size else 0.0
            err = float(np.max(np.abs(u.astype(np.float64) - v))) / (scale or 1.0) if u.size else 0.0
            worst = max(worst, err)
            if err > TOLERANCE:
                problems.append(f"{cfg['name']} {k}: relative difference {err:.2e}")
    for p in problems:
        print("parity fixture drift:", p, file=sys.stderr)
    print(f"compared {len(a['configs'])} configurations with the committed fixtures: "
          f"max relative difference {worst:.1e}")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python compare.py COMMITTED_DIR FRESH_DIR")
    sys.exit(main(sys.argv[1], sys.argv[2]))
