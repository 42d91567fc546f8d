package engram.train;

/**
 * How a training step back-propagates through time (see {@link BpttWindows}).
 *
 * @param window steps per window; 0 = the whole sequence in one graph
 * @param truncate gradients from the last window only
 */
public record Bptt(int window, boolean truncate) {

  /** The whole sequence in one graph: Keras' behaviour. */
  public static final Bptt WHOLE = new Bptt(0, false);

  public Bptt {
    if (window < 0) {
      throw new IllegalArgumentException("a BPTT window must be >= 0 steps, got " + window);
    }
    if (truncate && window == 0) {
      throw new IllegalArgumentException("truncated BPTT needs a window > 0");
    }
  }

  /** Whether a sequence of {@code timeSteps} steps is split into windows. */
  public boolean splits(int timeSteps) {
    return window > 0 && window < timeSteps;
  }
}
