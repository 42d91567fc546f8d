package engram.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import engram.cli.Main;
import engram.data.Dataset;
import engram.data.Feature;
import engram.data.Splits;
import engram.runtime.Progress;
import engram.testing.Cli;
import engram.train.Evaluator;
import engram.train.RunConfig;
import engram.train.Trainer;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Train briefly, export with the CLI, load the SavedModel back: its predictions must equal the
 * training session's own (deterministic) evaluation, for each model family.
 */
class ExportRoundTripTest {

  static final Path DATA = Path.of("..", "shared", "data").toAbsolutePath();

  static final String MNIST_DATA = "\"data\": {\"trainLimit\": 600, \"testLimit\": 160}";

  /** Runs {@code engram args...}, adding what it printed on stderr to {@code err}. */
  static int engram(StringWriter err, String... args) {
    Cli.Outcome o = Cli.engram(args);
    err.write(o.err());
    return o.code();
  }

  /** Trains {@code preset} for one epoch into {@code run}, exports it and compares. */
  static void roundTrip(Path tmp, String preset) throws Exception {
    RunConfig config = RunConfig.parsePreset(preset, "test");
    Splits data = Splits.load(config.data(), DATA);
    Path run = tmp.resolve("run");
    new Trainer(config, data, run, Progress.none(), null).run(false);
    Dataset test = data.test();
    Evaluator.Evaluation own = Evaluator.evaluate(run, "latest", test, true, Progress.none(), null);

    Path out = tmp.resolve("models/m");
    StringWriter err = new StringWriter();
    int code =
        engram(
            err,
            "export",
            "--run",
            run.toString(),
            "--out",
            out.toString(),
            "--weights",
            "latest",
            "--data-dir",
            DATA.toString());
    assertEquals(Main.EXIT_OK, code, err.toString());
    assertTrue(Files.isRegularFile(out.resolve("saved_model.pb")));
    assertTrue(Files.isRegularFile(out.resolve("variables/variables.index")));
    try (Stream<Path> siblings = Files.list(out.getParent())) {
      assertEquals(1, siblings.count(), "no temporary directory left beside the model");
    }

    try (EngramModel m = EngramModel.load(out)) {
      assertEquals(test.inputs(), m.inputs());
      assertEquals(test.numClasses(), m.numClasses());
      assertEquals(config.train().effectiveEvalBatchSize(), m.batchSize());
      float[] logits = m.logits(test, m.batchSize());
      double max = 0;
      double scale = 0;
      for (int i = 0; i < logits.length; i++) {
        max = Math.max(max, Math.abs(logits[i] - own.logits()[i]));
        scale = Math.max(scale, Math.abs(own.logits()[i]));
      }
      assertTrue(max <= 1e-6 * scale, "SavedModel logits differ from training's by " + max);
    }

    // predict: a CSV row per example, and a TF Serving request holding the first batch's inputs.
    Path csv = tmp.resolve("predictions.csv");
    Path request = tmp.resolve("request.json");
    assertEquals(
        Main.EXIT_OK,
        engram(
            err,
            "predict",
            "--model",
            out.toString(),
            "--batch",
            "3",
            "--out",
            csv.toString(),
            "--request",
            request.toString(),
            "--data-dir",
            DATA.toString()),
        err.toString());
    assertEquals(test.size() + 1, Files.readAllLines(csv).size());
    JsonNode inputs = RunConfig.json().readTree(Files.readString(request)).path("inputs");
    for (Feature f : test.inputs()) {
      JsonNode example = inputs.path(f.name());
      assertEquals(3, example.size(), f.name());
      for (int d : f.shape()) {
        example = example.get(0);
        assertEquals(d, example.size(), f.name() + " " + java.util.Arrays.toString(f.shape()));
      }
    }
  }

  @Test
  void ennRoundTrip(@TempDir Path tmp) throws Exception {
    roundTrip(
        tmp,
        "{\"model\": {\"type\": \"enn\", \"units\": [16], \"engram\": {\"memorySize\": 8}},"
            + " \"train\": {\"epochs\": 1, \"batchSize\": 32}, "
            + MNIST_DATA
            + "}");
  }

  @Test
  void lstmRoundTrip(@TempDir Path tmp) throws Exception {
    roundTrip(
        tmp,
        "{\"model\": {\"type\": \"lstm\", \"units\": [16, 8]},"
            + " \"train\": {\"epochs\": 1, \"batchSize\": 32}, "
            + MNIST_DATA
            + "}");
  }

  @Test
  void hmemRoundTrip(@TempDir Path tmp) throws Exception {
    roundTrip(
        tmp,
        "{\"model\": {\"type\": \"hmem\", \"hmem\": {\"embeddingSize\": 16, \"memorySize\": 12,"
            + " \"hops\": 2, \"encoding\": \"le\", \"gammaPos\": 0.01, \"gammaNeg\": 0.01,"
            + " \"wMax\": 1.0, \"l2\": 0.001}},"
            + " \"train\": {\"epochs\": 1, \"batchSize\": 32},"
            + " \"data\": {\"dataset\": \"babi\", \"task\": 1, \"size\": \"1k\","
            + " \"trainLimit\": 300, \"testLimit\": 100}}");
  }

  @Test
  void refusesAnExistingDirectoryUnlessForced(@TempDir Path tmp) throws Exception {
    RunConfig config =
        RunConfig.parsePreset(
            "{\"model\": {\"type\": \"rnn\", \"units\": [4]}, \"train\": {\"epochs\": 1}, "
                + MNIST_DATA
                + "}",
            "test");
    Path run = tmp.resolve("run");
    new Trainer(config, Splits.load(config.data(), DATA), run, Progress.none(), null).run(false);
    Path out = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    String[] export = {
      "export", "--run", run.toString(), "--out", out.toString(), "--data-dir", DATA.toString()
    };
    StringWriter err = new StringWriter();
    assertEquals(Main.EXIT_USAGE, engram(err, export));
    StringWriter wrongData = new StringWriter();
    assertEquals(
        Main.EXIT_DATA,
        engram(
            wrongData,
            "predict",
            "--model",
            tmp.resolve("nothing").toString(),
            "--data-dir",
            DATA.toString()));
    assertTrue(wrongData.toString().contains("engram export --run"), wrongData.toString());
    assertTrue(err.toString().contains("already exists") && err.toString().contains("--force"));
    assertEquals("mine", Files.readString(out.resolve("keep.txt")), "left untouched");

    String[] forced = new String[export.length + 1];
    System.arraycopy(export, 0, forced, 0, export.length);
    forced[export.length] = "--force";
    assertEquals(Main.EXIT_OK, engram(new StringWriter(), forced));
    assertTrue(Files.notExists(out.resolve("keep.txt")), "replaced as a whole");
    assertTrue(Files.isRegularFile(out.resolve(EngramModel.METADATA)));
  }
}
