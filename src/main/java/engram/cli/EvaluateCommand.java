package engram.cli;

import engram.data.DataConfig;
import engram.data.Dataset;
import engram.data.Splits;
import engram.data.Target;
import engram.io.OutputPaths;
import engram.train.Evaluator;
import engram.train.RunDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tensorflow.proto.ConfigProto;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code engram evaluate}: scores a run's checkpoint on a data split. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate a run's latest or best checkpoint on the test, validation or train split.",
    sortOptions = false)
final class EvaluateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory.")
  Path run;

  @Option(
      names = "--weights",
      defaultValue = "latest",
      paramLabel = "WHICH",
      description = "latest, best or an epoch number (default ${DEFAULT-VALUE}).")
  String weights;

  @Option(
      names = "--split",
      defaultValue = "test",
      paramLabel = "SPLIT",
      description = "test, validation or train.")
  String split;

  @Option(
      names = "--logits",
      paramLabel = "FILE",
      description =
          "Also write every example's label, predicted class and logits to this CSV file.")
  Path logits;

  @Option(
      names = "--data-source",
      paramLabel = "SOURCE",
      description =
          "CIFAR-10: score on another source than the run trained on (binary, subset or jpeg),"
              + " e.g. a run trained on the lossy JPEG copy on the exact subset's test records.")
  String dataSource;

  @Override
  public Integer call() throws IOException {
    ConfigProto session = common.sessionConfig();
    if (logits != null) {
      OutputPaths.checkFile(logits, "--logits");
    }
    DataConfig d = RunDirectory.config(run, Evaluator.RUN_FIX).data();
    if (dataSource != null) {
      d = d.withSource(dataSource);
    }
    Splits data = Splits.load(d, common.dataDir);
    common.logCompute();
    Dataset set = CommonOptions.split(data, split);
    boolean perToken = set.target().kind() == Target.Kind.CLASS_PER_STEP;
    if (perToken && logits != null) {
      throw new IllegalArgumentException(
          "--logits writes a row per example of a classifier; a language model has "
              + set.numClasses()
              + " logits per token. Drop --logits (engram sample generates from the model)");
    }
    Evaluator.Evaluation e =
        Evaluator.evaluate(run, weights, set, logits != null, common.progress(), session);
    if (logits != null) {
      LogitsCsv.write(logits, set, e.logits(), e.numClasses());
    }
    if (perToken) {
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "%s: perplexity %.2f = exp(mean NLL %.4f nats over all %d predicted tokens);"
                  + " next-token accuracy %.4f (%s checkpoint of %s)%n",
              split,
              e.perplexity(),
              e.loss(),
              e.count(),
              e.accuracy(),
              weights,
              run);
      return Main.EXIT_OK;
    }
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "%s: accuracy %.4f, loss %.4f (%d examples, %s checkpoint of %s)%s%n",
            split,
            e.accuracy(),
            e.loss(),
            e.examples(),
            weights,
            run,
            Splits.lossy(d) ? " [" + Splits.LOSSY + "]" : "");
    return Main.EXIT_OK;
  }
}
