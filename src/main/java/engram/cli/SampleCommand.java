package engram.cli;

import engram.data.DataConfig;
import engram.data.Vocabulary;
import engram.data.WikiText;
import engram.train.Evaluator;
import engram.train.RunDirectory;
import engram.train.Sampler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code engram sample}: generates text from a language model trained on WikiText. */
@Command(
    name = "sample",
    mixinStandardHelpOptions = true,
    description =
        "Generate text from a trained language model: reads the prompt, then draws --tokens"
            + " tokens, each from the softmax of the logits divided by --temperature.",
    sortOptions = false)
final class SampleCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory.")
  Path run;

  @Option(
      names = "--prompt",
      defaultValue = "",
      paramLabel = "TEXT",
      description =
          "Text to start from, tokenized as the corpus is (space-separated words; unknown words"
              + " read as <unk>). Default: an empty prompt, starting after <eos>.")
  String prompt;

  @Option(
      names = "--tokens",
      defaultValue = "50",
      paramLabel = "N",
      description = "Tokens to generate (default ${DEFAULT-VALUE}).")
  int tokens;

  @Option(
      names = "--temperature",
      defaultValue = "1.0",
      paramLabel = "X",
      description =
          "Softmax temperature; 0 = always the most likely token (default ${DEFAULT-VALUE}).")
  double temperature;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "N",
      description = "Seed of the draws (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--weights",
      defaultValue = "best",
      paramLabel = "WHICH",
      description = "latest, best or an epoch number (default ${DEFAULT-VALUE}).")
  String weights;

  @Override
  public Integer call() throws Exception {
    if (tokens < 1) {
      throw new IllegalArgumentException("--tokens must be >= 1, got " + tokens);
    }
    Sampler.checkTemperature(temperature); // before the corpus and the model load
    DataConfig data = RunDirectory.config(run, Evaluator.RUN_FIX).data();
    if (!data.dataset().startsWith("wikitext")) {
      throw new IllegalArgumentException(
          run + " was trained on " + data.dataset() + "; sample needs a wikitext2/103 run");
    }
    Vocabulary vocabulary =
        WikiText.load(common.dataDir, WikiText.Version.of(data.dataset())).vocabulary();
    List<String> words = new ArrayList<>();
    try (Sampler sampler = Sampler.open(run, weights, vocabulary.size(), common.sessionConfig())) {
      // The corpus starts every line after <eos>, so the prompt does too.
      sampler.read(vocabulary.id(Vocabulary.EOS));
      for (String w : prompt.trim().split("\\s+")) {
        if (!w.isEmpty()) {
          int id = vocabulary.id(w);
          sampler.read(id >= 0 ? id : vocabulary.id(Vocabulary.UNK));
          words.add(id >= 0 ? w : Vocabulary.UNK);
        }
      }
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = 0; i < tokens; i++) {
        words.add(vocabulary.word(sampler.next(temperature, random)));
      }
    }
    spec.commandLine()
        .getOut()
        .println(String.join(" ", words).replace(" " + Vocabulary.EOS + " ", "\n").trim());
    return Main.EXIT_OK;
  }
}
