package engram.cli;

import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Cli;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small real language model on WikiText-2 through the command line: train, evaluate (perplexity
 * stated as exp of the mean NLL over every predicted token) and sample.
 */
class LanguageModelCliTest {

  static final String DATA = CliErrorsTest.DATA.toString();

  @Test
  void trainsEvaluatesAndSamples(@TempDir Path dir) throws Exception {
    Path run = dir.resolve("lm");
    Cli.Outcome t =
        engram(
            "train",
            "--model",
            "gru",
            "--dataset",
            "wikitext2",
            "--epochs",
            "1",
            "--hidden",
            "16",
            "--set",
            "model.embedding=16",
            "--train-limit",
            "3000",
            "--test-limit",
            "701",
            "--data-dir",
            DATA,
            "--out",
            run.toString(),
            "--progress",
            "none");
    assertEquals(Main.EXIT_OK, t.code(), t.err());
    var result = engram.train.RunConfig.json().readTree(run.resolve("result.json").toFile());
    assertEquals(
        Math.exp(result.get("test_loss").asDouble()),
        result.get("test_perplexity").asDouble(),
        1e-9 * result.get("test_perplexity").asDouble());

    Cli.Outcome e =
        engram("evaluate", "--run", run.toString(), "--data-dir", DATA, "--progress", "none");
    assertEquals(Main.EXIT_OK, e.code(), e.err());
    Matcher m =
        Pattern.compile("perplexity ([0-9.]+) = exp\\(mean NLL ([0-9.]+) nats over all (\\d+)")
            .matcher(e.out());
    assertTrue(m.find(), e.out());
    double ppl = Double.parseDouble(m.group(1));
    double nll = Double.parseDouble(m.group(2));
    assertEquals(Math.exp(nll), ppl, 0.01 * ppl);
    assertEquals("700", m.group(3), "701 test tokens make 700 predictions, all scored");
    assertTrue(ppl > 1 && ppl < 33_278, "a trained model beats a uniform guess: " + ppl);

    String[] sample = {
      "sample",
      "--run",
      run.toString(),
      "--prompt",
      "the game",
      "--tokens",
      "12",
      "--temperature",
      "1.0",
      "--seed",
      "3",
      "--data-dir",
      DATA
    };
    Cli.Outcome s1 = engram(sample);
    Cli.Outcome s2 = engram(sample);
    assertEquals(Main.EXIT_OK, s1.code(), s1.err());
    assertTrue(s1.out().startsWith("the game "), s1.out());
    assertEquals(s1.out(), s2.out(), "the same seed draws the same text");
    int words = s1.out().trim().split("\\s+").length;
    assertTrue(words >= 2 && words <= 14, s1.out());

    // Exported, the signature gives per-step logits; predict scores every window from the
    // initial state, so its perplexity is its own, computed from those logits.
    Path model = dir.resolve("model");
    Cli.Outcome x =
        engram("export", "--run", run.toString(), "--out", model.toString(), "--data-dir", DATA);
    assertEquals(Main.EXIT_OK, x.code(), x.err());
    Cli.Outcome p =
        engram("predict", "--model", model.toString(), "--data-dir", DATA, "--batch", "10");
    assertEquals(Main.EXIT_OK, p.code(), p.err());
    Matcher pm =
        Pattern.compile("perplexity ([0-9.]+) = exp\\(mean NLL ([0-9.]+) nats over 700 tokens")
            .matcher(p.out());
    assertTrue(pm.find(), p.out());
    assertEquals(
        Math.exp(Double.parseDouble(pm.group(2))), Double.parseDouble(pm.group(1)), 0.01 * ppl);

    Cli.Outcome wrong =
        engram("sample", "--run", run.toString(), "--temperature", "-1", "--data-dir", DATA);
    assertEquals(Main.EXIT_USAGE, wrong.code());
    assertTrue(wrong.err().contains("--temperature must be >= 0"), wrong.err());
  }
}
