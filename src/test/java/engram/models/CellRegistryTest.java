package engram.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.data.Splits;
import engram.runtime.Progress;
import engram.train.RunConfig;
import engram.train.RunDirectory;
import engram.train.TrainResult;
import engram.train.Trainer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adding a cell: {@link LeakyCell} (one file, in the test sources) and the one registry line below.
 * The model then trains, checkpoints and reloads its run config like the built-in ones.
 */
class CellRegistryTest {

  static final Path DATA = Path.of("..", "shared", "data").toAbsolutePath();

  /** The registry line. */
  static final ModelType LEAKY =
      ModelType.register("leaky", "leaky", (p, in, u, c) -> new LeakyCell<>(p, in, u));

  @Test
  void aRegisteredCellTrainsLikeTheBuiltInOnes(@TempDir Path dir) throws Exception {
    RunConfig config =
        RunConfig.parsePreset(
            "{\"model\": {\"type\": \"leaky\", \"units\": [16]},"
                + " \"train\": {\"epochs\": 3, \"batchSize\": 32, \"learningRate\": 0.01},"
                + " \"data\": {\"trainLimit\": 1280, \"testLimit\": 200}}",
            "test");
    assertEquals(LEAKY, config.model().type());
    Path run = dir.resolve("leaky");
    TrainResult r =
        new Trainer(config, Splits.load(config.data(), DATA), run, Progress.none(), null)
            .run(false);
    assertTrue(
        r.history().get(2).trainLoss() < r.history().get(0).trainLoss(),
        "the loss falls: " + r.history());
    assertTrue(r.testAccuracy() > 0.2, "twice chance (0.1) or more: " + r.testAccuracy());
    // The run's config.json names the cell, and reads back through the registry.
    assertEquals(LEAKY, RunDirectory.config(run, "test").model().type());
    assertTrue(ModelType.values().contains(LEAKY));
  }
}
