package engram.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.cells.EngramCellConfig;
import engram.data.DataConfig;
import engram.models.ModelConfig;
import engram.models.ModelType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Everything that defines a run: model, training and data. Saved as {@code config.json} in the run
 * directory; presets ({@code models/*.json}) are partial run configs merged over {@link
 * #defaults(ModelType)}, so a preset only states what differs. Unknown keys are errors.
 */
public record RunConfig(String description, ModelConfig model, TrainConfig train, DataConfig data) {

  public RunConfig {
    if (model == null || train == null || data == null) {
      throw new IllegalArgumentException("a run config needs model, train and data sections");
    }
    if (description == null) {
      description = "";
    }
    if (model.type() == ModelType.HMEM && train.bpttWindow() > 0) {
      throw new IllegalArgumentException(
          "train.bpttWindow applies to the sequence models (enn, lstm, gru, rnn), not hmem;"
              + " set it to 0");
    }
  }

  /**
   * The reference setting of {@code type} (for WikiText see {@link #languageModelDefaults}): the
   * ENN paper's MNIST benchmark for enn and the baselines (128 + 64 units, no dropout), the
   * released H-Mem's bAbI recipe for hmem.
   */
  public static RunConfig defaults(ModelType type) {
    if (type == ModelType.HMEM) {
      return new RunConfig(
          "",
          ModelConfig.hmemDefaults(),
          TrainConfig.hmemDefaults(),
          DataConfig.babiDefaults(1, "10k"));
    }
    ModelConfig model =
        type == ModelType.ENN ? ModelConfig.ennDefaults() : ModelConfig.baselineDefaults(type);
    return new RunConfig("", model, TrainConfig.defaults(), DataConfig.mnistDefaults());
  }

  /**
   * {@code type} on memory task {@code dataset} ({@code recall}, {@code copy} or {@code adding},
   * {@link engram.data.MemoryTasks}) at its default size: the MNIST defaults' model and training,
   * with the head at every step for the copy task (it answers one symbol per recalled step).
   */
  public static RunConfig memoryTaskDefaults(ModelType type, String dataset) {
    if (type == ModelType.HMEM) {
      throw new IllegalArgumentException(
          "hmem reads bAbI stories and image frames; the memory tasks take enn, lstm, gru or rnn");
    }
    RunConfig base = defaults(type);
    DataConfig data = DataConfig.defaults(dataset);
    ModelConfig m = base.model();
    String head = data.dataset().equals("copy") ? ModelConfig.EVERY : ModelConfig.LAST;
    ModelConfig model =
        new ModelConfig(m.type(), m.units(), m.dropout(), m.engram(), null, head, 0, false);
    return new RunConfig("", model, base.train(), data);
  }

  /**
   * A word-level language model of {@code type} on {@code dataset} (wikitext2 or wikitext103): a
   * 200-wide embedding tied to the softmax, one recurrent layer of 200 units, dropout 0.3, windows
   * of 35 tokens in 20 streams, Adam 2e-3 with the gradient norm capped at 0.25 per variable, 6
   * epochs with the rate halved on a validation plateau.
   */
  public static RunConfig languageModelDefaults(ModelType type, String dataset) {
    if (type == ModelType.HMEM) {
      throw new IllegalArgumentException(
          "hmem is a question-answering model; language models are enn, lstm, gru or rnn");
    }
    ModelConfig model =
        new ModelConfig(
            type,
            List.of(200),
            0.3,
            type == ModelType.ENN ? EngramCellConfig.defaults() : null,
            null,
            ModelConfig.EVERY,
            200,
            true);
    TrainConfig d = TrainConfig.defaults();
    TrainConfig train =
        new TrainConfig(
            6,
            20,
            2e-3,
            0.25,
            d.seed(),
            LrSchedule.plateau(0.5, 1, 0),
            0,
            true,
            d.deterministicEval(),
            d.keepCheckpoints(),
            0,
            false,
            0,
            false,
            d.divergence(),
            d.tensorboard(),
            d.precision(),
            d.dataOnDevice(),
            d.fetchEvery());
    return new RunConfig("", model, train, DataConfig.wikitextDefaults(dataset));
  }

  public RunConfig withDescription(String text) {
    return new RunConfig(text, model, train, data);
  }

  /**
   * This config with {@code patch}, a partial config as in a preset (e.g. {@code {"train":
   * {"epochs": 3}}}), merged over it. The result is validated like a preset; {@code source} names
   * where the patch came from in error messages.
   */
  public RunConfig merged(JsonNode patch, String source) {
    ObjectNode tree = JSON.valueToTree(this);
    if (!(patch instanceof ObjectNode p)) {
      throw new IllegalArgumentException(source + ": a config patch must be a JSON object");
    }
    merge(tree, p);
    try {
      return JSON.treeToValue(tree, RunConfig.class);
    } catch (JsonProcessingException e) {
      throw ConfigErrors.of(source, e, tree);
    }
  }

  // Strict: unknown or duplicate keys, nulls for numbers, "128" for a number, 1.5 for an integer
  // and "yes" for a boolean are all errors that name the key, never silent conversions.
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(DeserializationFeature.READ_ENUMS_USING_TO_STRING)
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .serializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
          .build();

  /** The shared JSON mapper (strict: unknown keys and nulls for numbers are errors). */
  public static ObjectMapper json() {
    return JSON;
  }

  /** Pretty JSON of this config. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise run config", e);
    }
  }

  /**
   * Parses a saved config, e.g. a run directory's {@code config.json}. It is merged over the
   * defaults like a preset, so a config written by an earlier engram, without the keys added since,
   * reads with their defaults (which keep the earlier behaviour).
   */
  public static RunConfig fromJson(String json, String source) {
    return parsePreset(json, source);
  }

  /** Reads a preset file and merges it over the defaults of its {@code model.type}. */
  public static RunConfig readPreset(Path file) throws IOException {
    return parsePreset(presetText(file), file.toString());
  }

  /** The text of preset file {@code file}; a missing file is a usage error naming models/. */
  public static String presetText(Path file) throws IOException {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          file + ": preset not found; presets live in models/, e.g. models/enn-mnist.json");
    }
  }

  /** Merges preset JSON {@code text} over the defaults of its {@code model.type}. */
  public static RunConfig parsePreset(String text, String source) {
    ObjectNode merged = null;
    try {
      JsonNode preset = JSON.readTree(text);
      if (preset == null || !preset.isObject()) {
        throw new IllegalArgumentException(source + ": a preset must be a JSON object");
      }
      JsonNode type = preset.path("model").path("type");
      if (!type.isTextual()) {
        throw new IllegalArgumentException(
            source + ": model.type is required (enn, rnn, gru or lstm)");
      }
      ModelType modelType = ModelType.parse(type.asText());
      // A language-modelling preset states its dataset; it merges over the language-model base.
      String dataset = preset.path("data").path("dataset").asText("");
      merged =
          JSON.valueToTree(
              dataset.toLowerCase(java.util.Locale.ROOT).startsWith("wikitext")
                  ? languageModelDefaults(modelType, dataset)
                  : defaults(modelType));
      // Another dataset than the model's usual one starts from that dataset's defaults.
      if (!dataset.isEmpty()
          && !dataset.equalsIgnoreCase(merged.path("data").path("dataset").asText())) {
        merged.set("data", JSON.valueToTree(DataConfig.defaults(dataset)));
      }
      // Cell options merge over their defaults; a block that does not belong to the model type
      // stays in only if the preset wrote it, so that ModelConfig rejects it by name.
      ObjectNode model = (ObjectNode) merged.get("model");
      model.set("engram", JSON.valueToTree(defaults(ModelType.ENN).model().engram()));
      model.set("hmem", JSON.valueToTree(defaults(ModelType.HMEM).model().hmem()));
      merge(merged, (ObjectNode) preset);
      if (modelType != ModelType.ENN && !preset.path("model").has("engram")) {
        model.remove("engram");
      }
      if (modelType != ModelType.HMEM && !preset.path("model").has("hmem")) {
        model.remove("hmem");
      }
      return JSON.treeToValue(merged, RunConfig.class);
    } catch (JsonProcessingException e) {
      throw ConfigErrors.of(source, e, merged);
    }
  }

  /** Deep merge: objects merge key by key, everything else in {@code patch} replaces. */
  private static void merge(ObjectNode target, ObjectNode patch) {
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode existing = target.get(f.getKey());
      if (existing instanceof ObjectNode existingObject && f.getValue() instanceof ObjectNode p) {
        merge(existingObject, p);
      } else {
        target.set(f.getKey(), f.getValue());
      }
    }
  }
}
