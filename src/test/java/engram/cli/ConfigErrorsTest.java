package engram.cli;

import static engram.cli.CliErrorsTest.assertOneLineError;
import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.testing.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config value of the wrong type, from --set or a preset, names the key and the type it wants
 * (exit 2); duplicate keys in a preset are an error; nothing is converted silently and nothing in
 * --out is touched.
 */
class ConfigErrorsTest {

  /** train with {@code args} into a run directory holding a file; that file stays as it was. */
  static void refused(Path tmp, String[] args, String... mentions) throws IOException {
    Path out = Files.createDirectories(tmp.resolve("run"));
    Files.writeString(out.resolve("notes.txt"), "keep me");
    Map<String, String> before = Snapshot.of(out);
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--out";
    all[args.length + 1] = out.toString();
    assertOneLineError(engram(all), Main.EXIT_USAGE, mentions);
    assertEquals(before, Snapshot.of(out));
  }

  @Test
  void setWithAValueOfTheWrongType(@TempDir Path tmp) throws IOException {
    refused(
        tmp,
        new String[] {"train", "--model", "lstm", "--set", "train.batchSize=abc"},
        "train.batchSize must be an integer, got \"abc\"");
  }

  @Test
  void noSilentConversions(@TempDir Path tmp) throws IOException {
    refused(
        tmp,
        new String[] {"train", "--set", "train.epochs=1.5"},
        "train.epochs must be an integer, got 1.5");
    refused(
        tmp,
        new String[] {"train", "--set", "train.monitor=yes"},
        "train.monitor must be true or false, got \"yes\"");
    refused(
        tmp,
        new String[] {"train", "--set", "train.batchSize=12 8"},
        "train.batchSize must be an integer, got \"12 8\"");
    refused(
        tmp,
        new String[] {"train", "--set", "train.schedule.kind=cosine"},
        "train.schedule.kind must be one of [constant, step, plateau, exponential]",
        "cosine");
  }

  @Test
  void presetWithAValueOfTheWrongType(@TempDir Path tmp) throws IOException {
    Path preset =
        Files.writeString(
            tmp.resolve("p.json"), "{\"model\": {\"type\": \"lstm\", \"units\": \"abc\"}}");
    refused(
        tmp,
        new String[] {"train", "--preset", preset.toString()},
        preset.toString(),
        "model.units must be a JSON array of integers, got \"abc\"");
    Path quoted =
        Files.writeString(
            tmp.resolve("q.json"),
            "{\"model\": {\"type\": \"lstm\"}, \"train\": {\"batchSize\": \"128\"}}");
    refused(
        tmp,
        new String[] {"train", "--preset", quoted.toString()},
        "train.batchSize must be an integer, got \"128\"");
  }

  @Test
  void duplicateKeysInAPreset(@TempDir Path tmp) throws IOException {
    Path preset =
        Files.writeString(
            tmp.resolve("p.json"),
            "{\"model\": {\"type\": \"lstm\",\n  \"units\": [8],\n  \"units\": [16]}}");
    refused(
        tmp,
        new String[] {"train", "--preset", preset.toString()},
        preset.toString(),
        "duplicate key 'model.units' (line 3)");
  }
}
