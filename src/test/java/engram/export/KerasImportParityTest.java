package engram.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import engram.data.Splits;
import engram.runtime.Progress;
import engram.testing.Cli;
import engram.testing.Npz;
import engram.testing.ParityFixtures;
import engram.train.Evaluator;
import engram.train.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An EngramClassifier trained for one epoch by tensorflow-engram itself ({@code
 * parity/classifier.py}) is imported with {@code engram import-keras} and predicts the MNIST test
 * set in engram's deterministic mode; Python predicted the same set with all draws zero, in the
 * same batches of 128.
 */
class KerasImportParityTest {

  static final Path DATA = Path.of("..", "shared", "data");

  @Test
  void importedClassifierPredictsLikePython(@TempDir Path tmp) throws Exception {
    Path dir = ParityFixtures.dir().resolve("classifier");
    JsonNode manifest = new ObjectMapper().readTree(Files.readString(dir.resolve("manifest.json")));
    Path run = tmp.resolve("imported");
    Cli.Outcome o =
        Cli.engram(
            "import-keras",
            dir.resolve(manifest.get("weights").asText()).toString(),
            "--out",
            run.toString(),
            "--data-dir",
            DATA.toString());
    assertEquals(0, o.code(), o.err());

    Splits data = Splits.load(RunDirectory.config(run, "test").data(), DATA);
    Evaluator.Evaluation e =
        Evaluator.evaluate(run, "latest", data.test(), true, Progress.none(), null);
    Map<String, Npz.Array> python = Npz.read(dir.resolve("predictions.npz"));
    double[] expected = python.get("logits").data();
    double[] labels = python.get("labels").data();
    int n = labels.length;
    int classes = e.numClasses();
    assertEquals(n, e.examples());

    int agree = 0;
    double maxDiff = 0, maxAbs = 0;
    for (int i = 0; i < n; i++) {
      assertEquals((int) labels[i], data.test().label(i), "same test-set order");
      int javaClass = 0, pythonClass = 0;
      for (int c = 0; c < classes; c++) {
        double j = e.logits()[i * classes + c], p = expected[i * classes + c];
        maxDiff = Math.max(maxDiff, Math.abs(j - p));
        maxAbs = Math.max(maxAbs, Math.abs(p));
        if (j > e.logits()[i * classes + javaClass]) javaClass = c;
        if (p > expected[i * classes + pythonClass]) pythonClass = c;
      }
      if (javaClass == pythonClass) agree++;
    }
    double agreement = (double) agree / n;
    double relative = maxDiff / maxAbs;
    ParityFixtures.startReport(
        "classifier",
        "| model | test images | same class | logits error | accuracy engram / Python |",
        "|---|---|---|---|---|");
    ParityFixtures.report(
        "classifier",
        String.format(
            Locale.ROOT,
            "| EngramClassifier, 1 epoch (%s) | %d | %.2f %% | %.1e | %.4f / %.4f |",
            manifest.get("versions").get("tensorflow-engram").asText(),
            n,
            100 * agreement,
            relative,
            e.accuracy(),
            manifest.get("deterministic_test_accuracy").asDouble()));
    assertTrue(agreement >= 0.999, "class agreement " + agreement + " < 99.9 %");
    assertTrue(relative <= 1e-4, "logits relative error " + relative + " > 1e-4");
  }
}
