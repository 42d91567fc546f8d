"""Shared set-up for the parity scripts: a deterministic CPU TensorFlow and recorded random draws.

tensorflow-engram draws h0, trace0 and the per-step trace noise with tf.random.normal. The
recorder replaces that function: each draw comes from a seeded NumPy generator, is recorded under a
name (h0, trace0, noise/t00, ...) and is returned to the package's code, so the Java side can
inject exactly the same values.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # oneDNN changes MatMul/reduction numerics on x86
os.environ["CUDA_VISIBLE_DEVICES"] = "-1"

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402



def configure(threads):
    """Fixes TensorFlow's thread pools (one thread makes reductions run in a fixed order)."""
    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    return tf, np


def versions():
    import importlib.metadata as md
    import keras

    return {
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "tensorflow-engram": md.version("tensorflow-engram"),
    }


class DrawRecorder:
    """Stands in for tf.random.normal: seeded NumPy draws, recorded by name in call order."""

    def __init__(self, seed, zeros=False):
        self.rng = np.random.default_rng(seed)
        self.zeros = zeros
        self.names = []
        self.values = []
        self.replay = None
        self._original = None

    def name_next(self, name):
        self.names.append(name)

    def __call__(self, shape, mean=0.0, stddev=1.0, dtype=tf.float32, seed=None, name=None):
        shape = [int(d) for d in shape]
        if self.replay is not None:
            return tf.constant(self.replay.pop(0), dtype=dtype)
        if self.zeros:
            value = np.zeros(shape, np.float32)
        else:
            value = (self.rng.standard_normal(shape) * stddev + mean).astype(np.float32)
        self.values.append(value)
        return tf.constant(value, dtype=dtype)

    def __enter__(self):
        self._original = tf.random.normal
        tf.random.normal = self
        return self

    def __exit__(self, *exc):
        tf.random.normal = self._original
        return False


class Capture:
    """Records the outputs of tf.nn.softmax (attention A) and tf.concat ([z | m | h_prev])."""

    def __init__(self):
        self.softmax = []
        self.concat = []

    def __enter__(self):
        self._softmax, self._concat = tf.nn.softmax, tf.concat

        def softmax(logits, axis=None, name=None):
            out = self._softmax(logits, axis=axis, name=name)
            self.softmax.append(out)
            return out

        def concat(values, axis, name="concat"):
            out = self._concat(values, axis, name=name)
            self.concat.append(out)
            return out

        tf.nn.softmax, tf.concat = softmax, concat
        return self

    def __exit__(self, *exc):
        tf.nn.softmax, tf.concat = self._softmax, self._concat
        return False
