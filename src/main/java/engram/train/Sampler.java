package engram.train;

import engram.data.Batch;
import engram.data.Batches;
import engram.data.Feature;
import engram.data.Target;
import engram.data.TokenStreams;
import engram.models.ModelConfig;
import engram.tasks.Classification;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.proto.ConfigProto;

/**
 * Generates tokens from a trained language model, one at a time: the model is rebuilt with windows
 * of one token and a single stream, so its state (h, c, the ENN's trace) carries from each token to
 * the next exactly as across training windows. The prompt is read first; each next token is drawn
 * from {@code softmax(logits / temperature)} (arg-max at temperature 0).
 */
public final class Sampler implements AutoCloseable {

  private final TrainingGraph graph;
  private final int vocabulary;
  private final float[] logits;
  private long step;

  private Sampler(TrainingGraph graph, int vocabulary) {
    this.graph = graph;
    this.vocabulary = vocabulary;
    this.logits = new float[vocabulary];
  }

  /**
   * The language model trained in {@code runDir}, with the weights of checkpoint {@code which}
   * ({@code latest}, {@code best} or an epoch).
   *
   * @param vocabulary the size of the vocabulary it was trained on
   */
  public static Sampler open(Path runDir, String which, int vocabulary, ConfigProto session)
      throws IOException {
    RunConfig config = RunDirectory.config(runDir, Evaluator.RUN_FIX);
    ModelConfig model = config.model();
    if (!model.head().equals(ModelConfig.EVERY) || model.embedding() == 0) {
      throw new IllegalArgumentException(
          runDir
              + " holds a "
              + model.type()
              + " classifier, not a language model; sample needs"
              + " a run trained on wikitext2 or wikitext103");
    }
    Checkpoints checkpoints =
        new Checkpoints(runDir, config.train().keepCheckpoints(), "--weights");
    String name = checkpoints.resolve(which);
    TrainingGraph g =
        new TrainingGraph(
            model,
            List.of(new Feature("x", Feature.Kind.INT, new int[] {1})),
            Target.classPerStep(1, vocabulary),
            1,
            TrainingGraph.Options.defaults(config.train().seed())
                .withPrecision(config.train().precision()),
            session);
    try {
      checkpoints.restoreVariables(g, name);
      return new Sampler(g, vocabulary);
    } catch (IOException | RuntimeException e) {
      g.close();
      throw e;
    }
  }

  /** Reads {@code token}; the logits of the next token are then {@link #next}'s to draw from. */
  public void read(int token) {
    if (token < 0 || token >= vocabulary) {
      throw new IllegalArgumentException("token id " + token + " outside [0, " + vocabulary + ")");
    }
    TokenStreams one = new TokenStreams(new int[] {token, 0}, 1, 1, vocabulary);
    Batch batch = Batch.forDataset(one, 1);
    Batches.inOrder(one, 1).fill(0, batch);
    graph.evaluate(batch, new long[] {0, step++}, logits, 0);
  }

  /** Draws the next token after what was read, and reads it. */
  public int next(double temperature, SplittableRandom random) {
    int token = draw(logits, temperature, random);
    read(token);
    return token;
  }

  /** Fails unless {@code temperature} is a finite number >= 0. */
  public static void checkTemperature(double temperature) {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("--temperature must be >= 0, got " + temperature);
    }
  }

  /** A token drawn from {@code softmax(logits / temperature)}; the arg-max at temperature 0. */
  static int draw(float[] logits, double temperature, SplittableRandom random) {
    checkTemperature(temperature);
    int best = Classification.argMax(logits, 0, logits.length);
    if (temperature == 0) {
      return best;
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      p[i] = Math.exp((logits[i] - logits[best]) / temperature);
      sum += p[i];
    }
    double u = random.nextDouble() * sum;
    for (int i = 0; i < p.length; i++) {
      u -= p[i];
      if (u < 0) {
        return i;
      }
    }
    return best;
  }

  /** Forgets what was read: the next token starts from the initial state. */
  public void reset() {
    graph.resetState();
  }

  @Override
  public void close() {
    graph.close();
  }
}
