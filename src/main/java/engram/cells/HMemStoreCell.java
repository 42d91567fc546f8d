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
 * mask. The update is computed in the equivalent form {@code M (1 - gamma- k^2 - U) + w_max U} with
 * {@code U = gamma+ k v^T}, which touches the m x m memory three times instead of eight.
 */
public final class HMemStoreCell<T extends TFloating> implements RecurrentCell<T> {

  /** State name: the association matrix. */
  public static final String MEMORY = "memory";

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
        MEMORY,
        tf.zeros(
            tf.concat(
                List.of(batchSize, tf.constant(new int[] {memorySize, memorySize})),
                tf.constant(0)),
            type));
  }

  @Override
  public Step<T> step(Ops tf, Operand<T> x, State<T> state, int t, NoiseSource noise) {
    List<Output<T>> kv = tf.split(tf.constant(1), x, 2L).output();
    Operand<T> k = tf.expandDims(kv.get(0), tf.constant(2)); // [B, m, 1]
    Operand<T> v = tf.expandDims(kv.get(1), tf.constant(1)); // [B, 1, m]
    Operand<T> memory = state.get(MEMORY);
    // (1) rearranged so that only three ops touch [B, m, m] tensors (the step is memory-bound):
    //     M_t = M * A + w_max U,  U = gamma+ k v^T,  A = (1 - gamma- k^2) - U
    Operand<T> u = tf.math.mul(tf.math.mul(Scalars.of(tf, gammaPos, type), k), v);
    Operand<T> keep =
        tf.math.sub(
            Scalars.of(tf, 1.0, type),
            tf.math.mul(Scalars.of(tf, gammaNeg, type), tf.math.square(k)));
    Operand<T> decayed = tf.math.mul(memory, tf.math.sub(keep, u));
    Operand<T> next =
        wMax == 1.0
            ? tf.math.add(decayed, u)
            : tf.math.add(decayed, tf.math.mul(Scalars.of(tf, wMax, type), u));
    return new Step<>(next, State.of(MEMORY, next));
  }
}
