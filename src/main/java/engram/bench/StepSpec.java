package engram.bench;

import engram.cells.EngramCellConfig;
import engram.data.Feature;
import engram.data.Target;
import engram.models.HMemConfig;
import engram.models.ModelConfig;
import engram.models.ModelType;
import engram.train.Bptt;
import java.util.List;
import java.util.Locale;

/**
 * One configuration to time.
 *
 * @param model the model family
 * @param batch B, sequences per step
 * @param seq T, time steps (for {@code hmem}: S, statements per story)
 * @param hidden H, the recurrent width (for {@code hmem}: d, the embedding width)
 * @param memory M, ENN memory slots (for {@code hmem}: m, the memory is m x m); unused otherwise
 * @param features D, inputs per time step (28 for MNIST rows); unused for {@code hmem}
 * @param width W, words per statement; {@code hmem} only
 * @param vocabulary words (and classes) of {@code hmem}; the sequence models have 10 classes
 * @param hops N, recurrent memory queries of {@code hmem}
 * @param warmup untimed steps first (at least 1)
 * @param steps timed steps
 * @param seed seed of the weights and the random inputs
 * @param languageModel a word-level language-model step instead (sequence models): T token ids in,
 *     an H-wide embedding tied to the softmax over {@code vocabulary} words at every step, the
 *     state carried from step to step as across WikiText windows
 */
public record StepSpec(
    ModelType model,
    int batch,
    int seq,
    int hidden,
    int memory,
    int features,
    int width,
    int vocabulary,
    int hops,
    int warmup,
    int steps,
    long seed,
    Bptt bptt,
    boolean languageModel) {

  /** A classification step (MNIST rows, bAbI). */
  public StepSpec(
      ModelType model,
      int batch,
      int seq,
      int hidden,
      int memory,
      int features,
      int width,
      int vocabulary,
      int hops,
      int warmup,
      int steps,
      long seed,
      Bptt bptt) {
    this(
        model,
        batch,
        seq,
        hidden,
        memory,
        features,
        width,
        vocabulary,
        hops,
        warmup,
        steps,
        seed,
        bptt,
        false);
  }

  public StepSpec {
    if (bptt == null) {
      bptt = Bptt.WHOLE;
    }
    if (model == null) {
      throw new IllegalArgumentException("--model is required: enn, lstm, gru, rnn or hmem");
    }
    check("--batch", batch);
    check("--seq", seq);
    check("--hidden", hidden);
    check("--memory", memory);
    check("--features", features);
    check("--width", width);
    check("--hops", hops);
    check("--warmup", warmup);
    check("--steps", steps);
    if (vocabulary < 2) {
      throw new IllegalArgumentException("--vocabulary must be >= 2, got " + vocabulary);
    }
    if (languageModel && !model.isSequence()) {
      throw new IllegalArgumentException("--lm times sequence models (enn, lstm, gru, rnn)");
    }
  }

  private static void check(String flag, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(flag + " must be > 0, got " + value);
    }
  }

  /**
   * The defaults of {@code model}: the MNIST-rows presets (B 128, T 28, D 28, H 128, M 64) for the
   * sequence models, the bAbI task-2 shape of the H-Mem preset (S 88, W 7, d 80, m 100, 3 hops, a
   * 40-word vocabulary) for {@code hmem}; 10 warm-up and 50 timed steps.
   */
  public static StepSpec defaults(ModelType model) {
    return model == ModelType.HMEM
        ? new StepSpec(model, 128, 88, 80, 100, 28, 7, 40, 3, 10, 50, 42, Bptt.WHOLE)
        : new StepSpec(model, 128, 28, 128, 64, 28, 7, 40, 3, 10, 50, 42, Bptt.WHOLE);
  }

  /** This spec with batch size {@code b}. */
  public StepSpec withBatch(int b) {
    return new StepSpec(
        model,
        b,
        seq,
        hidden,
        memory,
        features,
        width,
        vocabulary,
        hops,
        warmup,
        steps,
        seed,
        bptt,
        languageModel);
  }

  /** This spec as a language-model step ({@code V} words) or not. */
  public StepSpec withLanguageModel(boolean lm, int words) {
    return new StepSpec(
        model, batch, seq, hidden, memory, hidden, width, words, hops, warmup, steps, seed, bptt,
        lm);
  }

  /** The model: the presets' architecture at this spec's sizes. */
  public ModelConfig modelConfig() {
    if (languageModel) {
      return new ModelConfig(
          model,
          List.of(hidden),
          0.3,
          model == ModelType.ENN ? EngramCellConfig.defaults().withMemorySize(memory) : null,
          null,
          ModelConfig.EVERY,
          hidden,
          true);
    }
    if (model == ModelType.ENN) {
      return new ModelConfig(
          ModelType.ENN,
          List.of(hidden),
          0.3,
          EngramCellConfig.defaults().withMemorySize(memory),
          null);
    }
    if (model == ModelType.HMEM) {
      HMemConfig d = HMemConfig.defaults();
      return new ModelConfig(
          ModelType.HMEM,
          List.of(),
          0.0,
          null,
          new HMemConfig(
              hidden, memory, hops, d.encoding(), d.gammaPos(), d.gammaNeg(), d.wMax(), d.l2()));
    }
    return new ModelConfig(model, List.of(hidden), 0.0, null, null);
  }

  /** The presets' clipping: per-variable clipnorm 1 for the MNIST models, none for H-Mem. */
  double clipnorm() {
    return model == ModelType.HMEM ? 0 : 1.0;
  }

  List<Feature> inputs() {
    if (languageModel) {
      return List.of(new Feature("x", Feature.Kind.INT, new int[] {seq}));
    }
    return model == ModelType.HMEM
        ? List.of(
            new Feature("story", Feature.Kind.INT, new int[] {seq, width}),
            new Feature("query", Feature.Kind.INT, new int[] {width}))
        : List.of(new Feature("x", Feature.Kind.FLOAT, new int[] {seq, features}));
  }

  int numClasses() {
    return model == ModelType.HMEM || languageModel ? vocabulary : 10;
  }

  /** What the step is scored against: a class per example, or the next token at every step. */
  Target target() {
    return languageModel ? Target.classPerStep(seq, vocabulary) : Target.classOf(numClasses());
  }

  /**
   * Matrix-multiply FLOPs of one training step (forward, and twice that backward), the step's
   * arithmetic floor; elementwise work (norms, softmax, Adam) is left out, as it is small beside
   * the matmuls at these sizes. Per time step, forward, with the ENN's [z|m|h] integrator of width
   * 3H:
   *
   * <pre>
   *   enn   2BDH (encode) + 2BHM (scores) + 2BMH (read) + 2B(3H)(3H) + 2B(3H)H (integrate)
   *         + 2BMH (trace update A^T z)
   *   lstm  2B(D+H)4H        gru  2B(D+H)3H        rnn  2B(D+H)H
   * </pre>
   *
   * plus the head 2BH*10 once. NaN for {@code hmem}, whose step is elementwise-bound.
   */
  public double trainingFlops() {
    double b = batch;
    double d = features;
    double h = hidden;
    // Registered cells other than these have no formula: NaN, like H-Mem.
    double perStep = Double.NaN;
    if (model == ModelType.ENN) {
      perStep = 2 * b * d * h + 6 * b * h * memory + 18 * b * h * h + 6 * b * h * h;
    } else if (model == ModelType.LSTM) {
      perStep = 2 * b * (d + h) * 4 * h;
    } else if (model == ModelType.GRU) {
      perStep = 2 * b * (d + h) * 3 * h;
    } else if (model == ModelType.RNN) {
      perStep = 2 * b * (d + h) * h;
    }
    // The head: 10 classes once, or a V-wide softmax at every step for a language model.
    double head = languageModel ? 2 * b * seq * h * vocabulary : 2 * b * h * 10;
    return 3 * (perStep * seq + head);
  }

  /** A short label, e.g. {@code enn B=128 T=28 H=128 M=64}. */
  public String describe() {
    return model == ModelType.HMEM
        ? String.format(
            Locale.ROOT,
            "hmem B=%d S=%d W=%d d=%d m=%d N=%d V=%d",
            batch,
            seq,
            width,
            hidden,
            memory,
            hops,
            vocabulary)
        : String.format(
            Locale.ROOT,
            "%s%s B=%d T=%d D=%d H=%d%s%s",
            model,
            languageModel ? " LM V=" + vocabulary : "",
            batch,
            seq,
            features,
            hidden,
            model == ModelType.ENN ? " M=" + memory : "",
            bptt.splits(seq) ? ", BPTT windows of " + bpttLabel() : "");
  }

  /** {@code whole}, or the window length ({@code 32}, {@code 32-truncated}). */
  public String bpttLabel() {
    if (!bptt.splits(seq)) {
      return "whole";
    }
    return bptt.window() + (bptt.truncate() ? "-truncated" : "");
  }
}
