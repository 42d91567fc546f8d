"""Writes the released H-Mem association generator's output as pair ids, for engram's tests.

It runs `_create_dataset` of IGITUGraz/H-Mem's `data/image_association_data.py` (pass the file with
--released) on pair ids instead of images. `_combine_data` lays the pairs out class by class, the
first n images of every class (train n = 5000, test n = 892), so pair id k = class * n + rank
stands for the rank-th CIFAR image of that class and the rank-th MNIST image of that digit; the
output depends on n alone. One CSV row per sequence, in the released order:
cifar0,cifar1,cifar2,mnist0,mnist1,mnist2,query,label.

    python parity/association_indices.py --released H-Mem/data/image_association_data.py \
        --per-class 892 --out src/test/resources/association/test-892.csv.gz
"""
import argparse
import gzip
import importlib.util
import sys
import types

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--released", required=True)
parser.add_argument("--per-class", type=int, required=True)
parser.add_argument("--out", required=True)
args = parser.parse_args()

# The released module imports TensorFlow and its image helpers at load time; the part run here
# needs neither (merge=False), so empty stand-ins keep this script free of both.
sys.modules["tensorflow"] = types.ModuleType("tensorflow")
utils = types.ModuleType("utils")
utils.image_manipulation = types.ModuleType("utils.image_manipulation")
sys.modules["utils"] = utils
sys.modules["utils.image_manipulation"] = utils.image_manipulation
spec = importlib.util.spec_from_file_location("released", args.released)
released = importlib.util.module_from_spec(spec)
spec.loader.exec_module(released)

n = args.per_class
ids = np.arange(10 * n).reshape(-1, 1)
labels = np.repeat(np.arange(10), n)
(a, b, c), y = released._create_dataset((ids, ids), labels, timesteps=3, merge=False, seed=42)
rows = np.concatenate([a.reshape(-1, 3), b.reshape(-1, 3), c.reshape(-1, 1), y.reshape(-1, 1)], 1)
with gzip.open(args.out, "wt") as f:
    for r in rows.astype(np.int64):
        f.write(",".join(str(v) for v in r) + "\n")
print(args.out, rows.shape[0], "sequences")
