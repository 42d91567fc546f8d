package engram.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.data.MemoryTasks;
import engram.models.ModelType;
import engram.train.RunConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a memory comparison trains, read from a JSON file such as {@code
 * experiments/memory-cpu.json}:
 *
 * <pre>
 * { "description": "...",
 *   "parameterBudget": 20000,               every model sized to this many trainable parameters
 *   "train": { "epochs": 10, ... },          one training recipe for every run
 *   "models": { "lstm": { "type": "lstm" }, "enn-paper": { "type": "enn", "engram": {...} } },
 *   "benchmarks": { "recall-8": { "dataset": "recall", "items": 8 }, "mnist": {...} } }
 * </pre>
 *
 * A model is a {@code model} patch without {@code units} (the budget picks the width of its one
 * layer, {@link ParameterBudget}); a benchmark is a {@code data} patch. Each run is the defaults of
 * the model's type on that dataset with the three patches merged over them.
 */
public record MemoryComparison(
    String description,
    long parameterBudget,
    ObjectNode train,
    Map<String, ObjectNode> models,
    Map<String, ObjectNode> benchmarks) {

  private static final Set<String> KEYS =
      Set.of("description", "parameterBudget", "train", "models", "benchmarks");

  public MemoryComparison {
    models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models));
    benchmarks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(benchmarks));
  }

  /** Reads and checks {@code file}; every run's config is built once, so a bad key fails here. */
  public static MemoryComparison read(Path file) throws IOException {
    String source = file.toString();
    JsonNode root = RunConfig.json().readTree(RunConfig.presetText(file));
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(source + ": a comparison must be a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            source + ": unknown key '" + key + "'; a comparison has " + KEYS);
      }
    }
    JsonNode budget = root.path("parameterBudget");
    if (!budget.canConvertToLong() || !budget.isIntegralNumber() || budget.asLong() < 1) {
      throw new IllegalArgumentException(
          source + ": parameterBudget must be a whole number >= 1, e.g. 20000");
    }
    MemoryComparison c =
        new MemoryComparison(
            root.path("description").asText(""),
            budget.asLong(),
            object(root.path("train"), source + ": train", true),
            objects(root.path("models"), source + ": models"),
            objects(root.path("benchmarks"), source + ": benchmarks"));
    for (Map.Entry<String, ObjectNode> m : c.models.entrySet()) {
      JsonNode type = m.getValue().path("type");
      if (!type.isTextual()) {
        throw new IllegalArgumentException(
            source + ": model '" + m.getKey() + "' needs a type (enn, lstm, gru or rnn)");
      }
      if (m.getValue().has("units")) {
        throw new IllegalArgumentException(
            source
                + ": model '"
                + m.getKey()
                + "' sets units; the parameter budget sizes every model, remove it");
      }
      for (String b : c.benchmarks.keySet()) {
        c.unsized(m.getKey(), b, source);
      }
    }
    return c;
  }

  /** Only the models and benchmarks named (all when a list is null), in the file's order. */
  public MemoryComparison only(List<String> modelNames, List<String> benchmarkNames) {
    return new MemoryComparison(
        description,
        parameterBudget,
        train,
        pick(models, modelNames, "model", "--models"),
        pick(benchmarks, benchmarkNames, "benchmark", "--benchmarks"));
  }

  /** This comparison with {@code patch} merged into its training recipe (e.g. epochs). */
  public MemoryComparison withTrain(ObjectNode patch) {
    ObjectNode t = train.deepCopy();
    t.setAll(patch);
    return new MemoryComparison(description, parameterBudget, t, models, benchmarks);
  }

  /**
   * The run of {@code model} on {@code benchmark} before sizing: the type's defaults on the
   * benchmark's dataset with the model, training and data patches merged over them.
   */
  public RunConfig unsized(String model, String benchmark, String source) {
    ObjectNode m = models.get(model).deepCopy();
    ObjectNode data = benchmarks.get(benchmark);
    ModelType type = ModelType.parse(m.path("type").asText());
    String dataset = data.path("dataset").asText("");
    RunConfig base =
        MemoryTasks.Kind.of(dataset) != null
            ? RunConfig.memoryTaskDefaults(type, dataset)
            : RunConfig.defaults(type);
    ObjectNode patch = RunConfig.json().createObjectNode();
    patch.set("model", m);
    patch.set("train", train);
    patch.set("data", data);
    return base.merged(patch, source + ": model '" + model + "' on benchmark '" + benchmark + "'")
        .withDescription(
            String.format(
                Locale.ROOT,
                "memory comparison: %s on %s at a budget of %,d parameters",
                model,
                benchmark,
                parameterBudget));
  }

  private static ObjectNode object(JsonNode node, String where, boolean optional) {
    if (node.isMissingNode() && optional) {
      return RunConfig.json().createObjectNode();
    }
    if (!(node instanceof ObjectNode o)) {
      throw new IllegalArgumentException(where + " must be a JSON object");
    }
    return o;
  }

  private static Map<String, ObjectNode> objects(JsonNode node, String where) {
    ObjectNode all = object(node, where, false);
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    all.fields()
        .forEachRemaining(
            e -> {
              if (!e.getKey().matches("[a-z0-9][a-z0-9._-]*")) {
                throw new IllegalArgumentException(
                    where
                        + ": name '"
                        + e.getKey()
                        + "' must be lower-case letters, digits, '.', '_' or '-'"
                        + " (it names a directory)");
              }
              out.put(e.getKey(), object(e.getValue(), where + "." + e.getKey(), false));
            });
    if (out.isEmpty()) {
      throw new IllegalArgumentException(where + " is empty");
    }
    return out;
  }

  private static Map<String, ObjectNode> pick(
      Map<String, ObjectNode> all, List<String> names, String what, String flag) {
    if (names == null) {
      return all;
    }
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    for (String n : names) {
      if (!all.containsKey(n)) {
        throw new IllegalArgumentException(
            flag + " names " + what + " '" + n + "', which the comparison lacks: " + all.keySet());
      }
    }
    all.forEach(
        (k, v) -> {
          if (names.contains(k)) {
            out.put(k, v);
          }
        });
    return out;
  }
}
