package engram.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Log-mode progress on a hand-driven clock: which lines a loop prints, and when. */
class ProgressTest {

  private static final long SECOND = 1_000_000_000L;

  /** Runs {@code total} steps of {@code stepNanos} each and returns this task's log lines. */
  private static List<String> lines(
      Progress progress, int total, long stepNanos, AtomicLong clock) {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (Progress.Task task = progress.start("progress-test", total)) {
      for (int done = 1; done <= total; done++) {
        clock.addAndGet(stepNanos);
        task.update(done, "loss 1.0");
      }
    } finally {
      System.setErr(saved);
    }
    return captured
        .toString(StandardCharsets.UTF_8)
        .lines()
        .filter(l -> l.contains("progress-test"))
        .toList();
  }

  @Test
  void everyNthStepAndTheEndWithoutAQuietPeriod() {
    AtomicLong clock = new AtomicLong();
    List<String> lines = lines(Progress.log(4, Duration.ZERO, clock::get), 10, SECOND, clock);
    assertEquals(3, lines.size(), String.join("\n", lines)); // steps 4, 8 and the closing 10
    assertTrue(lines.get(0).contains("progress-test 4/10 (40%) loss 1.0 | 1000 ms/step"));
    assertTrue(lines.get(0).contains("elapsed 4.0 s, ETA 6.0 s"), lines.get(0));
    assertTrue(lines.get(2).contains("10/10 (100%)"), lines.get(2));
  }

  @Test
  void aLoopShorterThanTheQuietPeriodPrintsNothing() {
    AtomicLong clock = new AtomicLong();
    Progress p = Progress.log(1, Duration.ofSeconds(5), clock::get);
    assertEquals(List.of(), lines(p, 40, SECOND / 10, clock)); // 4 s in all
  }

  @Test
  void aLongLoopStartsPrintingOnceTheQuietPeriodIsOver() {
    AtomicLong clock = new AtomicLong();
    Progress p = Progress.log(2, Duration.ofSeconds(5), clock::get);
    List<String> lines = lines(p, 10, SECOND, clock);
    // steps 2 and 4 fall inside the first 5 s; 6 and 8 are shown, then the closing 10
    assertEquals(3, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).contains(" 6/10 "), lines.get(0));
    assertTrue(lines.get(2).contains(" 10/10 "), lines.get(2));
  }

  @Test
  void dueFollowsTheIntervalAndTheQuietPeriod() {
    AtomicLong clock = new AtomicLong();
    try (Progress.Task task = Progress.log(2, Duration.ofSeconds(5), clock::get).start("t", 10)) {
      assertFalse(task.due(2)); // too early
      clock.set(5 * SECOND);
      assertTrue(task.due(2));
      assertFalse(task.due(3)); // off the interval
    }
  }
}
