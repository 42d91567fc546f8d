package engram.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@code engram.cli.Main} (or another main class) in a separate JVM on the test classpath.
 */
public final class Subprocess {

  private Subprocess() {}

  public static ProcessBuilder engram(Path workDir, String... args) {
    return java(workDir, "engram.cli.Main", args);
  }

  /** Runs {@code mainClass} of the test classpath in a separate JVM. */
  public static ProcessBuilder java(Path workDir, String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    return pb;
  }

  /** Runs to completion; returns {exit code, stdout, stderr}. */
  public static Object[] run(Path workDir, String... args)
      throws IOException, InterruptedException {
    Process p = engram(workDir, args).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Object[] {p.waitFor(), out, err};
  }

  /** A reader over a process' stderr. */
  public static BufferedReader stderr(Process p) {
    return new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
  }

  /** A TCP port that was free a moment ago, for a worker's server on loopback. */
  public static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
