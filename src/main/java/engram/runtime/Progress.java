package engram.runtime;

import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live progress of long loops (an epoch, an evaluation): a terminal bar with rate and ETA, or plain
 * log lines where stderr is not a terminal (CI logs, files).
 */
public interface Progress {

  /** Starts tracking {@code total} steps of work called {@code task}. */
  Task start(String task, int total);

  /** One tracked loop. */
  interface Task extends AutoCloseable {
    /** {@code done} of the total steps are finished; {@code message} shows loss and accuracy. */
    void update(int done, String message);

    /**
     * Whether {@code update(done, ...)} would show something now. A caller whose message costs
     * something (scores fetched from a GPU) asks first; the default is always.
     */
    default boolean due(int done) {
      return true;
    }

    @Override
    void close();
  }

  /** No output. */
  static Progress none() {
    return (task, total) ->
        new Task() {
          @Override
          public void update(int done, String message) {}

          @Override
          public boolean due(int done) {
            return false;
          }

          @Override
          public void close() {}
        };
  }

  /** A redrawn terminal bar on stderr: percentage, steps, elapsed time, ETA, rate, message. */
  static Progress bar() {
    return (task, total) -> {
      ProgressBar bar =
          new ProgressBarBuilder()
              .setTaskName(task)
              .setInitialMax(total)
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(250)
              .setUnit(" step", 1)
              .showSpeed()
              .setMaxRenderedLength(140)
              .setConsumer(new ConsoleProgressBarConsumer(System.err))
              .build();
      return new Task() {
        long shown;

        @Override
        public void update(int done, String message) {
          shown = System.nanoTime();
          bar.stepTo(done);
          bar.setExtraMessage(message);
        }

        @Override
        public boolean due(int done) {
          return System.nanoTime() - shown >= 250_000_000L; // the bar's redraw interval
        }

        @Override
        public void close() {
          bar.close();
        }
      };
    };
  }

  /** A log line every {@code every} steps (and at the end), with step time and ETA. */
  static Progress log(int every) {
    return log(every, Duration.ZERO, System::nanoTime);
  }

  /**
   * A log line every {@code every} steps and at the end, but none while the loop is younger than
   * {@code quiet} (on {@code clock}, in nanoseconds): a loop that ends within it logs nothing,
   * since the epoch's summary line already carries its scores.
   */
  static Progress log(int every, Duration quiet, LongSupplier clock) {
    Logger log = LoggerFactory.getLogger("engram.progress");
    long quietNanos = quiet.toNanos();
    return (task, total) -> {
      long start = clock.getAsLong();
      return new Task() {
        int last;
        String lastMessage = "";
        boolean shown;

        @Override
        public void update(int done, String message) {
          last = done;
          lastMessage = message;
          if (done < total && due(done)) {
            emit(done, message);
          }
        }

        @Override
        public boolean due(int done) {
          return done % every == 0 && pastQuiet();
        }

        private boolean pastQuiet() {
          return clock.getAsLong() - start >= quietNanos;
        }

        private void emit(int done, String message) {
          shown = true;
          double seconds = (clock.getAsLong() - start) / 1e9;
          double perStep = done == 0 ? 0 : seconds / done;
          log.info(
              String.format(
                  Locale.ROOT,
                  "%s %d/%d (%.0f%%) %s | %.0f ms/step, elapsed %s, ETA %s",
                  task,
                  done,
                  total,
                  100.0 * done / total,
                  message,
                  perStep * 1000,
                  human(seconds),
                  human(perStep * (total - done))));
        }

        @Override
        public void close() {
          if (last > 0 && (shown || pastQuiet())) {
            emit(last, lastMessage);
          }
        }
      };
    };
  }

  /** Picks the bar on an interactive terminal, otherwise log lines every 10 % of a loop. */
  static Progress auto() {
    return System.console() != null ? bar() : tenPercent();
  }

  /**
   * Log lines every 10 % of a loop, once it has run 5 s: a validation pass of a second or two would
   * otherwise print ten lines per epoch.
   */
  static Progress tenPercent() {
    return (task, total) ->
        log(Math.max(1, total / 10), Duration.ofSeconds(5), System::nanoTime).start(task, total);
  }

  /** {@code 83 s}, {@code 12 min 5 s}, {@code 2 h 3 min}. */
  static String human(double seconds) {
    Duration d = Duration.ofMillis(Math.round(seconds * 1000));
    if (d.toHours() > 0) {
      return d.toHours() + " h " + d.toMinutesPart() + " min";
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + " min " + d.toSecondsPart() + " s";
    }
    return String.format(Locale.ROOT, "%.1f s", seconds);
  }
}
