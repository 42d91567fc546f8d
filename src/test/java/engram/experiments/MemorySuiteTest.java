package engram.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.data.DataConfig;
import engram.data.Splits;
import engram.train.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory-free scores against the tasks' known chance levels, and the file's checks. */
class MemorySuiteTest {

  private static Splits task(String dataset, int length, int items) throws Exception {
    RunConfig base = RunConfig.memoryTaskDefaults(engram.models.ModelType.GRU, dataset);
    com.fasterxml.jackson.databind.node.ObjectNode patch = RunConfig.json().createObjectNode();
    patch.putObject("data").put("length", length).put("items", items).put("examples", 10_000);
    DataConfig data = base.merged(patch, "test").data();
    return Splits.load(data, Path.of("unused"));
  }

  @Test
  void memoryFreeGuessesScoreTheTasksChanceLevels() throws Exception {
    // Adding: the target is the sum of two U(0, 1) numbers, variance 1/12 + 1/12 = 1/6; the
    // training mean (about 1) is off by its own error, ~0.004, squared: negligible. 1,000 test
    // sequences: the MSE's standard error is about sqrt(Var((s - 1)^2) / 1000) = 0.006.
    assertEquals(1.0 / 6, MemorySuite.memoryFree(task("adding", 25, 2)), 0.03);
    // Copy: 8 uniform symbols, the most frequent training one is right 1/8 of the time; 5,000
    // scored test steps: standard error 0.005.
    assertEquals(1.0 / 8, MemorySuite.memoryFree(task("copy", 21, 5)), 0.025);
    // Recall: the answer is a uniform digit, 1/10; 1,000 test sequences: standard error 0.0095.
    assertEquals(1.0 / 10, MemorySuite.memoryFree(task("recall", 19, 8)), 0.04);
  }

  @Test
  void aComparisonFileIsCheckedBeforeAnythingTrains(@TempDir Path tmp) throws Exception {
    String good =
        "{\"parameterBudget\": 500, \"models\": {\"gru\": {\"type\": \"gru\"}},"
            + " \"benchmarks\": {\"recall-4\": {\"dataset\": \"recall\", \"items\": 4}}}";
    Path file = tmp.resolve("c.json");
    Files.writeString(file, good);
    MemoryComparison c = MemoryComparison.read(file);
    assertEquals(List.of("gru"), List.copyOf(c.models().keySet()));
    refused(
        tmp, good.replace("\"type\": \"gru\"", "\"type\": \"gru\", \"units\": [8]"), "sets units");
    refused(tmp, good.replace("parameterBudget", "budget"), "unknown key 'budget'");
    refused(tmp, good.replace("\"items\": 4", "\"itemz\": 4"), "itemz");
    refused(tmp, good.replace("\"gru\": {", "\"GRU model\": {"), "lower-case");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> c.only(List.of("lstm"), null));
    assertTrue(e.getMessage().contains("--models names model 'lstm'"), e.getMessage());
  }

  private static void refused(Path tmp, String json, String mention) throws Exception {
    Path file = tmp.resolve("bad.json");
    Files.writeString(file, json);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MemoryComparison.read(file));
    assertTrue(e.getMessage().contains(mention), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
  }
}
