package engram.cells;

import engram.ops.Scalars;
import engram.ops.SeedStream;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * Where a cell's random draws come from. Every draw has a name ({@code h0}, {@code trace0}, {@code
 * noise/t03}, ...), so a test or a parity harness can inject exact values for each one.
 */
public interface NoiseSource {

  /** A tensor of {@code shape} with entries ~ N(0, stddev^2), for the draw called {@code name}. */
  <T extends TFloating> Operand<T> normal(
      Ops tf, String name, Operand<TInt32> shape, double stddev, Class<T> type);

  /**
   * Fresh draws from TensorFlow's stateless normal op, seeded from {@code seeds}; like the
   * reference's {@code tf.random.normal(shape, 0, stddev)} but reproducible per step.
   */
  static NoiseSource seeded(SeedStream seeds) {
    return new NoiseSource() {
      @Override
      public <T extends TFloating> Operand<T> normal(
          Ops tf, String name, Operand<TInt32> shape, double stddev, Class<T> type) {
        return tf.math.mul(
            tf.random.statelessRandomNormal(shape, seeds.next(tf), type),
            Scalars.of(tf, stddev, type));
      }
    };
  }

  /**
   * All draws are zero: the deterministic inference mode (no trace noise, zero initial hidden state
   * and trace). The reference package has no such mode; engram uses it for evaluation and export so
   * a prediction does not depend on a random draw.
   */
  static NoiseSource zeros() {
    return new NoiseSource() {
      @Override
      public <T extends TFloating> Operand<T> normal(
          Ops tf, String name, Operand<TInt32> shape, double stddev, Class<T> type) {
        // Fill, not tf.zeros: that helper opens a sub-scope, which scans the whole graph.
        return tf.fill(shape, Scalars.of(tf, 0.0, type));
      }
    };
  }
}
