package engram.cli;

import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import engram.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engram association} end to end on tiny models: one run per model and delay, the table, the
 * accuracy-against-delay figure, H-Mem's memory of a test story, and a second start that reuses the
 * finished runs.
 */
class AssociationCliTest {

  static final String DATA = CliErrorsTest.DATA.toString();

  static final String ENCODER =
      "\"encoder\": {\"channels\": [2], \"dropouts\": [0.1], \"convsPerBlock\": 1,"
          + " \"features\": 8, \"featureDropout\": 0.3, \"l2\": 0.001}";
  static final String REST =
      "\"train\": {\"epochs\": 1, \"batchSize\": 32, \"clipnorm\": 10,"
          + " \"schedule\": {\"kind\": \"exponential\", \"factor\": 0.1, \"start\": 50}},"
          + " \"data\": {\"dataset\": \"association\", \"source\": \"jpeg\", \"trainLimit\": 64,"
          + " \"testLimit\": 32}}";

  @Test
  void trainsEveryModelAtEveryDelayAndResumes(@TempDir Path dir) throws Exception {
    Path hmem = dir.resolve("hmem.json");
    Path lstm = dir.resolve("lstm.json");
    Files.writeString(
        hmem,
        "{\"model\": {\"type\": \"hmem\", \"hmem\": {\"embeddingSize\": 8, \"memorySize\": 6,"
            + " \"hops\": 1}, "
            + ENCODER
            + "}, "
            + REST);
    Files.writeString(
        lstm, "{\"model\": {\"type\": \"lstm\", \"units\": [6], " + ENCODER + "}, " + REST);
    Path out = dir.resolve("suite");
    String[] args = {
      "association",
      "--delays",
      "0,1",
      "--preset",
      "hmem=" + hmem,
      "--preset",
      "lstm=" + lstm,
      "--data-dir",
      DATA,
      "--out",
      out.toString(),
      "--progress",
      "none"
    };
    Cli.Outcome o = engram(args);
    assertEquals(Main.EXIT_OK, o.code(), o.err());
    String md = Files.readString(out.resolve("results.md"));
    assertTrue(md.contains("| 0 | 3 |") && md.contains("| 1 | 6 |"), md);
    assertTrue(md.contains("LOSSY"), "the JPEG copy is labelled: " + md);
    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertEquals(5, csv.size(), "header + 2 models x 2 delays: " + csv);
    assertTrue(Files.size(out.resolve("accuracy-vs-delay.png")) > 1000);
    Path run = out.resolve("hmem").resolve("delay01");
    List<String> memory = Files.readAllLines(run.resolve("test-story-memory.csv"));
    assertEquals(6, memory.size(), "m = 6 rows");
    assertEquals(6, memory.get(0).split(",").length, "of m values");
    assertTrue(Files.exists(run.resolve("test-story-memory.png")));
    assertTrue(!Files.exists(out.resolve("lstm/delay01/test-story-memory.csv")), "no memory");

    FileTime before = Files.getLastModifiedTime(run.resolve("result.json"));
    Cli.Outcome again = engram(args);
    assertEquals(Main.EXIT_OK, again.code(), again.err());
    assertEquals(before, Files.getLastModifiedTime(run.resolve("result.json")), "reused");

    // --finished-only reports the four finished runs and trains nothing at the new delay 5.
    String[] report = args.clone();
    report[2] = "0,1,5";
    String[] finishedOnly = java.util.Arrays.copyOf(report, report.length + 1);
    finishedOnly[report.length] = "--finished-only";
    Cli.Outcome partial = engram(finishedOnly);
    assertEquals(Main.EXIT_OK, partial.code(), partial.err());
    assertTrue(partial.out().contains("association: 4 run(s)"), partial.out());
    assertEquals(5, Files.readAllLines(out.resolve("results.csv")).size());
    assertTrue(!Files.exists(out.resolve("hmem/delay05")), "nothing trained at delay 5");

    // --runs 2 at delay 0: run 1 is reused, run 2 trains with the next seed, and the point is the
    // run with the higher final validation accuracy, with the mean and spread of both beside it.
    Cli.Outcome seeds =
        engram(
            "association",
            "--delays",
            "0",
            "--models",
            "hmem",
            "--runs",
            "2",
            "--preset",
            "hmem=" + hmem,
            "--data-dir",
            DATA,
            "--out",
            out.toString(),
            "--progress",
            "none");
    assertEquals(Main.EXIT_OK, seeds.code(), seeds.err());
    assertTrue(
        seeds.out().contains("association: 2 run(s) at 1 (model, delay) point(s)"), seeds.out());
    Path first = out.resolve("hmem/delay00");
    Path second = out.resolve("hmem/delay00-run2");
    ObjectMapper json = new ObjectMapper();
    assertEquals(
        42, json.readTree(first.resolve("config.json").toFile()).at("/train/seed").asInt());
    assertEquals(
        43, json.readTree(second.resolve("config.json").toFile()).at("/train/seed").asInt());
    double[] validation = {finalValidation(first), finalValidation(second)};
    double[] test = {
      json.readTree(first.resolve("result.json").toFile()).get("test_accuracy").asDouble(),
      json.readTree(second.resolve("result.json").toFile()).get("test_accuracy").asDouble()
    };
    int best = validation[1] > validation[0] ? 1 : 0;
    double mean = (test[0] + test[1]) / 2;
    double sd = Math.abs(test[0] - test[1]) / Math.sqrt(2); // sample sd of two values
    String row =
        String.format(
            java.util.Locale.ROOT, "| 0 | 3 | %.4f | %.4f ± %.4f (2) |", test[best], mean, sd);
    String seedsMd = Files.readString(out.resolve("results.md"));
    assertTrue(seedsMd.contains(row), row + " in " + seedsMd);
    List<String> rows = Files.readAllLines(out.resolve("results.csv"));
    assertEquals(3, rows.size(), "header + one row per run: " + rows);
    assertTrue(
        rows.get(1 + best).startsWith("hmem,0,3," + (best + 1) + "," + (42 + best) + ",1,"),
        rows.toString());
    assertTrue(Files.exists(second.resolve("test-story-memory.png")));

    Cli.Outcome bad = engram("association", "--size", "huge", "--data-dir", DATA);
    assertEquals(Main.EXIT_USAGE, bad.code());
    assertTrue(bad.err().contains("--size must be released or cpu"), bad.err());
  }

  /** The last epoch's val_accuracy in a run's metrics.csv. */
  private static double finalValidation(Path run) throws java.io.IOException {
    List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
    List<String> header = List.of(rows.get(0).split(","));
    return Double.parseDouble(rows.get(rows.size() - 1).split(",")[header.indexOf("val_accuracy")]);
  }
}
