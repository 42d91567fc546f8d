package engram.cli;

import static engram.cli.CliErrorsTest.assertOneLineError;
import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.testing.Cli;
import engram.testing.Snapshot;
import engram.train.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loss that explodes without becoming NaN (LSTM, learning rate 1e4, no clipping: 1e4..1e5 within
 * a few steps) stops the run by the rule train.divergence with exit code 4 and one line that names
 * the last good checkpoint, which stays as it was.
 */
class DivergenceTest {

  @Test
  void anExplodingLossStopsTheRun(@TempDir Path tmp) {
    Path out = tmp.resolve("run");
    assertOneLineError(
        engram(
            TinyRun.trainArgs(
                out, "--lr", "1e4", "--clipnorm", "0", "--set", "train.divergence.steps=5")),
        Main.EXIT_DIVERGED,
        "has stayed above 10 x the first step's loss",
        "for 5 steps",
        "train.divergence",
        "Last good checkpoint: none");
  }

  @Test
  void theLastGoodCheckpointIsNamedAndKept(@TempDir Path tmp) throws Exception {
    Path out = TinyRun.train(tmp.resolve("run"), "--epochs", "1");
    // From epoch 2 on, train with a rate 1e7 times higher and no clipping: the learning rate
    // for the next epoch lives in the checkpoint's state, clipping in the config.
    Path state = out.resolve("checkpoints/epoch-0001/state.json");
    ObjectNode s = (ObjectNode) RunConfig.json().readTree(Files.readString(state));
    Files.writeString(state, s.put("learningRate", 1e4).toString());
    Path config = out.resolve("config.json");
    ObjectNode c = (ObjectNode) RunConfig.json().readTree(Files.readString(config));
    ((ObjectNode) c.get("train"))
        .put("clipnorm", 0.0)
        .putObject("divergence")
        .put("factor", 10)
        .put("steps", 5);
    Files.writeString(config, c.toString());
    Map<String, String> good = Snapshot.of(out.resolve("checkpoints/epoch-0001"));

    Cli.Outcome o =
        engram(
            TinyRun.trainArgs(
                out,
                "--resume",
                "--epochs",
                "3",
                "--clipnorm",
                "0",
                "--set",
                "train.divergence.steps=5"));
    assertOneLineError(
        o,
        Main.EXIT_DIVERGED,
        "since epoch 2 step",
        "Last good checkpoint: epoch 1 (" + out.resolve("checkpoints/epoch-0001") + ")");
    assertEquals(good, Snapshot.of(out.resolve("checkpoints/epoch-0001")));
    assertTrue(o.err().contains("epoch 2 step") || o.err().contains("epoch 3 step"), o.err());
  }
}
