package engram.models;

import engram.nn.ParamSet;
import java.util.Arrays;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/** Builds the model a {@link ModelConfig} describes, for inputs of the given shapes. */
public final class Models {

  private Models() {}

  /**
   * @param inputShapes per-example shape of every input, by name (e.g. {@code x -> [28, 28]})
   * @param numClasses width of the output layer (and the vocabulary of an embedded input)
   */
  public static <T extends TFloating> Model<T> create(
      ParamSet<T> params, ModelConfig config, Map<String, long[]> inputShapes, int numClasses) {
    if (config.encoder() != null) {
      long[] story = require(inputShapes, HMemClassifier.STORY, 4, config);
      long[] query = require(inputShapes, HMemClassifier.QUERY, 3, config);
      int[] frame = {(int) query[0], (int) query[1], (int) query[2]};
      if (story[1] != query[0] || story[2] != query[1] || story[3] != query[2]) {
        throw new IllegalArgumentException(
            "story frames "
                + Arrays.toString(story)
                + " and the query "
                + Arrays.toString(query)
                + " differ in size");
      }
      return config.type() == ModelType.HMEM
          ? new HMemImageModel<>(
              params, config.hmem(), config.encoder(), (int) story[0], frame, numClasses)
          : new FrameSequenceModel<>(params, config, (int) story[0], frame, numClasses);
    }
    if (config.type() == ModelType.HMEM) {
      long[] story = require(inputShapes, HMemClassifier.STORY, 2, config);
      long[] query = require(inputShapes, HMemClassifier.QUERY, 1, config);
      if (query[0] != story[1]) {
        throw new IllegalArgumentException(
            "H-Mem needs queries as wide as statements, got " + query[0] + " and " + story[1]);
      }
      return new HMemClassifier<>(
          params, config.hmem(), (int) story[0], (int) story[1], numClasses);
    }
    // Token ids [T] go through the embedding; features are [T, D].
    long[] x = require(inputShapes, SequenceModel.INPUT, config.embedding() > 0 ? 1 : 2, config);
    int features = x.length == 2 ? (int) x[1] : 1;
    return new SequenceModel<>(params, config, (int) x[0], features, numClasses);
  }

  /**
   * Trainable parameters of the model {@code config} describes, for inputs of {@code inputShapes}
   * and {@code numClasses} outputs: the variables are made when a model is constructed, so this
   * builds nothing else (no unrolled steps, no session).
   */
  public static long trainableParameters(
      ModelConfig config, Map<String, long[]> inputShapes, int numClasses) {
    try (Graph g = new Graph()) {
      ParamSet<TFloat32> params = ParamSet.create(Ops.create(g), TFloat32.class, 0);
      create(params, config, inputShapes, numClasses);
      return params.trainableCount();
    }
  }

  /** The shape of input {@code name}, which must exist and have {@code rank} dimensions. */
  static long[] require(Map<String, long[]> shapes, String name, int rank, ModelConfig config) {
    long[] shape = shapes.get(name);
    if (shape == null || shape.length != rank) {
      throw new IllegalArgumentException(
          "model "
              + config.type()
              + " needs an input '"
              + name
              + "' of rank "
              + rank
              + " per example; the data provides "
              + shapes.entrySet().stream()
                  .map(e -> e.getKey() + Arrays.toString(e.getValue()))
                  .toList()
              + ". Pick a dataset that fits the model.");
    }
    return shape;
  }
}
