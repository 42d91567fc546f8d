package engram.models;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import engram.cells.EngramCell;
import engram.cells.GruCell;
import engram.cells.LstmCell;
import engram.cells.SimpleRnnCell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The registry of models: a name for presets and the command line, and for the sequence models the
 * cell each layer is made of. A new cell is one class implementing {@code RecurrentCell} and one
 * {@link #register} line (here, or in the caller's code before the config is read); every sequence
 * model, task, trainer, checkpoint and command then works with it.
 */
public final class ModelType {

  private static final Map<String, ModelType> REGISTRY = new LinkedHashMap<>();

  /** Engram Neural Network: {@link EngramCell}, one layer. */
  public static final ModelType ENN =
      register("enn", "engram_cell", (p, in, u, c) -> new EngramCell<>(p, in, u, c.engram()));

  /** Keras SimpleRNN. */
  public static final ModelType RNN =
      register("rnn", "rnn", (p, in, u, c) -> new SimpleRnnCell<>(p, in, u));

  /** Keras GRU (reset_after). */
  public static final ModelType GRU =
      register("gru", "gru", (p, in, u, c) -> new GruCell<>(p, in, u));

  /** Keras LSTM. */
  public static final ModelType LSTM =
      register("lstm", "lstm", (p, in, u, c) -> new LstmCell<>(p, in, u));

  /** Hebbian Memory Network for question answering: {@link HMemClassifier}, no cell. */
  public static final ModelType HMEM = register("hmem", null, null);

  private final String name;
  private final String layerName;
  private final CellFactory cell;

  private ModelType(String name, String layerName, CellFactory cell) {
    this.name = name;
    this.layerName = layerName;
    this.cell = cell;
  }

  /**
   * Registers a sequence model made of {@code cell} layers, named {@code name} in configs; its
   * layers' variables live under {@code layerName}, {@code layerName_1}, ... (Keras naming).
   */
  public static synchronized ModelType register(String name, String layerName, CellFactory cell) {
    String key = name.toLowerCase(Locale.ROOT);
    if (!key.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException("a model name is lower-case letters, digits, _: " + name);
    }
    if (REGISTRY.containsKey(key)) {
      throw new IllegalArgumentException("model '" + key + "' is already registered");
    }
    ModelType t = new ModelType(key, layerName, cell);
    REGISTRY.put(key, t);
    return t;
  }

  /** Every registered model, in registration order. */
  public static synchronized List<ModelType> values() {
    return new ArrayList<>(REGISTRY.values());
  }

  /** The model registered as {@code s}, case-insensitively. */
  @JsonCreator
  public static synchronized ModelType parse(String s) {
    ModelType t = s == null ? null : REGISTRY.get(s.toLowerCase(Locale.ROOT));
    if (t == null) {
      throw new IllegalArgumentException(
          "unknown model '" + s + "'; expected one of " + REGISTRY.keySet());
    }
    return t;
  }

  /** Whether this is a stack of recurrent cells (a {@link SequenceModel}). */
  public boolean isSequence() {
    return cell != null;
  }

  /** Makes a layer's cell; for sequence models only. */
  CellFactory cell() {
    if (cell == null) {
      throw new IllegalArgumentException(name + " is not a sequence model");
    }
    return cell;
  }

  /** Name of layer {@code index}'s variable scope: {@code lstm}, {@code lstm_1}, ... */
  String layerName(int index) {
    return index == 0 ? layerName : layerName + "_" + index;
  }

  /** Lower-case name used in presets and on the command line. */
  @JsonValue
  @Override
  public String toString() {
    return name;
  }
}
