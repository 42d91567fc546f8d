package engram.cli;

import engram.viz.Figures;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code engram viz}: (re)draws a run's figures from what it recorded. */
@Command(
    name = "viz",
    mixinStandardHelpOptions = true,
    description = {
      "Draw a run's figures (PNG) from metrics.csv, trace-stats.csv and trace.h5: loss and"
          + " accuracy curves; for the ENN the final, initial and difference Hebbian trace heat"
          + " maps, trace statistics and attention; for H-Mem the association matrix."
    })
final class VizCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory.")
  Path run;

  @Override
  public Integer call() throws Exception {
    List<Path> files = Figures.render(run);
    for (Path f : files) {
      spec.commandLine().getOut().println(f);
    }
    return Main.EXIT_OK;
  }
}
