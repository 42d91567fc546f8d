package engram.testing;

import engram.io.RunLock;
import java.nio.file.Path;

/**
 * Holds the run lock of directory {@code args[0]} until its standard input closes or it is killed:
 * the "other live process" of the lock tests, in a JVM of its own.
 */
public final class HoldRunLock {

  private HoldRunLock() {}

  public static void main(String[] args) throws Exception {
    try (RunLock lock = RunLock.acquire(Path.of(args[0]), "--out")) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait
      }
    }
  }
}
