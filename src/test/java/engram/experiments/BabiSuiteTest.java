package engram.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.data.Babi;
import engram.models.ModelType;
import engram.runtime.Progress;
import engram.train.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bAbI runner: task lists, the results table, and a real (one-epoch) run with a skipped task.
 */
class BabiSuiteTest {

  static final Path DATA = Path.of("..", "shared", "data");

  @Test
  void parsesTaskLists() {
    assertEquals(List.of(1, 2, 3), BabiSuite.parseTasks("1-3"));
    assertEquals(List.of(2, 7, 19, 20), BabiSuite.parseTasks("2, 7,19-20"));
    assertThrows(IllegalArgumentException.class, () -> BabiSuite.parseTasks("0-2"));
    assertThrows(IllegalArgumentException.class, () -> BabiSuite.parseTasks("one"));
  }

  @Test
  void tableHasMeanErrorAndFailedTasks(@TempDir Path tmp) {
    BabiSuite b =
        new BabiSuite(RunConfig.defaults(ModelType.HMEM), DATA, tmp, Progress.none(), null);
    String md =
        b.markdown(
            List.of(
                new BabiSuite.TaskResult(1, "ok", 3, 2, 0.0, 0.0, 60),
                new BabiSuite.TaskResult(2, "ok", 3, 1, 4.0, 6.0, 600),
                new BabiSuite.TaskResult(
                    3, "skipped: training file missing", 0, 0, Double.NaN, Double.NaN, 0)),
            Babi.Size.K10);
    assertTrue(
        md.contains("**Mean test error 3.0 %** over 2 task(s); **failed tasks (error > 5 %): 1**"),
        md);
    assertTrue(md.contains("| 1 | single-supporting-fact | 0.0 | 0.0 | 2 of 3 |"), md);
    assertTrue(md.contains("| 3 | three-supporting-facts | skipped: training file missing |"), md);
    assertTrue(md.contains("| 0.0 |\n"), "paper's 10k task 1 error: " + md);
  }

  @Test
  void runsAndResumesAndSkipsTheMissingFile(@TempDir Path tmp) throws Exception {
    RunConfig base =
        RunConfig.defaults(ModelType.HMEM)
            .merged(
                RunConfig.json()
                    .readTree(
                        "{\"train\": {\"epochs\": 1}, \"data\": {\"size\": \"10k\", \"trainLimit\": 500, \"testLimit\": 100}}"),
                "test");
    BabiSuite b = new BabiSuite(base, DATA, tmp, Progress.none(), null);
    List<BabiSuite.TaskResult> r = b.run(List.of(1, 3), 1);
    assertEquals("ok", r.get(0).status());
    assertTrue(r.get(1).status().startsWith("skipped"));
    assertTrue(Files.exists(tmp.resolve("task01/run1/result.json")));
    List<String> csv = Files.readAllLines(tmp.resolve("results.csv"));
    assertEquals(3, csv.size(), String.join("\n", csv));
    // A second start reuses the finished run instead of training again.
    long modified = Files.getLastModifiedTime(tmp.resolve("task01/run1/result.json")).toMillis();
    List<BabiSuite.TaskResult> again = b.run(List.of(1), 1);
    assertEquals(r.get(0).testError(), again.get(0).testError(), 1e-9);
    assertEquals(
        modified, Files.getLastModifiedTime(tmp.resolve("task01/run1/result.json")).toMillis());
    // Another budget in the same --out is refused, not mixed into the table.
    RunConfig longer =
        base.merged(RunConfig.json().readTree("{\"train\": {\"epochs\": 2}}"), "test");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new BabiSuite(longer, DATA, tmp, Progress.none(), null).run(List.of(1), 1));
    assertTrue(e.getMessage().contains("train.epochs 2 here, 1 in the run"), e.getMessage());
  }
}
