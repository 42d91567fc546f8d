package engram.cells;

import engram.nn.Dense;
import engram.nn.Initializer;
import engram.nn.LayerNorm;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Norms;
import engram.ops.Scalars;
import engram.ops.Shapes;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * Engram cell (Szelogowski 2025, arXiv 2507.21474), exactly as {@code tensorflow-engram} 0.1.0
 * computes it ({@code layers.py}). Per step t, with input {@code x [B,D]} and carry {@code (h,
 * Tr)}:
 *
 * <pre>
 *  (1) z   = LN1(ReLU(x W_e + b_e))                                   encode
 *  (2) E   = Mem + s Tr                                               effective memory
 *  (3) A   = softmax( (l2n(z) l2n(E)^T) / tau ),  tau = T0/(1+10 sp)  cosine attention
 *  (4) m   = A E                                                      retrieve (unnormalised E)
 *  (5) h   = LN2(ReLU(ReLU([z | m | h_prev] W_i + b_i) W_o + b_o))    integrate
 *  (6) Tr' = clip((1-eta) Tr + eta (mean_b A_b^T z_b + eps_t), -0.1, 0.1),  eps_t ~ N(0, 0.001^2)
 * </pre>
 *
 * (1) needs no carry, so it is the cell's {@link #project input projection}: computed for all steps
 * at once, and each step starts from its {@code z}. The output is {@code h}. Initial carry: {@code
 * h0 ~ N(0, 0.01^2) [B,H]}, {@code Tr0 ~ N(0, 0.01^2) [M,H]}; all draws come from the {@link
 * NoiseSource} ({@link NoiseSource#zeros()} is the deterministic mode).
 *
 * <table>
 *   <caption>Symbols</caption>
 *   <tr><th>symbol</th><th>field / name</th><th>shape</th></tr>
 *   <tr><td>W_e, b_e</td><td>input_encoder/{kernel,bias}, he_normal</td><td>[D,H], [H]</td></tr>
 *   <tr><td>W_i, b_i</td><td>hidden_integrator/{kernel,bias}, he_normal</td><td>[3H,3H], [3H]</td></tr>
 *   <tr><td>W_o, b_o</td><td>output_dense/{kernel,bias}, he_normal</td><td>[3H,H], [H]</td></tr>
 *   <tr><td>LN1, LN2</td><td>layer_norm1, layer_norm2 (gamma, beta), eps 1e-6</td><td>[H]</td></tr>
 *   <tr><td>Mem</td><td>engram_memory, glorot_uniform, trainable</td><td>[M,H]</td></tr>
 *   <tr><td>Tr</td><td>carry "trace", never trained</td><td>[M,H]</td></tr>
 * </table>
 *
 * <p>The paper's options ({@link EngramCellConfig}; off by default): with a trace per example, Tr
 * is {@code [B, M, H]} (Tr0 drawn per example) and (2)-(4) and (6) run per example b, the noise
 * eps_t being one draw for all,
 *
 * <pre>
 *  (2') E_b = Mem + s Tr_b       (3') A_b = softmax(l2n(z_b) l2n(E_b)^T / tau)     (4') m_b = A_b E_b
 *  (6') Tr_b' = clip((1-eta) Tr_b + eta (A_b^T z_b + eps_t), -0.1, 0.1)
 * </pre>
 *
 * and with top-k retrieval (3) keeps the k = ceil(M sparsity) largest scores u = cos / tau,
 *
 * <pre>
 *  (3k) A = exp(u - max u) [u >= u_(k)] / (sum of the kept exp + 1e-10),   u_(k) the k-th largest
 * </pre>
 *
 * the prototype notebook's masked softmax: weights outside the top k are exactly zero and the
 * gradient flows through the kept scores (TopKV2, which has no gradient, only picks the threshold).
 *
 * <p>Faithful to the reference, deliberately: the trace has no batch axis, so (6) averages over the
 * batch and samples influence each other from step 2 on; gradients flow through the trace, the
 * batch mean and the clip; (6) uses the post-LN {@code z}; (4) reads the unnormalised {@code E}.
 * Constants such as {@code 1-eta} and {@code tau} are computed in double, then cast, as in Python.
 * Not reproduced: the reference's unused {@code initial_hebbian_trace} weight and never-built
 * {@code decoder} layer. {@code Mem} is read from its variable at every step instead of being
 * carried as a state; the values and gradients are the same.
 */
public final class EngramCell<T extends TFloating> implements RecurrentCell<T> {

  /** State names. */
  public static final String H = "h";

  public static final String TRACE = "trace";

  /** Probe names (per-step intermediates). */
  public static final String Z = "z";

  public static final String ATTENTION = "attention";
  public static final String RETRIEVED = "retrieved";

  // Constants hard-coded in the reference layers.py.
  static final double INIT_STDDEV = 0.01;
  static final double NOISE_STDDEV = 0.001;
  static final double TRACE_CLIP = 0.1;
  static final double LN_EPSILON = 1e-6;
  static final double L2_EPSILON = 1e-12;
  static final double TOP_K_EPSILON = 1e-10;

  private final EngramCellConfig config;
  private final int inputSize;
  private final int units;
  private final Class<T> type;
  private final Param<T> memoryBank;
  private final Dense<T> inputEncoder;
  private final LayerNorm<T> layerNorm1;
  private final Dense<T> hiddenIntegrator;
  private final Dense<T> outputDense;
  private final LayerNorm<T> layerNorm2;

  /** Creates the cell's weights under {@code params}; {@code units} is H. */
  public EngramCell(ParamSet<T> params, int inputSize, int units, EngramCellConfig config) {
    if (inputSize <= 0 || units <= 0) {
      throw new IllegalArgumentException(
          "EngramCell needs inputSize > 0 and units > 0, got " + inputSize + " and " + units);
    }
    this.config = config;
    this.inputSize = inputSize;
    this.units = units;
    this.type = params.type();
    int m = config.memorySize();
    // Keras creation order: the cell's own weight first, then sub-layers in call order.
    this.memoryBank = params.create("engram_memory", Initializer.glorotUniform(), true, m, units);
    this.inputEncoder =
        new Dense<>(params.child("input_encoder"), inputSize, units, Initializer.heNormal());
    this.layerNorm1 =
        config.useLayerNorm()
            ? new LayerNorm<>(params.child("layer_norm1"), units, LN_EPSILON)
            : null;
    this.hiddenIntegrator =
        new Dense<>(
            params.child("hidden_integrator"), 3 * units, 3 * units, Initializer.heNormal());
    this.outputDense =
        new Dense<>(params.child("output_dense"), 3 * units, units, Initializer.heNormal());
    this.layerNorm2 =
        config.useLayerNorm()
            ? new LayerNorm<>(params.child("layer_norm2"), units, LN_EPSILON)
            : null;
  }

  public EngramCellConfig config() {
    return config;
  }

  @Override
  public int inputSize() {
    return inputSize;
  }

  @Override
  public int outputSize() {
    return units;
  }

  @Override
  public State<T> initialState(Ops tf, Operand<TInt32> batchSize, NoiseSource noise) {
    Operand<T> h0 =
        noise.normal(tf, "h0", Shapes.withBatch(tf, batchSize, units), INIT_STDDEV, type);
    Operand<TInt32> traceShape =
        config.perExampleTrace()
            ? Shapes.withBatch(tf, batchSize, config.memorySize(), units)
            : tf.constant(new int[] {config.memorySize(), units});
    Operand<T> trace0 = noise.normal(tf, "trace0", traceShape, INIT_STDDEV, type);
    return State.of(H, h0, TRACE, trace0);
  }

  /** (1) z = LN1(ReLU(x W_e + b_e)), for rows {@code x [N, D]}. */
  @Override
  public Operand<T> project(Ops tf, Operand<T> x) {
    Operand<T> z = tf.nn.relu(inputEncoder.apply(tf, x));
    return layerNorm1 == null ? z : layerNorm1.apply(tf, z);
  }

  /** Steps (2)-(6) from {@code z = project(x)_t}. */
  @Override
  public Step<T> step(Ops tf, Operand<T> z, State<T> state, int t, NoiseSource noise) {
    Operand<T> trace = state.get(TRACE);
    Operand<T> e = effectiveMemory(tf, trace); // (2), (2')
    Operand<T> a;
    Operand<T> m;
    Operand<T> nextTrace;
    if (config.perExampleTrace()) {
      Operand<T> zRow = tf.expandDims(z, tf.constant(1)); // [B, 1, H]
      Operand<T> cos =
          tf.train.batchMatMul(
              Norms.l2Normalize(tf, zRow, L2_EPSILON),
              Norms.l2Normalize(tf, e, L2_EPSILON),
              type,
              org.tensorflow.op.train.BatchMatMul.adjY(true));
      a = attend(tf, tf.squeeze(cos, org.tensorflow.op.core.Squeeze.axis(1L)), type); // (3')
      Operand<T> aRow = tf.expandDims(a, tf.constant(1)); // [B, 1, M]
      m = tf.squeeze(tf.train.batchMatMul(aRow, e, type), org.tensorflow.op.core.Squeeze.axis(1L));
      // (6'): A_b^T z_b, the outer product of each example's own attention and encoding.
      Operand<T> hebbian =
          tf.math.mul(tf.expandDims(a, tf.constant(2)), tf.expandDims(z, tf.constant(1)));
      nextTrace = decayAndClip(tf, trace, hebbian, traceNoise(tf, noise, t)); // (4')
    } else {
      a = attention(tf, z, e); // (3)
      m = tf.linalg.matMul(a, e); // (4)
      nextTrace = updateTrace(tf, trace, a, z, noise, t); // (6)
    }
    Operand<T> h = integrate(tf, z, m, state.get(H)); // (5)
    return new Step<>(
        h,
        State.of(H, h, TRACE, nextTrace),
        Map.of(Z, z, ATTENTION, a, RETRIEVED, m, TRACE, nextTrace));
  }

  /** (2) E = Mem + s Tr. */
  private Operand<T> effectiveMemory(Ops tf, Operand<T> trace) {
    return tf.math.add(
        memoryBank.value(), tf.math.mul(Scalars.of(tf, config.scaleFactor(), type), trace));
  }

  /**
   * (3) A = softmax(cos(z, E) / tau): a RealDiv by tau, as the reference does, not a multiply. In
   * mixed precision the cosines and the softmax are float32: small differences between cosines
   * decide the attention, and bfloat16's 8 significant bits round them away.
   */
  private Operand<T> attention(Ops tf, Operand<T> z, Operand<T> e) {
    if (engram.ops.Scalars.reduced(type)) {
      Class<org.tensorflow.types.TFloat32> wide = org.tensorflow.types.TFloat32.class;
      return tf.dtypes.cast(
          attention(tf, tf.dtypes.cast(z, wide), tf.dtypes.cast(e, wide), wide), type);
    }
    return attention(tf, z, e, type);
  }

  private <U extends TFloating> Operand<U> attention(
      Ops tf, Operand<U> z, Operand<U> e, Class<U> in) {
    Operand<U> similarity =
        tf.linalg.matMul(
            Norms.l2Normalize(tf, z, L2_EPSILON),
            Norms.l2Normalize(tf, e, L2_EPSILON),
            MatMul.transposeB(true));
    return attend(tf, similarity, in);
  }

  /** The softmax over {@code cos / tau} of (3), or with top-k on its masked form (3k). */
  private <U extends TFloating> Operand<U> attend(Ops tf, Operand<U> cos, Class<U> type) {
    Operand<U> u = tf.math.realDiv(cos, Scalars.of(tf, config.tau(), type));
    int k = config.keptSlots();
    if (!config.topK() || k >= config.memorySize()) {
      return Norms.softmax(tf, u);
    }
    // The mask and the max are constants to the gradient: the max cancels in the ratio, and the
    // mask (the one-hot rows of TopKV2's k indices: exactly k slots, even with tied scores) is
    // piecewise constant; so TopKV2 needs no gradient.
    Operand<U> kept =
        tf.stopGradient(
            tf.sum(
                tf.oneHot(
                    tf.nn.topK(u, tf.constant(k), org.tensorflow.types.TInt32.class).indices(),
                    tf.constant(config.memorySize()),
                    Scalars.of(tf, 1, type),
                    Scalars.of(tf, 0, type)),
                tf.constant(-2)));
    Operand<U> top =
        tf.stopGradient(
            tf.reduceMax(u, tf.constant(-1), org.tensorflow.op.core.ReduceMax.keepDims(true)));
    Operand<U> weights = tf.math.mul(tf.math.exp(tf.math.sub(u, top)), kept);
    Operand<U> total =
        tf.math.add(
            tf.sum(weights, tf.constant(-1), org.tensorflow.op.core.Sum.keepDims(true)),
            Scalars.of(tf, TOP_K_EPSILON, type));
    return tf.math.div(weights, total);
  }

  /** (5) h = LN2(ReLU(ReLU([z | m | h_prev] W_i + b_i) W_o + b_o)). */
  private Operand<T> integrate(Ops tf, Operand<T> z, Operand<T> m, Operand<T> hPrev) {
    Operand<T> combined = tf.concat(List.of(z, m, hPrev), tf.constant(1));
    Operand<T> u = tf.nn.relu(hiddenIntegrator.apply(tf, combined));
    Operand<T> h = tf.nn.relu(outputDense.apply(tf, u));
    return layerNorm2 == null ? h : layerNorm2.apply(tf, h);
  }

  /**
   * (6) Tr' = clip((1-eta) Tr + eta (mean_b A_b^T z_b + eps_t), +-0.1). The batch mean of the outer
   * products is one MatMul, {@code A^T z / B}: the same sum as the reference's einsum 'bi,bj->bij'
   * followed by a mean, in another order (float32 rounding only), without the {@code [B, M, H]}
   * intermediate whose gradient (Tile, Mul, Sum) was most of a CPU training step. The clip is
   * Minimum then Maximum, as tf.clip_by_value.
   */
  private Operand<T> updateTrace(
      Ops tf, Operand<T> trace, Operand<T> a, Operand<T> z, NoiseSource noise, int t) {
    Operand<T> batch = tf.dtypes.cast(Shapes.batchSize(tf, z), type);
    Operand<T> hebbian = tf.math.div(tf.linalg.matMul(a, z, MatMul.transposeA(true)), batch);
    return decayAndClip(tf, trace, hebbian, traceNoise(tf, noise, t));
  }

  /**
   * eps_t of (6): one [M, H] draw per step, added to every example's trace with per-example traces
   * too (drawn per example, its shape would depend on the batch size read from z, and the gradient
   * builder would then ask for the random op's gradient, which has none).
   */
  private Operand<T> traceNoise(Ops tf, NoiseSource noise, int t) {
    return noise.normal(
        tf,
        String.format("noise/t%02d", t),
        tf.constant(new int[] {config.memorySize(), units}),
        NOISE_STDDEV,
        type);
  }

  /** clip((1-eta) Tr + eta (hebbian + eps), +-0.1), the rest of (6) and (6'). */
  private Operand<T> decayAndClip(Ops tf, Operand<T> trace, Operand<T> hebbian, Operand<T> eps) {
    double eta = config.hebbianLr();
    Operand<T> updated =
        tf.math.add(
            tf.math.mul(trace, Scalars.of(tf, 1.0 - eta, type)),
            tf.math.mul(Scalars.of(tf, eta, type), tf.math.add(hebbian, eps)));
    return tf.math.maximum(
        tf.math.minimum(updated, Scalars.of(tf, TRACE_CLIP, type)),
        Scalars.of(tf, -TRACE_CLIP, type));
  }
}
