package engram.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * Runs a graph with double[] feeds (shaped by each operand's static shape, in its dtype) and
 * returns the fetches as double[]; every tensor is closed before returning.
 */
public final class Feeds {

  private final Map<Operand<?>, double[]> values = new LinkedHashMap<>();

  public Feeds put(Operand<?> operand, double[] value) {
    values.put(operand, value);
    return this;
  }

  /** Adds every feed to {@code runner}; the tensors it creates go to {@code owned}. */
  public Session.Runner apply(Session.Runner runner, List<Tensor> owned) {
    for (Map.Entry<Operand<?>, double[]> e : values.entrySet()) {
      long[] shape = e.getKey().shape().asArray();
      Tensor t =
          e.getKey().type() == TFloat32.class
              ? Tensors.f32(e.getValue(), shape)
              : Tensors.f64(e.getValue(), shape);
      owned.add(t);
      runner.feed(e.getKey(), t);
    }
    return runner;
  }

  public double[][] run(Session session, List<? extends Operand<?>> fetches) {
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner runner = apply(session.runner(), owned);
      fetches.forEach(runner::fetch);
      try (Result r = runner.run()) {
        double[][] out = new double[fetches.size()][];
        for (int i = 0; i < out.length; i++) {
          out[i] = Tensors.read(r.get(i));
        }
        return out;
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }
}
