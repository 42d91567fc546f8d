package engram.distributed;

/**
 * Ends the job when a step overruns its deadline. Both of TensorFlow's timeouts (the session's and
 * the collective's) are ignored when a worker takes its first step after the group leader died
 * (distributed.md §3): the step would wait forever. A daemon thread checks the armed deadline and
 * calls {@code onOverrun}, which must not return (it prints the failure and halts the process).
 */
public final class StepWatchdog implements AutoCloseable {

  private final Thread thread;
  private volatile long deadline = Long.MAX_VALUE;
  private volatile String what = "";
  private volatile boolean closed;

  /**
   * @param onOverrun gets what overran, e.g. "step 57 of epoch 2 (deadline 30 s)"
   */
  public StepWatchdog(java.util.function.Consumer<String> onOverrun) {
    thread =
        new Thread(
            () -> {
              while (!closed) {
                if (System.nanoTime() > deadline) {
                  onOverrun.accept(what);
                  return;
                }
                try {
                  Thread.sleep(200);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "engram-step-watchdog");
    thread.setDaemon(true);
    thread.start();
  }

  /** Expects {@code what} to end within {@code millis}. */
  public void arm(String what, long millis) {
    this.what = what + " (deadline " + millis / 1000 + " s)";
    this.deadline = System.nanoTime() + millis * 1_000_000L;
  }

  /** The step ended. */
  public void disarm() {
    deadline = Long.MAX_VALUE;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
