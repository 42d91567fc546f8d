package engram.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;

/** Training, validation and test data of one run. */
public record Splits(Dataset train, Dataset validation, Dataset test) {

  /** What every run on the lossy CIFAR-10 copy says. */
  public static final String LOSSY =
      "data.source=jpeg: a LOSSY JPEG (quality 75) copy of CIFAR-10, not CIFAR-10 itself;"
          + " accuracies are not comparable with published CIFAR-10 results";

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Splits.class);

  /** Whether {@code config} reads the lossy CIFAR-10 copy. */
  public static boolean lossy(DataConfig config) {
    return "jpeg".equals(config.source());
  }

  /**
   * Loads the data {@code config} names from {@code dataDir}: the test file as test set, and the
   * training file split into train and validation by a shuffle seeded with {@code splitSeed}.
   */
  public static Splits load(DataConfig config, Path dataDir) throws DataException {
    return load(config, dataDir, config.evalStreams());
  }

  /**
   * As {@link #load(DataConfig, Path)}; WikiText's training file is cut into {@code trainStreams}
   * streams (the training batch size), its validation and test files into {@code data.evalStreams}.
   * WikiText has its own validation file: {@code validationFraction} is unused.
   */
  public static Splits load(DataConfig config, Path dataDir, int trainStreams)
      throws DataException {
    if (config.dataset().startsWith("wikitext")) {
      WikiText.Version version = WikiText.Version.of(config.dataset());
      if (config.protocol().equals("notebook")) {
        return NotebookWikiText.load(
            WikiText.verifiedTrainFile(dataDir, version), config.validationFraction());
      }
      WikiText.Corpus c = WikiText.load(dataDir, version);
      int v = c.vocabulary().size();
      int t = config.window();
      return new Splits(
          new TokenStreams(limit(c.train(), config.trainLimit()), trainStreams, t, v),
          new TokenStreams(limit(c.valid(), config.testLimit()), config.evalStreams(), t, v),
          new TokenStreams(limit(c.test(), config.testLimit()), config.evalStreams(), t, v));
    }
    if (MemoryTasks.Kind.of(config.dataset()) != null) {
      Splits s = MemoryTasks.load(config);
      return new Splits(
          limit(s.train(), config.trainLimit()),
          limit(s.validation(), config.testLimit()),
          limit(s.test(), config.testLimit()));
    }
    if (config.dataset().equals("babi")) {
      Babi babi = Babi.load(dataDir, config.task(), Babi.Size.parse(config.size()));
      return tail(
          limit(babi.train(), config.trainLimit()),
          limit(babi.test(), config.testLimit()),
          config.validationFraction());
    }
    if (config.dataset().equals("association")) {
      if (lossy(config)) {
        LOG.warn(LOSSY);
      }
      Splits s =
          ImageAssociation.load(
              dataDir,
              Cifar10.Source.parse(config.source()),
              config.delay(),
              ImageAssociation.Padding.parse(config.padding()),
              config.validationFraction());
      return new Splits(
          limit(s.train(), config.trainLimit()),
          limit(s.validation(), config.testLimit()),
          limit(s.test(), config.testLimit()));
    }
    if (config.dataset().equals("cifar10")) {
      Cifar10.Loaded c = Cifar10.load(dataDir, Cifar10.Source.parse(config.source()));
      if (lossy(config)) {
        LOG.warn(LOSSY);
      }
      return split(
          limit(c.train(), config.trainLimit()),
          limit(c.test(), config.testLimit()),
          config.validationFraction(),
          config.splitSeed());
    }
    Mnist.View view = view(config);
    Dataset trainFile = limit(Mnist.load(dataDir, Mnist.Split.TRAIN, view), config.trainLimit());
    Dataset test = limit(Mnist.load(dataDir, Mnist.Split.TEST, view), config.testLimit());
    return split(trainFile, test, config.validationFraction(), config.splitSeed());
  }

  /**
   * Keras' {@code validation_split}: the first {@code floor(n (1 - fraction))} examples of the
   * training file train, the rest validate, in file order.
   */
  public static Splits tail(Dataset trainFile, Dataset test, double fraction) {
    int n = trainFile.size();
    int splitAt = (int) (n * (1.0 - fraction));
    if (splitAt < 1) {
      throw new IllegalArgumentException(
          "validation fraction " + fraction + " leaves no training examples out of " + n);
    }
    return new Splits(
        new Subset(trainFile, IntStream.range(0, splitAt).toArray()),
        new Subset(trainFile, IntStream.range(splitAt, n).toArray()),
        test);
  }

  private static Mnist.View view(DataConfig config) {
    return config.view().equals("pixels") ? Mnist.View.PIXELS : Mnist.View.ROWS;
  }

  /** Splits {@code trainFile}: a seeded permutation, the last {@code fraction} for validation. */
  public static Splits split(Dataset trainFile, Dataset test, double fraction, long seed) {
    int n = trainFile.size();
    int[] order = Batches.permutation(n, seed);
    int validation = (int) Math.round(n * fraction);
    if (n - validation < 1) {
      throw new IllegalArgumentException(
          "validation fraction " + fraction + " leaves no training examples out of " + n);
    }
    int[] trainIdx = java.util.Arrays.copyOfRange(order, 0, n - validation);
    int[] valIdx = java.util.Arrays.copyOfRange(order, n - validation, n);
    return new Splits(new Subset(trainFile, trainIdx), new Subset(trainFile, valIdx), test);
  }

  /** The first {@code limit} tokens (0 = all): for smoke runs. */
  private static int[] limit(int[] tokens, int limit) {
    return limit == 0 || limit >= tokens.length ? tokens : Arrays.copyOf(tokens, limit);
  }

  private static Dataset limit(Dataset d, int limit) {
    if (limit == 0 || limit >= d.size()) {
      return d;
    }
    return new Subset(d, IntStream.range(0, limit).toArray());
  }
}
