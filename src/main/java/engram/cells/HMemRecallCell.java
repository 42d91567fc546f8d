package engram.cells;

import engram.nn.Initializer;
import engram.nn.Param;
import engram.nn.ParamSet;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * H-Mem's recurrent recall ({@code ReadingCell} of the released code). Query n reads the
 * association matrix M with a key built from the question and the previous answer:
 *
 * <pre>
 *  (1) k_n = ReLU([q | v_{n-1}] W_r)          key, no bias
 *  (2) v_n = M^T k_n,  v_n[j] = sum_i k_n[i] M[i, j],   v_0 = 0
 * </pre>
 *
 * Shapes: q [B, d]; v [B, m]; M [B, m, m]; W_r [d + m, m] "kernel" (he_uniform; L2-penalised by the
 * model). With one query (N = 1) this is the feed-forward H-Mem.
 */
public final class HMemRecallCell<T extends TFloating> {

  private final Param<T> kernel;

  public HMemRecallCell(ParamSet<T> params, int querySize, int memorySize) {
    this.kernel =
        params.create("kernel", Initializer.heUniform(), true, querySize + memorySize, memorySize);
  }

  /** The key weights W_r. */
  public Param<T> kernel() {
    return kernel;
  }

  /** One query: {@code v_n} [B, m] from {@code q} [B, d], {@code v_{n-1}} and {@code memory}. */
  public Operand<T> step(Ops tf, Operand<T> q, Operand<T> vPrev, Operand<T> memory) {
    Operand<T> key =
        tf.nn.relu(
            tf.linalg.matMul(tf.concat(List.of(q, vPrev), tf.constant(1)), kernel.value())); // (1)
    Operand<T> read =
        tf.train.batchMatMul(tf.expandDims(key, tf.constant(1)), memory, key.type()); // (2) [B,1,m]
    return tf.squeeze(read, org.tensorflow.op.core.Squeeze.axis(List.of(1L)));
  }
}
