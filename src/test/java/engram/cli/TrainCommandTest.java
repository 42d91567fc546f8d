package engram.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.models.ModelType;
import engram.train.LrSchedule;
import engram.train.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How flags, --set and presets combine into a run config. */
class TrainCommandTest {

  static RunConfig resolve(String... args) throws Exception {
    TrainCommand cmd = new TrainCommand();
    new CommandLine(cmd).parseArgs(args);
    return cmd.resolveConfig();
  }

  @Test
  void flagsOverrideThePreset() throws Exception {
    RunConfig c =
        resolve(
            "--preset",
            "models/enn-mnist.json",
            "--hidden",
            "64",
            "--memory",
            "32",
            "--epochs",
            "3",
            "--lr",
            "3e-4",
            "--batch",
            "64",
            "--clipnorm",
            "0",
            "--seed",
            "7",
            "--bptt-window",
            "7",
            "--bptt-truncate");
    assertEquals(List.of(64), c.model().units());
    assertEquals(32, c.model().engram().memorySize());
    assertEquals(0.05, c.model().engram().hebbianLr(), "untouched preset values stay");
    assertEquals(3, c.train().epochs());
    assertEquals(3e-4, c.train().learningRate());
    assertEquals(64, c.train().batchSize());
    assertEquals(0, c.train().clipnorm());
    assertEquals(7, c.train().seed());
    assertEquals(LrSchedule.Kind.PLATEAU, c.train().schedule().kind());
    assertEquals(new engram.train.Bptt(7, true), c.train().bptt());
  }

  @Test
  void setChangesAnyKey() throws Exception {
    RunConfig c =
        resolve(
            "--model",
            "gru",
            "--set",
            "model.dropout=0.2",
            "--set",
            "train.schedule.kind=step",
            "--set",
            "train.schedule.factor=0.85",
            "--set",
            "train.schedule.every=20",
            "--set",
            "model.units=[32,16]",
            "--set",
            "data.view=pixels");
    assertEquals(ModelType.GRU, c.model().type());
    assertEquals(0.2, c.model().dropout());
    assertEquals(LrSchedule.step(0.85, 20), c.train().schedule());
    assertEquals(List.of(32, 16), c.model().units());
    assertEquals("pixels", c.data().view());
  }

  @Test
  void setErrorsNameTheKeyOrTheRule() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> resolve("--set", "train.epoch=3"));
    assertTrue(
        e.getMessage().contains("'epoch'") && e.getMessage().contains("epochs"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> resolve("--set", "train.epochs=0"));
    assertTrue(e.getMessage().contains("train.epochs must be > 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> resolve("--set", "train.epochs"));
    assertTrue(e.getMessage().contains("KEY=VALUE"), e.getMessage());
  }

  @Test
  void resumeTakesTheSavedConfigAndOnlyEpochsMayChange(@TempDir Path tmp) throws Exception {
    RunConfig saved = RunConfig.readPreset(Path.of("models/enn-mnist.json"));
    Files.writeString(tmp.resolve("config.json"), saved.toJson());
    String out = tmp.toString();
    RunConfig same =
        resolve("--resume", "--out", out, "--preset", "models/enn-mnist.json", "--lr", "1e-3");
    assertEquals(saved, same, "the original command's values are accepted");
    assertEquals(20, resolve("--resume", "--out", out, "--epochs", "20").train().epochs());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> resolve("--resume", "--out", out, "--lr", "0.1", "--set", "model.dropout=0"));
    assertTrue(
        e.getMessage().contains("model.dropout is 0.3 in the saved config, not 0")
            && e.getMessage().contains("train.learningRate is 0.001 in the saved config, not 0.1"),
        e.getMessage());
  }
}
