package engram.models;

import engram.cells.EngramCell;
import engram.cells.GruCell;
import engram.cells.LstmCell;
import engram.cells.NoiseSource;
import engram.cells.RecurrentCell;
import engram.cells.SimpleRnnCell;
import engram.cells.State;
import engram.nn.Dense;
import engram.nn.Initializer;
import engram.nn.ParamSet;
import engram.ops.Dropout;
import engram.ops.SeedStream;
import engram.ops.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * Sequence classifier of the ENN paper's experiments: recurrent layers over {@code x [B,T,D]}, the
 * last layer's final output, dropout, then a dense layer to class logits.
 *
 * <pre>
 *   h_1..h_T = layer_L(...layer_1(x_1..x_T))      (all but the last layer return sequences)
 *   logits   = Dropout(h_T) W_head + b_head         (softmax lives in the loss)
 * </pre>
 *
 * Variables: {@code engram_cell/...} for the ENN; {@code lstm/...}, {@code lstm_1/...} (Keras layer
 * naming) for baselines; {@code head/kernel}, {@code head/bias}.
 */
public final class SequenceClassifier<T extends TFloating> implements Classifier<T> {

  /** Name of the input sequence {@code x [B, T, D]}. */
  public static final String INPUT = "x";

  private final ParamSet<T> params;
  private final ModelConfig config;
  private final int timeSteps;
  private final int numClasses;
  private final List<RecurrentCell<T>> layers = new ArrayList<>();
  private final Dense<T> head;

  /** Creates every variable of the model under {@code params}. */
  public SequenceClassifier(
      ParamSet<T> params, ModelConfig config, int timeSteps, int features, int numClasses) {
    if (timeSteps <= 0 || features <= 0 || numClasses < 2) {
      throw new IllegalArgumentException(
          "need timeSteps > 0, features > 0, numClasses >= 2; got "
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
    for (int i = 0; i < config.units().size(); i++) {
      int units = config.units().get(i);
      layers.add(newCell(params.child(layerName(config.type(), i)), inputSize, units));
      inputSize = units;
    }
    this.head =
        new Dense<>(params.child("head"), inputSize, numClasses, Initializer.glorotUniform());
  }

  /**
   * Keras-style layer names: {@code lstm}, {@code lstm_1}, ...; the ENN's is {@code engram_cell}.
   */
  static String layerName(ModelType type, int index) {
    String base = type == ModelType.ENN ? "engram_cell" : type.toString();
    return index == 0 ? base : base + "_" + index;
  }

  private RecurrentCell<T> newCell(ParamSet<T> params, int inputSize, int units) {
    return switch (config.type()) {
      case ENN -> new EngramCell<>(params, inputSize, units, config.engram());
      case RNN -> new SimpleRnnCell<>(params, inputSize, units);
      case GRU -> new GruCell<>(params, inputSize, units);
      case LSTM -> new LstmCell<>(params, inputSize, units);
      case HMEM ->
          throw new IllegalArgumentException(
              "hmem is not a sequence classifier; build it with Classifiers.create");
    };
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

  /** Result of {@link #unroll}: the logits and every layer's unrolled sequence. */
  public record Unrolled<T extends TFloating>(Operand<T> logits, List<Rnn.Sequence<T>> layers) {}

  @Override
  public Forward<T> forward(
      Ops tf,
      Map<String, Operand<?>> inputs,
      boolean training,
      NoiseSource noise,
      SeedStream seeds) {
    Operand<?> x = inputs.get(INPUT);
    if (x == null || x.type() != params.type()) {
      throw new IllegalArgumentException(
          "SequenceClassifier needs a floating input '"
              + INPUT
              + "' [B, T, D]; got "
              + inputs.keySet());
    }
    @SuppressWarnings("unchecked")
    Operand<T> sequence = (Operand<T>) x;
    Unrolled<T> unrolled = unroll(tf, sequence, training, noise, seeds);
    return new Forward<>(unrolled.logits(), List.of(), memory(tf, unrolled.layers()));
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
   * Logits {@code [B, C]} for {@code x [B, T, D]}.
   *
   * @param training applies dropout (seeded from {@code seeds})
   * @param noise the cells' random draws; {@link NoiseSource#zeros()} for deterministic inference
   */
  public Unrolled<T> unroll(
      Ops tf, Operand<T> x, boolean training, NoiseSource noise, SeedStream seeds) {
    Operand<TInt32> batchSize = Shapes.batchSize(tf, x);
    List<Rnn.Sequence<T>> sequences =
        run(tf, x, timeSteps, initialStates(tf, batchSize, noise), noise);
    Operand<T> features = sequences.get(sequences.size() - 1).last();
    return new Unrolled<>(head(tf, features, batchSize, training, seeds), sequences);
  }

  /** Every layer's state before the first step, bottom layer first. */
  public List<State<T>> initialStates(Ops tf, Operand<TInt32> batchSize, NoiseSource noise) {
    List<State<T>> states = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      Ops layerTf = tf.withSubScope(layerName(config.type(), i));
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
      Ops layerTf = tf.withSubScope(layerName(config.type(), i));
      Rnn.Sequence<T> sequence =
          Rnn.unroll(layerTf, layers.get(i), inputs, steps, states.get(i), noise);
      sequences.add(sequence);
      if (i + 1 < layers.size()) {
        inputs = sequence.stacked(layerTf);
      }
    }
    return sequences;
  }

  /** Logits from the last layer's final output: dropout when training, then the dense head. */
  public Operand<T> head(
      Ops tf, Operand<T> features, Operand<TInt32> batchSize, boolean training, SeedStream seeds) {
    if (training && config.dropout() > 0) {
      // The mask's shape comes from the input's batch size, not from the features' runtime
      // shape, so the whole step stays one XLA cluster (see Dropout).
      Operand<TInt32> shape =
          Shapes.withBatch(tf, batchSize, config.units().get(config.units().size() - 1));
      features = Dropout.apply(tf, features, shape, config.dropout(), seeds.next(tf));
    }
    return head.apply(tf.withSubScope("head"), features);
  }
}
