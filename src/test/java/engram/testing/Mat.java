package engram.testing;

/**
 * Plain double-precision matrix arithmetic, row-major, for independent reference computations in
 * tests. Deliberately naive: it is the yardstick, not the thing measured.
 */
public final class Mat {

  private Mat() {}

  /** a [n,k] x b [k,m]. */
  public static double[] matmul(double[] a, double[] b, int n, int k, int m) {
    double[] c = new double[n * m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          s += a[i * k + p] * b[p * m + j];
        }
        c[i * m + j] = s;
      }
    }
    return c;
  }

  /** a [n,k] x b^T where b is [m,k]. */
  public static double[] matmulT(double[] a, double[] b, int n, int k, int m) {
    double[] c = new double[n * m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          s += a[i * k + p] * b[j * k + p];
        }
        c[i * m + j] = s;
      }
    }
    return c;
  }

  /** Adds row vector {@code bias [m]} to every row of {@code a [n,m]}. */
  public static double[] addRow(double[] a, double[] bias) {
    double[] c = a.clone();
    for (int i = 0; i < c.length; i++) {
      c[i] += bias[i % bias.length];
    }
    return c;
  }

  public static double[] add(double[] a, double[] b) {
    double[] c = new double[a.length];
    for (int i = 0; i < c.length; i++) {
      c[i] = a[i] + b[i];
    }
    return c;
  }

  public static double[] relu(double[] a) {
    double[] c = new double[a.length];
    for (int i = 0; i < c.length; i++) {
      c[i] = Math.max(0, a[i]);
    }
    return c;
  }

  public static double[] tanh(double[] a) {
    double[] c = new double[a.length];
    for (int i = 0; i < c.length; i++) {
      c[i] = Math.tanh(a[i]);
    }
    return c;
  }

  public static double sigmoid(double x) {
    return 1.0 / (1.0 + Math.exp(-x));
  }

  /** Columns {@code [from, from+width)} of {@code a [n, cols]}. */
  public static double[] columns(double[] a, int n, int cols, int from, int width) {
    double[] c = new double[n * width];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a, i * cols + from, c, i * width, width);
    }
    return c;
  }

  /** Row-wise concatenation of {@code [n, w_i]} blocks. */
  public static double[] concatColumns(int n, double[]... blocks) {
    int total = 0;
    int[] widths = new int[blocks.length];
    for (int b = 0; b < blocks.length; b++) {
      widths[b] = blocks[b].length / n;
      total += widths[b];
    }
    double[] c = new double[n * total];
    for (int i = 0; i < n; i++) {
      int off = 0;
      for (int b = 0; b < blocks.length; b++) {
        System.arraycopy(blocks[b], i * widths[b], c, i * total + off, widths[b]);
        off += widths[b];
      }
    }
    return c;
  }

  /** Layer normalisation of each row: (x - mean) / sqrt(var + eps) * gamma + beta. */
  public static double[] layerNorm(
      double[] x, int n, int h, double[] gamma, double[] beta, double eps) {
    double[] y = new double[x.length];
    for (int i = 0; i < n; i++) {
      double mean = 0;
      for (int j = 0; j < h; j++) {
        mean += x[i * h + j];
      }
      mean /= h;
      double var = 0;
      for (int j = 0; j < h; j++) {
        double d = x[i * h + j] - mean;
        var += d * d;
      }
      var /= h;
      for (int j = 0; j < h; j++) {
        y[i * h + j] = (x[i * h + j] - mean) / Math.sqrt(var + eps) * gamma[j] + beta[j];
      }
    }
    return y;
  }

  /** Each row divided by max(its L2 norm, sqrt(eps)). */
  public static double[] l2Normalize(double[] x, int n, int h, double eps) {
    double[] y = new double[x.length];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < h; j++) {
        s += x[i * h + j] * x[i * h + j];
      }
      double inv = 1.0 / Math.sqrt(Math.max(s, eps));
      for (int j = 0; j < h; j++) {
        y[i * h + j] = x[i * h + j] * inv;
      }
    }
    return y;
  }

  /** Row-wise softmax. */
  public static double[] softmax(double[] x, int n, int m) {
    double[] y = new double[x.length];
    for (int i = 0; i < n; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < m; j++) {
        max = Math.max(max, x[i * m + j]);
      }
      double s = 0;
      for (int j = 0; j < m; j++) {
        y[i * m + j] = Math.exp(x[i * m + j] - max);
        s += y[i * m + j];
      }
      for (int j = 0; j < m; j++) {
        y[i * m + j] /= s;
      }
    }
    return y;
  }
}
