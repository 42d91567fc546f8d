package engram.cells;

import engram.ops.Scalars;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * H-Mem's Hebbian store (Limbacher &amp; Legenstein 2020; {@code WritingCell} of the released
 * code). Each step writes one key/value pair into a hetero-associative matrix:
 *
 * <pre>
 *  (1) M_t = M_{t-1} + gamma+ (w_max - M_{t-1}) * (k_t v_t^T) - gamma- M_{t-1} * (k_t^2 1^T)
 * </pre>
 *
 * Shapes: input {@code [k_t | v_t]} [B, 2m]; memory M [B, m, m] with M[i, j] the association of key
 * unit i with value unit j; M_0 = 0. The step's output is M_t. gamma+, gamma- and w_max are fixed
 * (the released code never learns them). As in the code, the depression term uses the square of the
 * key. Keys and values of padded statements are zero, so their steps leave M unchanged without a
 * mask.
 *
 * <p>The step is bound by memory traffic over the [B, m, m] tensors, not by arithmetic, so the
 * state holds the shifted memory N = M - w_max and (1) is computed in the equivalent form
 *
 * <pre>
 *  (2) A_t = (1 - gamma- k_t^2) 1^T - gamma+ k_t v_t^T = [1 - gamma- k_t^2, -gamma+ k_t] [1; v_t^T]
 *  (3) N_t = N_{t-1} * A_t - w_max gamma- k_t^2 1^T,    N_0 = -w_max,    M_t = N_t + w_max
 * </pre>
 *
 * where (2) is one rank-2 batched matmul: a step reads or writes a [B, m, m] tensor 6 times forward
 * and 9 times backward, about half as often as an elementwise transcription of (1) with automatic
 * gradients. Read M through {@link #memory}.
 */
public final class HMemStoreCell<T extends TFloating> implements RecurrentCell<T> {

  /** State name: the association matrix minus w_max (see {@link #memory}). */
  public static final String SHIFTED_MEMORY = "memory_minus_w_max";

  private final int memorySize;
  private final double gammaPos;
  private final double gammaNeg;
  private final double wMax;
  private final Class<T> type;

  public HMemStoreCell(
      int memorySize, double gammaPos, double gammaNeg, double wMax, Class<T> type) {
    if (memorySize <= 0) {
      throw new IllegalArgumentException("memory size must be > 0, got " + memorySize);
    }
    this.memorySize = memorySize;
    this.gammaPos = gammaPos;
    this.gammaNeg = gammaNeg;
    this.wMax = wMax;
    this.type = type;
  }

  @Override
  public int inputSize() {
    return 2 * memorySize;
  }

  /** The flattened memory, m * m. */
  @Override
  public int outputSize() {
    return memorySize * memorySize;
  }

  @Override
  public State<T> initialState(Ops tf, Operand<TInt32> batchSize, NoiseSource noise) {
    return State.of(
        SHIFTED_MEMORY,
        tf.fill(
            tf.concat(
                List.of(batchSize, tf.constant(new int[] {memorySize, memorySize})),
                tf.constant(0)),
            Scalars.of(tf, -wMax, type))); // M_0 = 0
  }

  /** The association matrix M [B, m, m] of a state of this cell. */
  public Operand<T> memory(Ops tf, State<T> state) {
    return tf.math.add(state.get(SHIFTED_MEMORY), Scalars.of(tf, wMax, type));
  }

  @Override
  public Step<T> step(Ops tf, Operand<T> x, State<T> state, int t, NoiseSource noise) {
    List<Output<T>> kv = tf.split(tf.constant(1), x, 2L).output();
    Operand<T> k = tf.expandDims(kv.get(0), tf.constant(2)); // [B, m, 1]
    Operand<T> v = tf.expandDims(kv.get(1), tf.constant(1)); // [B, 1, m]
    Operand<T> square = tf.math.square(k);
    Operand<T> keep =
        tf.math.sub(Scalars.of(tf, 1.0, type), tf.math.mul(Scalars.of(tf, gammaNeg, type), square));
    Operand<T> left =
        tf.concat(
            List.of(keep, tf.math.mul(Scalars.of(tf, -gammaPos, type), k)),
            tf.constant(2)); // [B, m, 2]
    // ones from ZerosLike, which (unlike OnesLike) is registered as having no gradient
    Operand<T> ones = tf.math.add(tf.zerosLike(v), Scalars.of(tf, 1.0, type));
    Operand<T> right = tf.concat(List.of(ones, v), tf.constant(1)); // [B, 2, m]
    Operand<T> a = tf.train.batchMatMul(left, right, type); // (2)
    // an Add of a negated [B, m, 1] term: Sub's gradient would negate the whole [B, m, m] one
    Operand<T> next =
        tf.math.add(
            tf.math.mul(state.get(SHIFTED_MEMORY), a),
            tf.math.mul(Scalars.of(tf, -wMax * gammaNeg, type), square)); // (3)
    State<T> after = State.of(SHIFTED_MEMORY, next);
    return new Step<>(memory(tf, after), after);
  }
}
