package engram.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import engram.testing.Cli;
import engram.train.TraceMonitor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --dataset recall|copy|adding} runs end to end with each task's target: one class per
 * sequence, one class per recalled step (the head at every step), one number scored by MSE.
 */
class MemoryTaskCliTest {

  private static Cli.Outcome train(Path out, String dataset, String... extra) {
    return train("gru", out, dataset, extra);
  }

  private static Cli.Outcome train(String model, Path out, String dataset, String... extra) {
    String[] base = {
      "train",
      "--model",
      model,
      "--dataset",
      dataset,
      "--epochs",
      "1",
      "--progress",
      "none",
      "--set",
      "data.examples=64",
      "--set",
      "data.testLimit=32",
      "--set",
      "model.units=[8]",
      "--set",
      "train.batchSize=16",
      "--out",
      out.toString()
    };
    String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return Cli.engram(args);
  }

  @Test
  void eachMemoryTaskTrainsWithItsOwnTarget(@TempDir Path tmp) throws Exception {
    Cli.Outcome recall = train(tmp.resolve("recall"), "recall");
    assertEquals(Main.EXIT_OK, recall.code(), recall.err());
    assertTrue(recall.out().contains("gru: test accuracy "), recall.out());

    Cli.Outcome copy =
        train(tmp.resolve("copy"), "copy", "--set", "data.length=9", "--set", "data.items=3");
    assertEquals(Main.EXIT_OK, copy.code(), copy.err());
    JsonNode config = new ObjectMapper().readTree(tmp.resolve("copy/config.json").toFile());
    assertEquals("every", config.path("model").path("head").asText());
    assertEquals(9, config.path("data").path("length").asInt());

    Cli.Outcome adding = train(tmp.resolve("adding"), "adding");
    assertEquals(Main.EXIT_OK, adding.code(), adding.err());
    assertTrue(adding.out().contains("gru: test MSE "), adding.out());
  }

  @Test
  void aTooShortSequenceIsOneLineNamingTheMinimum(@TempDir Path tmp) {
    Cli.Outcome o = train(tmp.resolve("r"), "recall", "--set", "data.length=10");
    CliErrorsTest.assertOneLineError(
        o, Main.EXIT_USAGE, "data.length 10 is too short for 4 items of recall", ">= 11 steps");
  }

  @Test
  void afterTrainingWithTopKTheMonitorSeesKSlotsPerRow(@TempDir Path tmp) throws Exception {
    // M = 16 slots at sparsity 0.25: k = 4; a trace per example ([T, B, M, H] in the graph).
    Path run = tmp.resolve("topk");
    Cli.Outcome o =
        train(
            "enn",
            run,
            "recall",
            "--set",
            "model.engram.memorySize=16",
            "--set",
            "model.engram.sparsityStrength=0.25",
            "--set",
            "model.engram.trace=example",
            "--set",
            "model.engram.topK=true",
            "--set",
            "train.monitor=true");
    assertEquals(Main.EXIT_OK, o.code(), o.err());
    List<TraceMonitor.Stats> stats = TraceMonitor.readStats(run.resolve(TraceMonitor.STATS));
    assertEquals(1, stats.size());
    for (TraceMonitor.Stats s : stats) {
      assertTrue(s.effectiveSlots() <= 4 + 1, "effective slots " + s.effectiveSlots());
    }
    Map<String, TreeMap<Integer, float[][]>> arrays =
        TraceMonitor.readArrays(run.resolve(TraceMonitor.ARRAYS));
    float[][] trace = arrays.get("trace").get(1);
    assertEquals(16, trace.length, "the first example's trace is [M, H]");
    assertEquals(8, trace[0].length);
    for (float[] row : arrays.get("attention").get(1)) {
      int nonZero = 0;
      for (float w : row) {
        nonZero += w != 0 ? 1 : 0;
      }
      assertEquals(4, nonZero);
    }
  }
}
