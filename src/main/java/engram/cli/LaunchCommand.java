package engram.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code engram launch --workers N [bench] [options]}: a multi-process job on this machine, for
 * trying {@code --cluster} out, testing it or timing it. It picks N free loopback ports and starts
 * N {@code engram train} (or {@code engram bench}) processes, task 0 writing to this terminal, the
 * others to logs in a temporary directory; it waits for all and exits with task 0's code (or the
 * first failure's).
 */
@Command(
    name = "launch",
    mixinStandardHelpOptions = true,
    description =
        "Run a multi-process training job on this machine: N `engram train --cluster` workers on"
            + " free loopback ports. Every other option is passed to train, e.g. engram launch"
            + " --workers 2 --preset models/lstm-mnist.json --out runs/lstm-2. With bench first,"
            + " the workers time training steps instead: engram launch --workers 2 bench --model"
            + " lstm")
final class LaunchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--workers",
      required = true,
      paramLabel = "N",
      description = "Worker processes (>= 2).")
  int workers;

  @Unmatched List<String> trainOptions = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (workers < 2) {
      throw new IllegalArgumentException("--workers must be >= 2, got " + workers);
    }
    for (String o : trainOptions) {
      if (o.equals("--cluster") || o.equals("--task") || o.startsWith("--cluster=")) {
        throw new IllegalArgumentException(
            "launch chooses --cluster and --task itself; leave " + o + " out");
      }
    }
    // The subcommand every worker runs: train, unless the options start with bench.
    String command = "train";
    List<String> options = trainOptions;
    if (!options.isEmpty() && options.get(0).equals("bench")) {
      command = "bench";
      options = options.subList(1, options.size());
    }
    List<String> addresses = new ArrayList<>();
    for (int t = 0; t < workers; t++) {
      addresses.add("localhost:" + freePort());
    }
    Path logs = Files.createTempDirectory("engram-launch-");
    List<Process> tasks = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> tasks.forEach(Process::destroy)));
    for (int t = 0; t < workers; t++) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(Main.class.getName());
      cmd.add(command);
      cmd.addAll(options);
      cmd.addAll(List.of("--cluster", String.join(",", addresses), "--task", Integer.toString(t)));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().remove("TF_CONFIG");
      if (t == 0) {
        pb.inheritIO();
      } else {
        pb.redirectErrorStream(true).redirectOutput(logs.resolve("task" + t + ".log").toFile());
      }
      tasks.add(pb.start());
    }
    spec.commandLine()
        .getErr()
        .printf(
            "engram launch: %d workers on %s; tasks 1-%d log to %s%n",
            workers, String.join(",", addresses), workers - 1, logs);
    int code = tasks.get(0).waitFor();
    for (int t = 1; t < workers; t++) {
      int c = tasks.get(t).waitFor();
      if (code == Main.EXIT_OK && c != Main.EXIT_OK) {
        code = c;
        spec.commandLine()
            .getErr()
            .printf(
                "engram launch: task %d failed; see %s%n", t, logs.resolve("task" + t + ".log"));
      }
    }
    return code;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
