package engram.cli;

import static engram.cli.CliErrorsTest.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    CliErrorsTest.Outcome o = engram(args);
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
    CliErrorsTest.Outcome again = engram(args);
    assertEquals(Main.EXIT_OK, again.code(), again.err());
    assertEquals(before, Files.getLastModifiedTime(run.resolve("result.json")), "reused");

    // --finished-only reports the four finished runs and trains nothing at the new delay 5.
    String[] report = args.clone();
    report[2] = "0,1,5";
    String[] finishedOnly = java.util.Arrays.copyOf(report, report.length + 1);
    finishedOnly[report.length] = "--finished-only";
    CliErrorsTest.Outcome partial = engram(finishedOnly);
    assertEquals(Main.EXIT_OK, partial.code(), partial.err());
    assertTrue(partial.out().contains("association: 4 run(s)"), partial.out());
    assertEquals(5, Files.readAllLines(out.resolve("results.csv")).size());
    assertTrue(!Files.exists(out.resolve("hmem/delay05")), "nothing trained at delay 5");

    CliErrorsTest.Outcome bad = engram("association", "--size", "huge", "--data-dir", DATA);
    assertEquals(Main.EXIT_USAGE, bad.code());
    assertTrue(bad.err().contains("--size must be released or cpu"), bad.err());
  }
}
