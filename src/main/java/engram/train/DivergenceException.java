package engram.train;

/** Training produced a non-finite loss; the run stopped and its last checkpoint is intact. */
public final class DivergenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DivergenceException(String message) {
    super(message);
  }
}
