package engram.nn;

import engram.ops.Scalars;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.Qr;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * Keras 3 weight initializers, built as seeded stateless graph ops so a seed always gives the same
 * tensor. The distributions follow {@code keras/src/initializers} exactly (the random streams
 * cannot match Python's). Unlike tensorflow-framework's {@code VarianceScaling}, uniform draws span
 * {@code [-limit, limit]}, not {@code [0, limit)}.
 */
public sealed interface Initializer {

  /** The initial value of a variable of {@code shape}, drawn from {@code seed} (int64[2]). */
  <T extends TFloating> Operand<T> create(
      Ops tf, long[] shape, Class<T> type, Operand<TInt64> seed);

  /** All zeros (Keras "zeros"; default for biases). */
  static Initializer zeros() {
    return new Constant(0.0);
  }

  /** All ones (Keras "ones"; default for LayerNormalization gamma). */
  static Initializer ones() {
    return new Constant(1.0);
  }

  /** Keras "glorot_uniform": U(-l, l), l = sqrt(6 / (fan_in + fan_out)). */
  static Initializer glorotUniform() {
    return new VarianceScaling(1.0, FanMode.FAN_AVG, Distribution.UNIFORM);
  }

  /** Keras "he_normal": truncated normal, stddev = sqrt(2 / fan_in) / 0.8796..., cut at 2 sd. */
  static Initializer heNormal() {
    return new VarianceScaling(2.0, FanMode.FAN_IN, Distribution.TRUNCATED_NORMAL);
  }

  /** Keras "he_uniform": U(-l, l), l = sqrt(6 / fan_in) (H-Mem's kernels and embedding). */
  static Initializer heUniform() {
    return new VarianceScaling(2.0, FanMode.FAN_IN, Distribution.UNIFORM);
  }

  /** Keras "orthogonal" with gain 1 (default recurrent kernel of SimpleRNN, GRU and LSTM). */
  static Initializer orthogonal() {
    return new Orthogonal(1.0);
  }

  /** Keras "uniform" (RandomUniform(-0.05, 0.05); the default of its Embedding layer). */
  static Initializer embeddingUniform() {
    return new Uniform(0.05);
  }

  /** U(-limit, limit). */
  record Uniform(double limit) implements Initializer {
    @Override
    public <T extends TFloating> Operand<T> create(
        Ops tf, long[] shape, Class<T> type, Operand<TInt64> seed) {
      Operand<T> u = tf.random.statelessRandomUniform(tf.constant(shape), seed, type);
      return tf.math.add(
          Scalars.of(tf, -limit, type), tf.math.mul(u, Scalars.of(tf, 2 * limit, type)));
    }
  }

  /** A constant value. */
  record Constant(double value) implements Initializer {
    @Override
    public <T extends TFloating> Operand<T> create(
        Ops tf, long[] shape, Class<T> type, Operand<TInt64> seed) {
      return tf.fill(tf.constant(shape), Scalars.of(tf, value, type));
    }
  }

  /** How {@link VarianceScaling} counts fans. */
  enum FanMode {
    FAN_IN,
    FAN_OUT,
    FAN_AVG
  }

  /** The distribution {@link VarianceScaling} draws from. */
  enum Distribution {
    TRUNCATED_NORMAL,
    UNTRUNCATED_NORMAL,
    UNIFORM
  }

  /** Keras {@code VarianceScaling}: variance {@code scale / fan}, fan chosen by {@code mode}. */
  record VarianceScaling(double scale, FanMode mode, Distribution distribution)
      implements Initializer {

    /** Stddev of a unit normal truncated to [-2, 2]; Keras divides by it to keep the variance. */
    static final double TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

    public VarianceScaling {
      if (!(scale > 0)) {
        throw new IllegalArgumentException("VarianceScaling.scale must be > 0, got " + scale);
      }
    }

    @Override
    public <T extends TFloating> Operand<T> create(
        Ops tf, long[] shape, Class<T> type, Operand<TInt64> seed) {
      double[] fans = fans(shape);
      double fan =
          switch (mode) {
            case FAN_IN -> fans[0];
            case FAN_OUT -> fans[1];
            case FAN_AVG -> (fans[0] + fans[1]) / 2.0;
          };
      double variance = scale / Math.max(1.0, fan);
      Operand<TInt64> dims = tf.constant(shape);
      return switch (distribution) {
        case TRUNCATED_NORMAL ->
            tf.math.mul(
                tf.random.statelessTruncatedNormal(dims, seed, type),
                Scalars.of(tf, Math.sqrt(variance) / TRUNCATED_NORMAL_STDDEV, type));
        case UNTRUNCATED_NORMAL ->
            tf.math.mul(
                tf.random.statelessRandomNormal(dims, seed, type),
                Scalars.of(tf, Math.sqrt(variance), type));
        case UNIFORM -> {
          double limit = Math.sqrt(3.0 * variance);
          Operand<T> u = tf.random.statelessRandomUniform(dims, seed, type);
          yield tf.math.add(
              Scalars.of(tf, -limit, type), tf.math.mul(u, Scalars.of(tf, 2 * limit, type)));
        }
      };
    }

    /** Keras {@code compute_fans}: (fan_in, fan_out) of a weight shape. */
    static double[] fans(long[] shape) {
      if (shape.length == 0) {
        return new double[] {1, 1};
      }
      if (shape.length == 1) {
        return new double[] {shape[0], shape[0]};
      }
      double receptiveField = 1;
      for (int i = 0; i < shape.length - 2; i++) {
        receptiveField *= shape[i];
      }
      return new double[] {
        shape[shape.length - 2] * receptiveField, shape[shape.length - 1] * receptiveField
      };
    }
  }

  /**
   * Keras {@code Orthogonal}: QR of a normal matrix of shape (max(r,c), min(r,c)), Q's columns
   * signed by diag(R), transposed when rows < cols, times {@code gain}; r = prod(shape[:-1]).
   */
  record Orthogonal(double gain) implements Initializer {
    @Override
    public <T extends TFloating> Operand<T> create(
        Ops tf, long[] shape, Class<T> type, Operand<TInt64> seed) {
      if (shape.length < 2) {
        throw new IllegalArgumentException(
            "Orthogonal needs a shape of rank >= 2, got rank " + shape.length);
      }
      long rows = 1;
      for (int i = 0; i < shape.length - 1; i++) {
        rows *= shape[i];
      }
      long cols = shape[shape.length - 1];
      Operand<T> a =
          tf.random.statelessRandomNormal(
              tf.constant(new long[] {Math.max(rows, cols), Math.min(rows, cols)}), seed, type);
      Qr<T> qr = tf.linalg.qr(a);
      Operand<T> diag =
          tf.linalg.matrixDiagPartV3(qr.r(), tf.constant(0), Scalars.of(tf, 0.0, type));
      Operand<T> q = tf.math.mul(qr.q(), tf.math.sign(diag));
      if (rows < cols) {
        q = tf.linalg.transpose(q, tf.constant(new int[] {1, 0}));
      }
      return tf.math.mul(Scalars.of(tf, gain, type), tf.reshape(q, tf.constant(shape)));
    }
  }

  /**
   * Splits the last axis into equal blocks, each with its own initializer; e.g. Keras LSTM's {@code
   * unit_forget_bias}: [zeros(U), ones(U), zeros(2U)] as four blocks of U.
   */
  record Blocks(List<Initializer> parts) implements Initializer {
    public Blocks {
      parts = List.copyOf(parts);
      if (parts.isEmpty()) {
        throw new IllegalArgumentException("Blocks needs at least one initializer");
      }
    }

    @Override
    public <T extends TFloating> Operand<T> create(
        Ops tf, long[] shape, Class<T> type, Operand<TInt64> seed) {
      int last = shape.length - 1;
      if (last < 0 || shape[last] % parts.size() != 0) {
        throw new IllegalArgumentException(
            "Blocks: last dimension of "
                + java.util.Arrays.toString(shape)
                + " is not divisible into "
                + parts.size()
                + " blocks");
      }
      long[] blockShape = shape.clone();
      blockShape[last] = shape[last] / parts.size();
      List<Operand<T>> blocks = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        Operand<TInt64> blockSeed =
            tf.math.add(seed, tf.constant(new long[] {0, 1_000_003L * (i + 1)}));
        blocks.add(parts.get(i).create(tf, blockShape, type, blockSeed));
      }
      return tf.concat(blocks, tf.constant(last));
    }
  }
}
