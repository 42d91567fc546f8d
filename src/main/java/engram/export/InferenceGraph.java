package engram.export;

import engram.cells.NoiseSource;
import engram.data.Feature;
import engram.models.Model;
import engram.models.ModelConfig;
import engram.models.Models;
import engram.nn.ParamSet;
import engram.ops.SeedStream;
import engram.train.Inputs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A model's inference graph, alone: its variables, one placeholder per input and the outputs of
 * {@link #SIGNATURE}, in deterministic mode (no dropout; the ENN's initial state, initial trace and
 * trace noise are zeros), so a prediction depends only on the weights and the batch. Its variables
 * have the trainer's names, so a training checkpoint restores into it.
 *
 * <p>Signature {@code serving_default}: inputs are the dataset's features with a free batch
 * dimension ({@code x} float32 {@code [-1, T, D]}; or {@code story} int32 {@code [-1, S, W]} and
 * {@code query} int32 {@code [-1, W]}; a language model's token ids {@code x} int32 {@code [-1,
 * T]}); outputs {@code logits} and {@code probabilities} float32 {@code [-1, C]} and {@code class}
 * int64 {@code [-1]}, or for a language model per step: {@code [-1, T, V]} and {@code [-1, T]}
 * (each window from the initial state: the signature carries no state between calls).
 */
public final class InferenceGraph implements AutoCloseable {

  /** The signature key TensorFlow Serving and {@code tf.saved_model.load} look for. */
  public static final String SIGNATURE = "serving_default";

  public static final String LOGITS = "logits";
  public static final String PROBABILITIES = "probabilities";
  public static final String CLASS = "class";

  private final Graph graph;
  private final Session session;
  private final Signature signature;

  /** Builds the graph of {@code model} over {@code inputs} with {@code numClasses} outputs. */
  public InferenceGraph(ModelConfig model, List<Feature> inputs, int numClasses) {
    graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      ParamSet<TFloat32> params = ParamSet.create(tf, TFloat32.class, 0);
      Model<TFloat32> classifier = Models.create(params, model, Inputs.shapes(inputs), numClasses);

      Signature.Builder sig = Signature.builder().key(SIGNATURE);
      Map<String, Operand<?>> feeds = new LinkedHashMap<>();
      for (Feature f : inputs) {
        Placeholder<?> p = Inputs.placeholder(tf, f);
        feeds.put(f.name(), p);
        sig.input(f.name(), p);
      }
      // Inference draws nothing: the seed stream is only there to satisfy the signature of forward.
      SeedStream unused = new SeedStream(tf.constant(new long[] {0, 0}));
      Ops out = tf.withSubScope("inference");
      Operand<TFloat32> logits =
          out.withName(LOGITS)
              .identity(
                  classifier.forward(out, feeds, false, NoiseSource.zeros(), unused).outputs());
      sig.output(LOGITS, logits);
      sig.output(PROBABILITIES, out.withName(PROBABILITIES).nn.softmax(logits));
      Operand<TInt64> argmax =
          out.withName(CLASS).math.argMax(logits, out.constant(-1), TInt64.class);
      sig.output(CLASS, argmax);
      signature = sig.build();
      session = new Session(graph);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** Restores the variables from a training checkpoint {@code prefix} ({@code .../variables}). */
  public void restore(String prefix) {
    session.restore(prefix);
  }

  /** Writes a SavedModel (tag {@code serve}, signature {@link #SIGNATURE}) into {@code dir}. */
  public void export(Path dir) throws IOException {
    SavedModelBundle.exporter(dir.toString())
        .withSession(session)
        .withSignature(signature)
        .export();
  }

  public Signature signature() {
    return signature;
  }

  public Session session() {
    return session;
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      graph.close();
    }
  }
}
