package engram.models;

import engram.cells.EngramCell;
import engram.cells.NoiseSource;
import engram.cells.RecurrentCell;
import engram.cells.State;
import engram.nn.Dense;
import engram.nn.Initializer;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Dropout;
import engram.ops.SeedStream;
import engram.ops.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * Sequence model of the ENN paper's experiments: an optional token embedding, a stack of recurrent
 * layers (any cell), dropout, and a dense head on the last step (a classifier) or on every step (a
 * language model).
 *
 * <pre>
 *   (1) e_t      = Dropout(E[x_t])  with an embedding,  else  e_t = x_t        input
 *   (2) h^l_1..T = layer_l(h^(l-1)_1..T)  from the state S^l_0                 recurrent stack
 *   (3) logits   = Dropout(h^L_T) W + b                     head "last":  [B, C]
 *   (4) logits_t = Dropout(h^L_t) W + b,  W = E^T if tied    head "every": [B, T, V]
 * </pre>
 *
 * S_0 is each cell's initial state, or the state a previous window ended in (stateful truncated
 * BPTT, {@link #unroll(Ops, Operand, List, boolean, NoiseSource, SeedStream)}). Variables: {@code
 * engram_cell/...} for the ENN; {@code lstm/...}, {@code lstm_1/...} (Keras layer naming) for
 * baselines; {@code embedding/embeddings}; {@code head/kernel}, {@code head/bias}.
 */
public final class SequenceModel<T extends TFloating> implements Model<T> {

  /** Name of the input sequence: {@code x [B, T, D]} features, or {@code [B, T]} token ids. */
  public static final String INPUT = "x";

  private final ParamSet<T> params;
  private final ModelConfig config;
  private final int timeSteps;
  private final int numClasses;
  private final Param<T> embedding;
  private final List<RecurrentCell<T>> layers = new ArrayList<>();
  private final Dense<T> head;
  private final Param<T> tiedBias;

  /** Creates every variable of the model under {@code params}. */
  public SequenceModel(
      ParamSet<T> params, ModelConfig config, int timeSteps, int features, int numClasses) {
    // One output is a regression (the adding problem); two or more are a classifier's logits.
    if (timeSteps <= 0 || features <= 0 || numClasses < 1) {
      throw new IllegalArgumentException(
          "need timeSteps > 0, features > 0, outputs >= 1; got "
              + timeSteps
              + ", "
              + features
              + ", "
              + numClasses);
    }
    this.params = params;
    this.config = config;
    this.timeSteps = timeSteps;
    this.numClasses = numClasses;
    int inputSize = features;
    if (config.embedding() > 0) {
      // Token ids in [0, V): the vocabulary is the output's, as in a language model.
      embedding =
          params
              .child("embedding")
              .create(
                  "embeddings",
                  Initializer.embeddingUniform(),
                  true,
                  numClasses,
                  config.embedding());
      inputSize = config.embedding();
    } else {
      embedding = null;
    }
    for (int i = 0; i < config.units().size(); i++) {
      int units = config.units().get(i);
      layers.add(newCell(params.child(config.type().layerName(i)), inputSize, units));
      inputSize = units;
    }
    if (config.tied()) {
      head = null;
      tiedBias = params.child("head").create("bias", Initializer.zeros(), true, numClasses);
    } else {
      head = new Dense<>(params.child("head"), inputSize, numClasses, Initializer.glorotUniform());
      tiedBias = null;
    }
  }

  @SuppressWarnings("unchecked") // the factory's contract: a cell of the params' type
  private RecurrentCell<T> newCell(ParamSet<T> params, int inputSize, int units) {
    return (RecurrentCell<T>) config.type().cell().create(params, inputSize, units, config);
  }

  public ModelConfig config() {
    return config;
  }

  public int timeSteps() {
    return timeSteps;
  }

  public int numClasses() {
    return numClasses;
  }

  /** The recurrent layers, bottom first. */
  public List<RecurrentCell<T>> layers() {
    return List.copyOf(layers);
  }

  /** Result of {@link #unroll}: the outputs and every layer's unrolled sequence. */
  public record Unrolled<T extends TFloating>(Operand<T> outputs, List<Rnn.Sequence<T>> layers) {

    /** Every layer's state after the last step, bottom layer first. */
    public List<State<T>> finalStates() {
      return layers.stream().map(Rnn.Sequence::finalState).toList();
    }
  }

  /** Whether the head scores every step (a language model) rather than the last. */
  public boolean everyStep() {
    return config.head().equals(ModelConfig.EVERY);
  }

  /** Whether the input is token ids, read through the embedding. */
  public boolean embedded() {
    return embedding != null;
  }

  @Override
  public Forward<T> forward(
      Ops tf,
      Map<String, Operand<?>> inputs,
      boolean training,
      NoiseSource noise,
      SeedStream seeds) {
    Unrolled<T> unrolled = unroll(tf, input(inputs), null, training, noise, seeds);
    Map<String, Operand<T>> memory = memory(tf, unrolled.layers());
    return new Forward<>(
        unrolled.outputs(), List.of(), memory, training ? attentionPenalty(tf, memory) : null);
  }

  /**
   * The ENN's sparsity penalty, {@code strength * mean over steps and examples of f(A_t,b)} with f
   * = {@code sum|A|} (l1) or {@code -sum A log clip(A, 1e-8, 1)} (entropy), the notebook's
   * regularizers; null when off. (Attention rows sum to 1, so l1 is constant and pushes nothing; it
   * is offered because the notebook defines it.)
   */
  private Operand<T> attentionPenalty(Ops tf, Map<String, Operand<T>> memory) {
    if (config.type() != ModelType.ENN || !config.engram().penalised()) {
      return null;
    }
    Ops p = tf.withSubScope("attention_penalty");
    Operand<T> a = memory.get(ATTENTION); // [T, B, M]
    Class<T> type = params.type();
    Operand<T> perRow =
        config.engram().attentionPenalty().equals("l1")
            ? p.sum(p.math.abs(a), p.constant(-1))
            : p.math.neg(
                p.sum(
                    p.math.mul(
                        a,
                        p.math.log(
                            p.math.maximum(
                                p.math.minimum(a, engram.ops.Scalars.of(p, 1.0, type)),
                                engram.ops.Scalars.of(p, 1e-8, type)))),
                    p.constant(-1)));
    return p.math.mul(
        engram.ops.Scalars.of(p, config.engram().penaltyStrength(), type),
        p.math.mean(perRow, p.constant(new int[] {0, 1})));
  }

  /** The sequence input, checked: token ids with an embedding, features without. */
  public Operand<?> input(Map<String, Operand<?>> inputs) {
    Operand<?> x = inputs.get(INPUT);
    boolean ok =
        x != null && (embedding != null ? x.type() == TInt32.class : x.type() == params.type());
    if (!ok) {
      throw new IllegalArgumentException(
          "this sequence model needs an input '"
              + INPUT
              + (embedding != null ? "' of token ids [B, T]" : "' of floats [B, T, D]")
              + "; got "
              + inputs.keySet());
    }
    return x;
  }

  /**
   * The ENN's per-step trace {@code [T, M, H]} and attention {@code [T, B, M]} over the steps of
   * {@code sequences} (from {@link #run}); empty for the other models.
   */
  public Map<String, Operand<T>> memory(Ops tf, List<Rnn.Sequence<T>> sequences) {
    if (config.type() != ModelType.ENN) {
      return Map.of();
    }
    List<Map<String, Operand<T>>> probes = sequences.get(0).probes();
    List<Operand<T>> traces = new ArrayList<>();
    List<Operand<T>> attention = new ArrayList<>();
    for (Map<String, Operand<T>> step : probes) {
      traces.add(step.get(EngramCell.TRACE));
      attention.add(step.get(EngramCell.ATTENTION));
    }
    Ops m = tf.withSubScope("memory");
    return Map.of(
        TRACE, m.withName(TRACE).stack(traces), ATTENTION, m.withName(ATTENTION).stack(attention));
  }

  /**
   * Outputs for {@code x} (features {@code [B, T, D]} or, with an embedding, token ids {@code [B,
   * T]}), equations (1)-(4).
   *
   * @param states the state to start from, one per layer; null for the cells' initial states
   * @param training applies dropout (seeded from {@code seeds})
   * @param noise the cells' random draws; {@link NoiseSource#zeros()} for deterministic inference
   */
  @SuppressWarnings("unchecked")
  public Unrolled<T> unroll(
      Ops tf,
      Operand<?> x,
      List<State<T>> states,
      boolean training,
      NoiseSource noise,
      SeedStream seeds) {
    Operand<TInt32> batchSize = Shapes.batchSize(tf, x);
    Operand<T> sequence;
    if (embedding != null) {
      Ops e = tf.withSubScope("embedding");
      sequence = e.gather(embedding.value(), (Operand<TInt32>) x, e.constant(0)); // (1)
      sequence = dropout(tf, sequence, batchSize, training, seeds, timeSteps, config.embedding());
    } else {
      sequence = (Operand<T>) x;
    }
    List<State<T>> start = states != null ? states : initialStates(tf, batchSize, noise);
    List<Rnn.Sequence<T>> sequences = run(tf, sequence, timeSteps, start, noise); // (2)
    Rnn.Sequence<T> top = sequences.get(sequences.size() - 1);
    Operand<T> outputs =
        everyStep()
            ? everyStepHead(tf, top.stacked(tf), batchSize, training, seeds)
            : head(tf, top.last(), batchSize, training, seeds);
    return new Unrolled<>(outputs, sequences);
  }

  /** Equation (4): per-step logits {@code [B, T, V]} from the top layer's outputs {@code h}. */
  private Operand<T> everyStepHead(
      Ops tf, Operand<T> h, Operand<TInt32> batchSize, boolean training, SeedStream seeds) {
    int width = config.units().get(config.units().size() - 1);
    Operand<T> dropped = dropout(tf, h, batchSize, training, seeds, timeSteps, width);
    Ops o = tf.withSubScope("head");
    Operand<T> rows = o.reshape(dropped, o.constant(new long[] {-1, width}));
    Operand<T> logits =
        head != null
            ? head.apply(o, rows)
            : o.math.add(
                o.linalg.matMul(rows, embedding.value(), MatMul.transposeB(true)),
                tiedBias.value());
    return o.reshape(logits, o.constant(new long[] {-1, timeSteps, numClasses}));
  }

  /** Dropout when training; the mask's shape {@code [B, dims...]} comes from the batch size. */
  private Operand<T> dropout(
      Ops tf,
      Operand<T> x,
      Operand<TInt32> batchSize,
      boolean training,
      SeedStream seeds,
      int... dims) {
    if (!training || config.dropout() == 0) {
      return x;
    }
    // The mask's shape comes from the input's batch size, not from x's runtime shape, so the
    // whole step stays one XLA cluster (see Dropout).
    Operand<TInt32> shape = Shapes.withBatch(tf, batchSize, dims);
    return Dropout.apply(tf, x, shape, config.dropout(), seeds.next(tf));
  }

  /** Every layer's state before the first step, bottom layer first. */
  public List<State<T>> initialStates(Ops tf, Operand<TInt32> batchSize, NoiseSource noise) {
    List<State<T>> states = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      Ops layerTf = tf.withSubScope(config.type().layerName(i));
      states.add(layers.get(i).initialState(layerTf, batchSize, noise));
    }
    return states;
  }

  /**
   * All layers over {@code steps} steps of {@code x [B, steps, D]}, each layer starting from its
   * entry in {@code states}: the whole sequence, or one window of it (see {@code
   * engram.train.BpttWindows}).
   */
  public List<Rnn.Sequence<T>> run(
      Ops tf, Operand<T> x, int steps, List<State<T>> states, NoiseSource noise) {
    if (states.size() != layers.size()) {
      throw new IllegalArgumentException(
          "need a state per layer (" + layers.size() + "), got " + states.size());
    }
    Operand<T> inputs = x;
    List<Rnn.Sequence<T>> sequences = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      Ops layerTf = tf.withSubScope(config.type().layerName(i));
      Rnn.Sequence<T> sequence =
          Rnn.unroll(layerTf, layers.get(i), inputs, steps, states.get(i), noise);
      sequences.add(sequence);
      if (i + 1 < layers.size()) {
        inputs = sequence.stacked(layerTf);
      }
    }
    return sequences;
  }

  /** Equation (3): logits from the last layer's final output, dropout when training. */
  public Operand<T> head(
      Ops tf, Operand<T> features, Operand<TInt32> batchSize, boolean training, SeedStream seeds) {
    int width = config.units().get(config.units().size() - 1);
    features = dropout(tf, features, batchSize, training, seeds, width);
    return head.apply(tf.withSubScope("head"), features);
  }
}
