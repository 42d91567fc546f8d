package engram.cli;

import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Cli.Outcome;
import engram.testing.Subprocess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gives one line on stderr that names the problem, a non-zero exit code, no stack trace.
 */
class CliErrorsTest {

  static final Path DATA = Path.of("..", "shared", "data").toAbsolutePath();

  static void assertOneLineError(Outcome o, int code, String... mentions) {
    assertEquals(code, o.code(), "exit code; stderr: " + o.err());
    String err = o.err().strip();
    assertEquals(1, err.lines().count(), "exactly one line on stderr, got:\n" + o.err());
    assertTrue(err.startsWith("engram: "), err);
    assertFalse(
        err.contains("\tat ") || err.contains("Exception"),
        "no stack trace or exception name: " + err);
    for (String m : mentions) {
      assertTrue(err.contains(m), "error should mention '" + m + "': " + err);
    }
  }

  @Test
  void missingDataDirectory(@TempDir Path tmp) {
    Path missing = tmp.resolve("no-such-dir");
    assertOneLineError(
        engram(
            "train",
            "--model",
            "lstm",
            "--data-dir",
            missing.toString(),
            "--out",
            tmp.resolve("r").toString()),
        Main.EXIT_DATA,
        missing.resolve("mnist").toString(),
        "data-loaders/mnist.sh");
  }

  @Test
  void corruptDataFile(@TempDir Path tmp) throws Exception {
    Path mnist = Files.createDirectories(tmp.resolve("data/mnist"));
    try (var files = Files.list(DATA.resolve("mnist"))) {
      for (Path f : files.toList()) {
        Files.copy(f, mnist.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Path labels = mnist.resolve("train-labels-idx1-ubyte.gz");
    byte[] bytes = Files.readAllBytes(labels);
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(labels, bytes);
    assertOneLineError(
        engram(
            "train",
            "--model",
            "lstm",
            "--data-dir",
            tmp.resolve("data").toString(),
            "--out",
            tmp.resolve("r").toString()),
        Main.EXIT_DATA,
        "train-labels-idx1-ubyte.gz");
  }

  @Test
  void unknownModel() {
    assertOneLineError(
        engram("train", "--model", "transformer"),
        Main.EXIT_USAGE,
        "transformer",
        "[enn, rnn, gru, lstm, hmem"); // and any a test registered
  }

  @Test
  void unknownFlag() {
    assertOneLineError(engram("train", "--lerning-rate", "0.1"), Main.EXIT_USAGE, "--lerning-rate");
  }

  @Test
  void badFlagValue() {
    assertOneLineError(engram("train", "--epochs", "many"), Main.EXIT_USAGE, "--epochs", "many");
  }

  @Test
  void invalidConfigValue(@TempDir Path tmp) {
    assertOneLineError(
        engram(
            "train",
            "--model",
            "enn",
            "--memory",
            "0",
            "--data-dir",
            DATA.toString(),
            "--out",
            tmp.toString()),
        Main.EXIT_USAGE,
        "memorySize",
        "> 0");
  }

  @Test
  void memoryFlagOnABaseline(@TempDir Path tmp) {
    assertOneLineError(
        engram("train", "--model", "gru", "--memory", "32", "--out", tmp.toString()),
        Main.EXIT_USAGE,
        "--memory",
        "enn");
  }

  @Test
  void associationWithoutAnEncoderPreset(@TempDir Path tmp) {
    assertOneLineError(
        engram("train", "--model", "hmem", "--dataset", "association", "--out", tmp.toString()),
        Main.EXIT_USAGE,
        "--dataset association",
        "models/hmem-association-cpu.json");
  }

  @Test
  void presetWithUnknownKey(@TempDir Path tmp) throws Exception {
    Path preset = tmp.resolve("p.json");
    Files.writeString(
        preset, "{\"model\": {\"type\": \"enn\", \"engram\": {\"memorySlots\": 32}}}");
    assertOneLineError(
        engram("train", "--preset", preset.toString()),
        Main.EXIT_USAGE,
        "memorySlots",
        "memorySize");
  }

  @Test
  void missingPreset(@TempDir Path tmp) {
    assertOneLineError(
        engram("train", "--preset", tmp.resolve("nope.json").toString()),
        Main.EXIT_USAGE,
        "nope.json",
        "models/");
  }

  @Test
  void resumeWithoutRunDirectory(@TempDir Path tmp) {
    assertOneLineError(
        engram("train", "--resume", "--out", tmp.resolve("never-ran").toString()),
        Main.EXIT_DATA,
        "never-ran: no such run directory",
        "--resume");
  }

  @Test
  void evaluateWithoutARun(@TempDir Path tmp) {
    assertOneLineError(
        engram("evaluate", "--run", tmp.resolve("nothing").toString()),
        Main.EXIT_DATA,
        "nothing: no such run directory");
  }

  @Test
  void importOfAMissingWeightsFile(@TempDir Path tmp) {
    assertOneLineError(
        engram(
            "import-keras",
            tmp.resolve("model.weights.h5").toString(),
            "--out",
            tmp.resolve("r").toString()),
        Main.EXIT_DATA,
        "model.weights.h5",
        "file not found");
  }

  @Test
  void noCommand() {
    assertOneLineError(engram(), Main.EXIT_USAGE, "train");
  }

  @Test
  void theRealBinaryExitsNonZeroWithOneLine(@TempDir Path tmp) throws Exception {
    Object[] r =
        Subprocess.run(
            tmp, "train", "--model", "enn", "--data-dir", tmp.resolve("empty").toString());
    Outcome o = new Outcome((Integer) r[0], (String) r[1], (String) r[2]);
    assertOneLineError(o, Main.EXIT_DATA, "mnist");
  }
}
