package engram.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Distinct seeds for TensorFlow's stateless random ops, all derived from one {@code int64[2]} base
 * seed that is fed at run time.
 *
 * <p>The trainer feeds {@code [run seed, global step]}, so every random draw in the graph (noise,
 * dropout masks) is a pure function of the run seed, the step and the draw's position in the graph.
 * That makes a resumed run repeat the draws of an uninterrupted one exactly, which stateful random
 * ops cannot do.
 */
public final class SeedStream {

  private final Operand<TInt64> base;
  private long drawn;

  /** A stream over {@code base}, an int64 vector of length 2. */
  public SeedStream(Operand<TInt64> base) {
    this.base = base;
  }

  /**
   * The next seed: {@code base + [k, 0]} for the k-th call (k = 1, 2, ...), as int32. XLA compiles
   * the stateless random ops only with int32 seeds; with int64 ones every draw stayed outside the
   * compiled step and cut it apart. Run seeds and step counts stay far below 2^31.
   */
  public Operand<TInt32> next(Ops tf) {
    drawn++;
    return tf.dtypes.cast(tf.math.add(base, tf.constant(new long[] {drawn, 0})), TInt32.class);
  }
}
