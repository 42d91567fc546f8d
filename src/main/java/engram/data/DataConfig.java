package engram.data;

import java.util.Locale;

/**
 * Which data a run trains on.
 *
 * @param dataset {@code mnist}, {@code babi}, {@code cifar10}, {@code association}, {@code
 *     wikitext2} or {@code wikitext103}
 * @param view MNIST only: {@code rows} (28 steps of 28 pixels, the ENN paper's setting) or {@code
 *     pixels} (784 steps of 1)
 * @param task bAbI only: task 1..20
 * @param size bAbI only: {@code 1k} or {@code 10k} training questions per task
 * @param validationFraction share of the training file held out for validation: for MNIST a seeded
 *     shuffle picks it (the notebooks: 0.1 = 54,000 / 6,000); for bAbI it is the last part of the
 *     file, as Keras' {@code validation_split} takes it (H-Mem: 0.1)
 * @param splitSeed seed of the MNIST validation shuffle
 * @param trainLimit use only the first N training-file examples (0 = all; WikiText: tokens); for
 *     smoke runs
 * @param testLimit use only the first N test examples (0 = all); for WikiText the first N tokens of
 *     the validation and of the test file; for association the first N validation and test
 *     sequences
 * @param window WikiText only: T, tokens per window of stateful truncated BPTT (default 35)
 * @param evalStreams WikiText only: parallel streams the validation and test files are cut into
 *     (default 10); the training file has one per example of a batch ({@code train.batchSize})
 * @param source CIFAR-10 and association: {@code binary} (the canonical batches, default), {@code
 *     subset} (the exact first 4,000 training and 1,000 test records; CIFAR-10 only) or {@code
 *     jpeg} (a lossy copy of all 60,000 images, labelled as such on every run)
 * @param protocol WikiText only: {@code streams} (stateful windows over the token stream, the
 *     default) or {@code notebook} (the ENN notebook's protocol, see {@link NotebookWikiText})
 * @param delay association only: D, delay frames after each stored pair (0..)
 * @param padding association only: what the delay frames show, {@code random} (grey noise, the
 *     default) or {@code zeros}
 * @param length the memory tasks ({@code recall}, {@code copy}, {@code adding}): T, time steps per
 *     sequence (0 = the task's default)
 * @param items the memory tasks: key-value pairs to recall, symbols to copy, or marked numbers to
 *     add (0 = the task's default)
 * @param examples the memory tasks: sequences in the generated training file (0 = 20,000); the test
 *     file has a tenth as many, at least 1,000
 */
public record DataConfig(
    String dataset,
    String view,
    int task,
    String size,
    double validationFraction,
    long splitSeed,
    int trainLimit,
    int testLimit,
    int window,
    int evalStreams,
    String source,
    String protocol,
    int delay,
    String padding,
    Integer length,
    Integer items,
    Integer examples) {

  /** The datasets {@link Splits#load} reads. */
  public static final String SUPPORTED =
      "mnist, babi, cifar10, association, wikitext2, wikitext103, recall, copy, adding";

  /** A dataset of examples (MNIST, bAbI): no stream settings. */
  public DataConfig(
      String dataset,
      String view,
      int task,
      String size,
      double validationFraction,
      long splitSeed,
      int trainLimit,
      int testLimit) {
    this(
        dataset,
        view,
        task,
        size,
        validationFraction,
        splitSeed,
        trainLimit,
        testLimit,
        0,
        0,
        null,
        null,
        0,
        null,
        null,
        null,
        null);
  }

  /** A config without the memory tasks' keys. */
  public DataConfig(
      String dataset,
      String view,
      int task,
      String size,
      double validationFraction,
      long splitSeed,
      int trainLimit,
      int testLimit,
      int window,
      int evalStreams,
      String source,
      String protocol,
      int delay,
      String padding) {
    this(
        dataset,
        view,
        task,
        size,
        validationFraction,
        splitSeed,
        trainLimit,
        testLimit,
        window,
        evalStreams,
        source,
        protocol,
        delay,
        padding,
        null,
        null,
        null);
  }

  public DataConfig {
    if (dataset == null) {
      throw new IllegalArgumentException("data.dataset is required: one of " + SUPPORTED);
    }
    dataset = dataset.toLowerCase(Locale.ROOT);
    boolean text = dataset.startsWith("wikitext");
    if (!text && protocol != null) {
      throw new IllegalArgumentException(
          "data.protocol applies to wikitext2/wikitext103; remove it");
    }
    boolean association = dataset.equals("association");
    if (!dataset.equals("cifar10") && !association && source != null) {
      throw new IllegalArgumentException(
          "data.source applies to cifar10 and association; remove it");
    }
    if (!association && (delay != 0 || padding != null)) {
      throw new IllegalArgumentException(
          "data.delay and data.padding apply to association; remove them");
    }
    MemoryTasks.Kind memoryTask = MemoryTasks.Kind.of(dataset);
    if (memoryTask == null && (length != null || items != null || examples != null)) {
      throw new IllegalArgumentException(
          "data.length, data.items and data.examples apply to recall, copy and adding; remove"
              + " them");
    }
    if (!text && (window != 0 || evalStreams != 0)) {
      throw new IllegalArgumentException(
          "data.window and data.evalStreams apply to wikitext2/wikitext103; remove them");
    }
    switch (dataset) {
      case "mnist" -> {
        view = view == null ? "rows" : view.toLowerCase(Locale.ROOT);
        if (!view.equals("rows") && !view.equals("pixels")) {
          throw new IllegalArgumentException(
              "data.view must be rows or pixels, got '" + view + "'");
        }
        if (task != 0 || size != null) {
          throw new IllegalArgumentException(
              "data.task and data.size apply to babi, not mnist; remove them");
        }
      }
      case "babi" -> {
        if (view != null) {
          throw new IllegalArgumentException("data.view applies to mnist, not babi; remove it");
        }
        if (task < 1 || task > 20) {
          throw new IllegalArgumentException("data.task must be a bAbI task 1..20, got " + task);
        }
        size = Babi.Size.parse(size == null ? "10k" : size).toString();
      }
      case "cifar10" -> {
        noMnistOrBabiKeys(dataset, view, task, size);
        source = Cifar10.Source.parse(source == null ? "binary" : source).toString();
      }
      case "association" -> {
        noMnistOrBabiKeys(dataset, view, task, size);
        source = Cifar10.Source.parse(source == null ? "binary" : source).toString();
        padding = ImageAssociation.Padding.parse(padding == null ? "random" : padding).toString();
        if (delay < 0) {
          throw new IllegalArgumentException("data.delay must be >= 0 frames, got " + delay);
        }
      }
      case "wikitext2", "wikitext103" -> {
        noMnistOrBabiKeys(dataset, view, task, size);
        protocol = protocol == null ? "streams" : protocol.toLowerCase(Locale.ROOT);
        if (!protocol.equals("streams") && !protocol.equals("notebook")) {
          throw new IllegalArgumentException(
              "data.protocol must be streams or notebook, got '" + protocol + "'");
        }
        boolean notebook = protocol.equals("notebook");
        window = window == 0 && notebook ? NotebookWikiText.WINDOW : window;
        if (notebook && window != NotebookWikiText.WINDOW) {
          throw new IllegalArgumentException(
              "the notebook protocol cuts windows of 32 tokens; set data.window to 32");
        }
        window = window == 0 ? 35 : window;
        evalStreams = evalStreams == 0 ? 10 : evalStreams;
        if (window < 1 || evalStreams < 1) {
          throw new IllegalArgumentException(
              "data.window and data.evalStreams must be >= 1, got " + window + ", " + evalStreams);
        }
      }
      case "recall", "copy", "adding" -> {
        noMnistOrBabiKeys(dataset, view, task, size);
        items = items == null ? memoryTask.defaultItems() : items;
        length = length == null ? memoryTask.defaultLength(items) : length;
        examples = examples == null ? 20_000 : examples;
        memoryTask.check(length, items);
        if (examples < 2) {
          throw new IllegalArgumentException("data.examples must be >= 2, got " + examples);
        }
      }
      default ->
          throw new IllegalArgumentException(
              "data.dataset '" + dataset + "' is not supported; supported: " + SUPPORTED);
    }
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new IllegalArgumentException(
          "data.validationFraction must be in [0, 1), got " + validationFraction);
    }
    if (trainLimit < 0 || testLimit < 0) {
      throw new IllegalArgumentException(
          "data.trainLimit and data.testLimit must be >= 0 (0 = all), got "
              + trainLimit
              + " and "
              + testLimit);
    }
  }

  /** MNIST, rows as time steps, 10 % validation, split seed 42 (the notebooks' random_state). */
  public static DataConfig mnistDefaults() {
    return new DataConfig("mnist", "rows", 0, null, 0.1, 42, 0, 0);
  }

  /** CIFAR-10 and WikiText take none of MNIST's view or bAbI's task and size. */
  private static void noMnistOrBabiKeys(String dataset, String view, int task, String size) {
    if (view != null || task != 0 || size != null) {
      throw new IllegalArgumentException(
          "data.view, data.task and data.size do not apply to " + dataset + "; remove them");
    }
  }

  /** This config reading CIFAR-10 from {@code source} instead. */
  public DataConfig withSource(String source) {
    if (!dataset.equals("cifar10") && !dataset.equals("association")) {
      throw new IllegalArgumentException(
          "--data-source applies to cifar10 and association runs; this run trained on " + dataset);
    }
    return new DataConfig(
        dataset,
        view,
        task,
        size,
        validationFraction,
        splitSeed,
        trainLimit,
        testLimit,
        window,
        evalStreams,
        source,
        protocol,
        delay,
        padding,
        length,
        items,
        examples);
  }

  /** CIFAR-10 from {@code source}, 10 % of the training images held out (split seed 42). */
  public static DataConfig cifar10Defaults(String source) {
    return new DataConfig("cifar10", null, 0, null, 0.1, 42, 0, 0, 0, 0, source, null, 0, null);
  }

  /** The defaults of {@code dataset} (bAbI: task 1, 10k). */
  public static DataConfig defaults(String dataset) {
    String d = dataset.toLowerCase(Locale.ROOT);
    return switch (d) {
      case "mnist" -> mnistDefaults();
      case "babi" -> babiDefaults(1, "10k");
      case "cifar10" -> cifar10Defaults(null);
      case "association" -> associationDefaults(0);
      case "wikitext2", "wikitext103" -> wikitextDefaults(d);
      case "recall", "copy", "adding" -> memoryDefaults(d, null, null);
      default ->
          throw new IllegalArgumentException(
              "data.dataset '" + dataset + "' is not supported; supported: " + SUPPORTED);
    };
  }

  /** WikiText ({@code wikitext2} or {@code wikitext103}), windows of 35, 10 evaluation streams. */
  public static DataConfig wikitextDefaults(String dataset) {
    return new DataConfig(dataset, null, 0, null, 0, 0, 0, 0, 35, 10, null, null, 0, null);
  }

  /**
   * The association task at delay {@code delay} with grey-noise delay frames, canonical CIFAR-10,
   * the last 10 % of the training sequences for validation.
   */
  public static DataConfig associationDefaults(int delay) {
    return new DataConfig(
        "association", null, 0, null, 0.1, 0, 0, 0, 0, 0, null, null, delay, null);
  }

  /**
   * Memory task {@code dataset} ({@code recall}, {@code copy} or {@code adding}) of {@code length}
   * steps and {@code items} items (null = the task's defaults), 20,000 generated training sequences
   * (10 % of them for validation), seed 42.
   */
  public static DataConfig memoryDefaults(String dataset, Integer length, Integer items) {
    return new DataConfig(
        dataset, null, 0, null, 0.1, 42, 0, 0, 0, 0, null, null, 0, null, length, items, null);
  }

  /** bAbI task {@code task}, {@code size} ("1k" or "10k"), the last 10 % for validation. */
  public static DataConfig babiDefaults(int task, String size) {
    return new DataConfig("babi", null, task, size, 0.1, 0, 0, 0);
  }
}
