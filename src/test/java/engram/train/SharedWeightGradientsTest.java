package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.cells.EngramCell;
import engram.cells.EngramCellConfig;
import engram.cells.LstmCell;
import engram.cells.NoiseSource;
import engram.cells.RecurrentCell;
import engram.cells.State;
import engram.models.Rnn;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Shapes;
import engram.ops.SharedWeightGradients;
import engram.testing.Feeds;
import engram.testing.FiniteDifferences;
import engram.testing.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;

/**
 * The batched gradient of weights shared across time steps against float64 central finite
 * differences, on unrolled ENN and LSTM cells.
 */
class SharedWeightGradientsTest {

  static final int B = 2, T = 4, D = 3, H = 4, M = 3;
  static final double STEP = 1e-6;

  /** Checks every parameter and returns how many were batched. */
  static int check(Function<ParamSet<TFloat64>, RecurrentCell<TFloat64>> make) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParamSet<TFloat64> params = ParamSet.create(tf, TFloat64.class, 3);
      RecurrentCell<TFloat64> cell = make.apply(params);
      Placeholder<TFloat64> x =
          tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(B, T, D)));
      State<TFloat64> init = cell.initialState(tf, Shapes.batchSize(tf, x), NoiseSource.zeros());
      Rnn.Sequence<TFloat64> seq = Rnn.unroll(tf, cell, x, T, init, NoiseSource.zeros());
      Operand<TFloat64> r =
          tf.constant(
              Shape.of(B, T, cell.outputSize()),
              DataBuffers.of(Tensors.uniform(41, B * T * cell.outputSize(), 1.0), true, false));
      Operand<TFloat64> loss =
          tf.sum(tf.math.mul(seq.stacked(tf), r), tf.constant(new int[] {0, 1, 2}));
      List<Param<TFloat64>> ps = params.trainable();
      List<Output<?>> xs = new ArrayList<>();
      ps.forEach(p -> xs.add(p.value().asOutput()));
      SharedWeightGradients.Result result = SharedWeightGradients.of(g, "grad", loss, xs);

      Map<Param<TFloat64>, double[]> base = new HashMap<>();
      long k = 0;
      for (Param<TFloat64> p : ps) {
        double[] v = Tensors.uniform(60 + (++k), (int) p.size(), 0.6);
        if (p.name().endsWith("gamma")) {
          for (int i = 0; i < v.length; i++) v[i] += 1.0;
        }
        base.put(p, v);
      }
      double[] xv = Tensors.uniform(99, B * T * D, 1.0);
      try (Session s = new Session(g)) {
        List<Operand<?>> fetches = new ArrayList<>();
        for (Output<?> o : result.gradients()) fetches.add(o);
        double[][] analytic = feeds(x, xv, base).run(s, fetches);
        for (int pi = 0; pi < ps.size(); pi++) {
          Param<TFloat64> p = ps.get(pi);
          double[] numeric =
              FiniteDifferences.gradient(
                  base, p, STEP, v -> feeds(x, xv, v).run(s, List.of(loss))[0][0]);
          double err = Tensors.relativeError(analytic[pi], numeric);
          assertTrue(err <= 1e-6, p.name() + ": relative gradient error " + err);
        }
      }
      return result.batched();
    }
  }

  static Feeds feeds(Placeholder<TFloat64> x, double[] xv, Map<Param<TFloat64>, double[]> v) {
    Feeds f = new Feeds().put(x, xv);
    v.forEach((p, a) -> f.put(p.value(), a));
    return f;
  }

  @Test
  void ennIntegratorWeightsAreBatchedAndExact() {
    // hidden_integrator and output_dense kernels are read by a MatMul at every step; the memory
    // bank (an Add) and the encoder (one projection for all steps) are differentiated as usual.
    assertEquals(
        2,
        check(
            p ->
                new EngramCell<>(
                    p.child("engram_cell"), D, H, EngramCellConfig.defaults().withMemorySize(M))));
  }

  @Test
  void lstmRecurrentKernelIsBatchedAndExact() {
    assertEquals(1, check(p -> new LstmCell<>(p.child("lstm"), D, H)));
  }
}
