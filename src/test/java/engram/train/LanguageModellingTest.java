package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.cells.EngramCellConfig;
import engram.data.Dataset;
import engram.data.Subset;
import engram.data.TokenStreams;
import engram.models.ModelConfig;
import engram.models.ModelType;
import engram.nn.Param;
import engram.runtime.Progress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The language-modelling path on a tiny corpus: perplexity against a hand computation, and the
 * state carried across windows against one unwindowed run of the same streams.
 */
class LanguageModellingTest {

  static final int V = 7;

  /** 13 tokens: 12 predictions. */
  static final int[] CORPUS = {3, 1, 4, 1, 5, 2, 6, 5, 3, 5, 0, 2, 6};

  static ModelConfig lm(ModelType type) {
    return new ModelConfig(
        type,
        List.of(5),
        0.0,
        type == ModelType.ENN ? EngramCellConfig.defaults() : null,
        null,
        ModelConfig.EVERY,
        4,
        false);
  }

  static TrainingGraph graph(ModelConfig model, Dataset data) {
    return new TrainingGraph(
        model,
        data.inputs(),
        data.target(),
        data.streams(),
        TrainingGraph.Options.defaults(7),
        null);
  }

  static Evaluator.Evaluation evaluate(TrainingGraph g, Dataset data) {
    return Evaluator.run(g, data, 1, 0, true, Progress.none(), "test");
  }

  /**
   * All weights zero but the output bias b: every step's logits are b, so the NLL of target y is
   * log(sum_v e^b_v) - b_y, and perplexity is exp of its mean over the 12 predictions, each scored
   * once: 2 streams of 6 in windows of 4 hold 4 padding positions, which must not count.
   */
  @Test
  void perplexityIsExpOfTheMeanTokenNllOverTheWholeSplit() {
    float[] bias = {0.5f, -1f, 2f, 0f, 1.5f, -0.5f, 0.25f};
    TokenStreams data = new TokenStreams(CORPUS, 2, 4, V);
    double lse = 0;
    for (float b : bias) {
      lse += Math.exp(b);
    }
    lse = Math.log(lse);
    double sum = 0;
    int hits = 0;
    for (int i = 1; i < CORPUS.length; i++) {
      sum += lse - bias[CORPUS[i]];
      hits += CORPUS[i] == 2 ? 1 : 0; // arg-max of b is token 2
    }
    double expected = Math.exp(sum / 12);

    try (TrainingGraph g = graph(lm(ModelType.LSTM), data)) {
      Map<String, float[]> w = new HashMap<>();
      for (Param<?> p : g.params().trainable()) {
        w.put(p.name(), p.name().equals("head/bias") ? bias : new float[(int) p.size()]);
      }
      g.setWeights(w);
      Evaluator.Evaluation e = evaluate(g, data);
      assertEquals(12, e.count(), "every prediction scored once, padding not");
      assertEquals(expected, e.perplexity(), 1e-4 * expected);
      assertEquals(hits, e.correct());
    }
  }

  @Test
  void carriedStateMatchesOneUnwindowedRunLstm() {
    carriedStateMatchesOneUnwindowedRun(ModelType.LSTM);
  }

  @Test
  void carriedStateMatchesOneUnwindowedRunEnnTraceIncluded() {
    carriedStateMatchesOneUnwindowedRun(ModelType.ENN);
  }

  /**
   * 2 streams of 6 predictions: windows of 3 with the state (h, c, the ENN's trace) carried must
   * give the same per-step logits as windows of 6 (the whole stream at once); windows of 3 that
   * each start afresh must not.
   */
  void carriedStateMatchesOneUnwindowedRun(ModelType type) {
    TokenStreams whole = new TokenStreams(CORPUS, 2, 6, V);
    TokenStreams windows = new TokenStreams(CORPUS, 2, 3, V);
    Dataset independent = new Subset(windows, IntStream.range(0, windows.size()).toArray());
    ModelConfig model = lm(type);
    float[] a;
    float[] b;
    float[] c;
    try (TrainingGraph g = graph(model, whole)) {
      a = evaluate(g, whole).logits();
    }
    try (TrainingGraph g = graph(model, windows)) {
      Evaluator.Evaluation e = evaluate(g, windows);
      b = reorder(e.logits(), 2, 3, 2);
      assertEquals(12, e.count());
    }
    try (TrainingGraph g = graph(model, independent)) {
      c = reorder(evaluate(g, independent).logits(), 2, 3, 2);
    }
    double maxDiff = 0;
    double freshDiff = 0;
    for (int i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      freshDiff = Math.max(freshDiff, Math.abs(a[i] - c[i]));
    }
    assertTrue(maxDiff < 1e-5, type + ": carried windows differ from the whole run by " + maxDiff);
    assertTrue(freshDiff > 1e-4, type + ": windows without the carry should differ");
  }

  /** Window-major logits ({@code w*B + s}, T steps each) back into stream order. */
  static float[] reorder(float[] logits, int streams, int window, int windowsPerStream) {
    float[] out = new float[logits.length];
    for (int w = 0; w < windowsPerStream; w++) {
      for (int s = 0; s < streams; s++) {
        for (int t = 0; t < window; t++) {
          int from = ((w * streams + s) * window + t) * V;
          int to = (s * windowsPerStream * window + w * window + t) * V;
          System.arraycopy(logits, from, out, to, V);
        }
      }
    }
    return out;
  }
}
