package engram.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.family.TType;

/**
 * Gradients of a scalar {@code y} with respect to {@code xs}, where a weight that an unrolled
 * recurrence multiplies once per step gets its gradient from one large matrix product instead of T
 * small ones and their sum.
 *
 * <p>For a weight W read by MatMuls {@code out_t = a_t W} (t = 1..T), {@code dy/dW = sum_t a_t^T
 * g_t} with {@code g_t = dy/dout_t}. TensorFlow's symbolic gradient builds that as T matmuls of
 * shape {@code [K, B] x [B, N]} and an AddN; here the builder is asked for the {@code g_t} instead,
 * and the sum becomes {@code [a_1; ..; a_T]^T [g_1; ..; g_T]}, one {@code [K, T*B] x [T*B, N]}
 * product: the same value in another summation order, and T-1 fewer kernels per weight. The inputs
 * {@code a_t} still get their own gradients {@code g_t W^T} through the chain, as before.
 *
 * <p>A weight qualifies when every use of it on the way to {@code y} is the right operand of a
 * plain MatMul (no transposes) and there are at least two; any other x is differentiated as usual.
 */
public final class SharedWeightGradients {

  private SharedWeightGradients() {}

  /** The gradients, in the order of {@code xs}, and how many xs were summed in one product. */
  public record Result(Output<?>[] gradients, int batched) {}

  /**
   * {@code dy/dx} for every x; an entry is null (or closed) where x does not influence y.
   *
   * @param prefix name prefix of the gradient ops (unique in the graph)
   */
  public static Result of(Graph graph, String prefix, Operand<?> y, List<Output<?>> xs) {
    Set<String> upstream = GraphWalk.ancestors(List.of(y));
    List<List<GraphOperation>> uses = new ArrayList<>();
    List<Output<?>> wanted = new ArrayList<>();
    for (Output<?> x : xs) {
      List<GraphOperation> matmuls = sharedMatMuls(x, upstream);
      uses.add(matmuls);
      if (matmuls == null) {
        wanted.add(x);
      } else {
        matmuls.forEach(m -> wanted.add(m.output(0)));
      }
    }
    Output<?>[] grads =
        graph.addGradients(
            prefix, new Output<?>[] {y.asOutput()}, wanted.toArray(Output<?>[]::new), null);

    Ops tf = null;
    Output<?>[] out = new Output<?>[xs.size()];
    int at = 0;
    int batched = 0;
    for (int i = 0; i < xs.size(); i++) {
      List<GraphOperation> matmuls = uses.get(i);
      if (matmuls == null) {
        out[i] = grads[at++];
        continue;
      }
      List<Operand<TType>> a = new ArrayList<>();
      List<Operand<TType>> g = new ArrayList<>();
      for (GraphOperation m : matmuls) {
        Output<?> gt = grads[at++];
        if (gt != null && !gt.isClosed()) {
          a.add(cast(m.input(0)));
          g.add(cast(gt));
        }
      }
      if (a.isEmpty()) {
        out[i] = null;
        continue;
      }
      if (tf == null) {
        tf = Ops.create(graph).withSubScope(prefix.replace('/', '_') + "_shared"); // once: it scans
      }
      Operand<TType> stackedA = a.size() == 1 ? a.get(0) : tf.concat(a, tf.constant(0));
      Operand<TType> stackedG = g.size() == 1 ? g.get(0) : tf.concat(g, tf.constant(0));
      out[i] = tf.linalg.matMul(stackedA, stackedG, MatMul.transposeA(true)).asOutput();
      batched++;
    }
    return new Result(out, batched);
  }

  @SuppressWarnings("unchecked")
  private static Operand<TType> cast(Output<?> o) {
    return (Operand<TType>) o;
  }

  /** The MatMuls upstream of y that use {@code x} as their right operand, or null. */
  private static List<GraphOperation> sharedMatMuls(Output<?> x, Set<String> upstream) {
    GraphOperation op = (GraphOperation) x.op();
    List<GraphOperation> matmuls = new ArrayList<>();
    for (GraphOperation use : op.consumers(x.index())) {
      if (!upstream.contains(use.name())) {
        continue; // another path (evaluation) reads the same weight
      }
      if (!use.type().equals("MatMul")
          || !sameOutput(use.input(1), x)
          || sameOutput(use.input(0), x)
          || use.attributes().getAttrBool("transpose_a")
          || use.attributes().getAttrBool("transpose_b")) {
        return null;
      }
      matmuls.add(use);
    }
    if (matmuls.size() < 2) {
      return null;
    }
    // A fixed order (creation order is not exposed; names are unique and stable).
    matmuls.sort((p, q) -> p.name().compareTo(q.name()));
    return matmuls;
  }

  private static boolean sameOutput(Output<?> a, Output<?> b) {
    return a.index() == b.index() && a.op().name().equals(b.op().name());
  }
}
