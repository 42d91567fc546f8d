package engram.train;

import engram.distributed.StepWatchdog;

/**
 * Deadlines for the training steps of a multi-process job, so that a failed worker ends the job
 * instead of leaving the others waiting: each step runs under TensorFlow's session timeout, and the
 * watchdog ends the process if a step overruns even that (distributed.md §3).
 *
 * <p>The first step of the run waits up to 10 minutes (the workers build their graphs and load
 * their data at different speeds); the first of every later epoch {@code 1.5 s + 1.5 x} the time
 * this task spent since its last step (validating and checkpointing, which the others do too, at
 * their own speed); the others {@code max(s, 20 x the slowest step so far)}, s the step timeout
 * ({@code --step-timeout}, 30 s by default; the epoch's first step gets 1.5 s). So a worker that
 * dies mid-run stops the others within a minute on small jobs.
 */
final class JobGuard implements TrainingListener {

  static final long FIRST_STEP_MS = 600_000;
  static final long GRACE_MS = 15_000;

  private final StepWatchdog watchdog;
  private final long stepMs;
  private boolean first = true;
  private long slowestMs;
  private long started;
  private long lastEnd;

  /**
   * @param stepMs the step timeout s (ms)
   */
  JobGuard(StepWatchdog watchdog, long stepMs) {
    this.watchdog = watchdog;
    this.stepMs = stepMs;
  }

  @Override
  public void onBatchBegin(TrainingRun run, Step step) {
    long deadline =
        first
            ? FIRST_STEP_MS
            : step.batch() == 1
                ? (stepMs + (System.nanoTime() - lastEnd) / 1_000_000) * 3 / 2
                : Math.max(stepMs, 20 * slowestMs);
    run.graph().setStepTimeout(deadline);
    watchdog.arm("step " + step.batch() + " of epoch " + step.epoch(), deadline + GRACE_MS);
    started = System.nanoTime();
  }

  @Override
  public void onBatchEnd(TrainingRun run, Step step) {
    watchdog.disarm();
    if (!first && step.batch() > 1) {
      slowestMs = Math.max(slowestMs, (System.nanoTime() - started) / 1_000_000);
    }
    first = false;
    lastEnd = System.nanoTime();
  }
}
