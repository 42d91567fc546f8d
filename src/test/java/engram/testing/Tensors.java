package engram.testing;

import java.util.Arrays;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/** Host-side helpers for tests: build tensors from arrays and read them back as doubles. */
public final class Tensors {

  private Tensors() {}

  public static TFloat64 f64(double[] values, long... shape) {
    check(values.length, shape);
    return TFloat64.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
  }

  public static TFloat32 f32(double[] values, long... shape) {
    check(values.length, shape);
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(f, true, false));
  }

  /** Every element of a float32 or float64 tensor, row-major, as doubles. */
  public static double[] read(Tensor t) {
    if (t instanceof TFloat64 d) {
      double[] out = new double[(int) d.shape().size()];
      d.asRawTensor().data().asDoubles().read(out);
      return out;
    }
    if (t instanceof TFloat32 f) {
      float[] tmp = new float[(int) f.shape().size()];
      f.asRawTensor().data().asFloats().read(tmp);
      double[] out = new double[tmp.length];
      for (int i = 0; i < tmp.length; i++) {
        out[i] = tmp[i];
      }
      return out;
    }
    throw new IllegalArgumentException("not a floating tensor: " + t.dataType());
  }

  /** max |a - b| / max |b| (the relative error used throughout engram's tests). */
  public static double relativeError(double[] actual, double[] expected) {
    if (actual.length != expected.length) {
      throw new IllegalArgumentException(actual.length + " vs " + expected.length + " elements");
    }
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < actual.length; i++) {
      diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    return scale == 0 ? diff : diff / scale;
  }

  /** Deterministic pseudo-random values in [-scale, scale). */
  public static double[] uniform(long seed, int n, double scale) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (2 * r.nextDouble() - 1) * scale;
    }
    return v;
  }

  private static void check(int n, long... shape) {
    long size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    if (size != n) {
      throw new IllegalArgumentException(n + " values for shape " + Arrays.toString(shape));
    }
  }
}
