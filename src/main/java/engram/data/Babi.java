package engram.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * One task of the bAbI question-answering benchmark (Weston et al. 2015, {@code tasks_1-20_v1-2}),
 * parsed and vectorised exactly as H-Mem's released code does ({@code data/babi_data.py}, derived
 * from domluna/memn2n):
 *
 * <ul>
 *   <li>Each question is one sample. Its story is every statement since the story began (line id
 *       1), earlier questions removed.
 *   <li>Lines are lower-cased and tokenised into word runs and punctuation runs. A trailing "." or
 *       "?" is dropped. Answers are not tokenised, so "milk,football" is one answer class.
 *   <li>The vocabulary is per task, built from train and test, sorted, ids 1..V0 (0 = nil).
 *   <li>{@code S} is the longest story (train and test). {@code W} is the longest statement plus
 *       one slot, or the longest query if that is longer.
 *   <li>Statement i (0-based) of a story of length L gets a time word of id V0 + L − i in its last
 *       slot: the most recent statement is V0 + 1. Stories are padded with empty statements to S.
 *   <li>Model outputs cover the whole vocabulary: V = V0 + S + 1 classes.
 * </ul>
 *
 * Files are verified against their known SHA-256 before parsing.
 */
public final class Babi {

  /** Folder of the release below the data directory. */
  public static final String DIR_NAME = "babi/tasks_1-20_v1-2";

  /** Input names of a sample: the story [S, W] and the query [W] (word ids). */
  public static final String STORY = "story";

  public static final String QUERY = "query";

  static final String FETCH_HINT =
      "Fetch bAbI with data-loaders/babi.sh <data-dir>, or point --data-dir / ENGRAM_DATA at a"
          + " folder that holds babi/tasks_1-20_v1-2/.";

  /** Training-set size: the {@code en} (1,000 questions per task) or {@code en-10k} folder. */
  public enum Size {
    K1("en", 1_000),
    K10("en-10k", 10_000);

    private final String folder;
    private final int trainQuestions;

    Size(String folder, int trainQuestions) {
      this.folder = folder;
      this.trainQuestions = trainQuestions;
    }

    /** {@code 1k} or {@code 10k}. */
    @Override
    public String toString() {
      return this == K1 ? "1k" : "10k";
    }

    public static Size parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "1k", "en" -> K1;
        case "10k", "en-10k" -> K10;
        default ->
            throw new IllegalArgumentException("bAbI set must be 1k or 10k, got '" + s + "'");
      };
    }

    public String folder() {
      return folder;
    }

    /** Questions in each training file. */
    public int trainQuestions() {
      return trainQuestions;
    }
  }

  /** One question: its story's statements, the query and the answer, as tokens. */
  public record Sample(List<List<String>> story, List<String> query, String answer) {}

  private final int task;
  private final Size size;
  private final List<Sample> trainSamples;
  private final List<Sample> testSamples;
  private final Map<String, Integer> wordIds = new HashMap<>();
  private final List<String> vocabulary;
  private final int storyLength;
  private final int sentenceWidth;

  private Babi(int task, Size size, List<Sample> train, List<Sample> test) {
    this.task = task;
    this.size = size;
    this.trainSamples = List.copyOf(train);
    this.testSamples = List.copyOf(test);
    TreeSet<String> words = new TreeSet<>();
    int maxStory = 0;
    int maxSentence = 0;
    int maxQuery = 0;
    for (List<Sample> set : List.of(train, test)) {
      for (Sample s : set) {
        s.story().forEach(words::addAll);
        words.addAll(s.query());
        words.add(s.answer());
        maxStory = Math.max(maxStory, s.story().size());
        for (List<String> sentence : s.story()) {
          maxSentence = Math.max(maxSentence, sentence.size());
        }
        maxQuery = Math.max(maxQuery, s.query().size());
      }
    }
    this.vocabulary = List.copyOf(words);
    for (int i = 0; i < vocabulary.size(); i++) {
      wordIds.put(vocabulary.get(i), i + 1);
    }
    this.storyLength = maxStory;
    this.sentenceWidth = Math.max(maxSentence + 1, maxQuery);
  }

  /**
   * Loads task {@code task} (1..20) of the given size from {@code dataDir/babi/tasks_1-20_v1-2/}.
   *
   * @throws DataException when a file is missing, fails its checksum or has a malformed line; the
   *     message names the file (and line) and the fix
   */
  public static Babi load(Path dataDir, int task, Size size) throws DataException {
    if (task < 1 || task > 20) {
      throw new IllegalArgumentException("bAbI task must be 1..20, got " + task);
    }
    Path folder = folder(dataDir, size);
    return new Babi(
        task, size, parse(file(folder, task, "train")), parse(file(folder, task, "test")));
  }

  /** The folder of {@code size} below {@code dataDir}; fails with the fix when it is missing. */
  public static Path folder(Path dataDir, Size size) throws DataException {
    Path folder = dataDir.resolve(DIR_NAME).resolve(size.folder());
    if (!Files.isDirectory(folder)) {
      throw new DataException(folder, "directory not found. " + FETCH_HINT);
    }
    return folder;
  }

  /** Whether the training file of {@code task} exists (en-10k qa3 is missing from some copies). */
  public static boolean hasTrainingFile(Path dataDir, int task, Size size) {
    try {
      file(dataDir.resolve(DIR_NAME).resolve(size.folder()), task, "train");
      return true;
    } catch (DataException e) {
      return false;
    }
  }

  private static Path file(Path folder, int task, String split) throws DataException {
    String prefix = "qa" + task + "_";
    String suffix = "_" + split + ".txt";
    if (Files.isDirectory(folder)) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, prefix + "*" + suffix)) {
        for (Path f : files) {
          return f;
        }
      } catch (IOException e) {
        throw new DataException(folder, "cannot list the directory (" + e.getMessage() + ")", e);
      }
    }
    throw new DataException(
        folder.resolve(prefix + "*" + suffix),
        "file not found (task " + task + " " + split + " split). " + FETCH_HINT);
  }

  /** H-Mem's tokenizer (see {@link BabiText#tokenize}). */
  static List<String> tokenize(String text) {
    return BabiText.tokenize(text);
  }

  /** Parses one file of the release, after checking its checksum. */
  static List<Sample> parse(Path file) throws DataException {
    verify(file);
    return BabiText.parse(file);
  }

  /** Parses a file in the bAbI text format without checking its checksum (for tests). */
  static List<Sample> parseUnverified(Path file) throws DataException {
    return BabiText.parse(file);
  }

  /** Known SHA-256 of every file of the release, by path below tasks_1-20_v1-2/. */
  private static final Map<String, String> SHA256 = loadSums();

  /** en-10k qa3 train is missing from the copy we verified against; its published MD5. */
  private static final String QA3_10K_TRAIN = "en-10k/qa3_three-supporting-facts_train.txt";

  private static final String QA3_10K_TRAIN_MD5 = "639cbebe6f1ce51b3b5d2f32148ed352";

  private static Map<String, String> loadSums() {
    Map<String, String> sums = new HashMap<>();
    try (InputStream in = Babi.class.getResourceAsStream("babi-sha256.txt")) {
      if (in == null) {
        throw new IllegalStateException("resource engram/data/babi-sha256.txt is missing");
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
        if (!line.isBlank()) {
          String[] p = line.trim().split("\\s+", 2);
          sums.put(p[1], p[0]);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read engram/data/babi-sha256.txt", e);
    }
    return sums;
  }

  private static void verify(Path file) throws DataException {
    String key = file.getParent().getFileName() + "/" + file.getFileName();
    boolean md5 = key.equals(QA3_10K_TRAIN);
    String expected = md5 ? QA3_10K_TRAIN_MD5 : SHA256.get(key);
    if (expected == null) {
      throw new DataException(
          file, "not a file of bAbI tasks_1-20_v1-2 (no known checksum for " + key + ")");
    }
    String actual;
    try {
      MessageDigest digest = MessageDigest.getInstance(md5 ? "MD5" : "SHA-256");
      actual = HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new DataException(file, "cannot read the file (" + e.getMessage() + ")", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    if (!actual.equals(expected)) {
      throw new DataException(
          file,
          (md5 ? "MD5" : "SHA-256")
              + " mismatch: expected "
              + expected
              + " got "
              + actual
              + "; the file is corrupt or not the v1.2 release. Re-fetch it with"
              + " data-loaders/babi.sh");
    }
  }

  public int task() {
    return task;
  }

  public Size size() {
    return size;
  }

  /** S: statements per (padded) story. */
  public int storyLength() {
    return storyLength;
  }

  /** W: word slots per statement and query (the last one of a statement holds its time word). */
  public int sentenceWidth() {
    return sentenceWidth;
  }

  /** V0: distinct words and answers, ids 1..V0. */
  public int words() {
    return vocabulary.size();
  }

  /** V = V0 + S time words + 1 nil: the number of output classes and embedding rows. */
  public int vocabularySize() {
    return vocabulary.size() + storyLength + 1;
  }

  /** The word of id {@code id} (1..V0), {@code time<k>} for time words, {@code <nil>} for 0. */
  public String word(int id) {
    if (id == 0) {
      return "<nil>";
    }
    if (id <= vocabulary.size()) {
      return vocabulary.get(id - 1);
    }
    return "time" + (id - vocabulary.size());
  }

  /** Id of a word or answer. */
  public int id(String word) {
    Integer id = wordIds.get(word);
    if (id == null) {
      throw new IllegalArgumentException("'" + word + "' is not in task " + task + "'s vocabulary");
    }
    return id;
  }

  public List<Sample> trainSamples() {
    return trainSamples;
  }

  public List<Sample> testSamples() {
    return testSamples;
  }

  /** The training file's questions, vectorised. */
  public Dataset train() {
    return vectorize(trainSamples);
  }

  /** The test file's questions, vectorised. */
  public Dataset test() {
    return vectorize(testSamples);
  }

  private Dataset vectorize(List<Sample> samples) {
    int s = storyLength;
    int w = sentenceWidth;
    int n = samples.size();
    int[] stories = new int[n * s * w];
    int[] queries = new int[n * w];
    int[] answers = new int[n];
    for (int i = 0; i < n; i++) {
      Sample sample = samples.get(i);
      int length = sample.story().size();
      for (int j = 0; j < length; j++) {
        List<String> sentence = sample.story().get(j);
        int base = (i * s + j) * w;
        for (int k = 0; k < sentence.size(); k++) {
          stories[base + k] = id(sentence.get(k));
        }
        stories[base + w - 1] = vocabulary.size() + length - j; // time word: recency
      }
      for (int k = 0; k < sample.query().size(); k++) {
        queries[i * w + k] = id(sample.query().get(k));
      }
      answers[i] = id(sample.answer());
    }
    return new Vectorized(stories, queries, answers, s, w, vocabularySize());
  }

  /** Vectorised samples: INT inputs {@code story [S, W]} and {@code query [W]}. */
  private static final class Vectorized implements Dataset {
    private final int[] stories;
    private final int[] queries;
    private final int[] answers;
    private final List<Feature> inputs;
    private final int numClasses;

    Vectorized(int[] stories, int[] queries, int[] answers, int s, int w, int numClasses) {
      this.stories = stories;
      this.queries = queries;
      this.answers = answers;
      this.numClasses = numClasses;
      this.inputs =
          List.of(
              new Feature(STORY, Feature.Kind.INT, new int[] {s, w}),
              new Feature(QUERY, Feature.Kind.INT, new int[] {w}));
    }

    @Override
    public int size() {
      return answers.length;
    }

    @Override
    public int numClasses() {
      return numClasses;
    }

    @Override
    public int label(int index) {
      return answers[index];
    }

    @Override
    public List<Feature> inputs() {
      return inputs;
    }

    @Override
    public void copyInts(int input, int index, int[] dst, int offset) {
      int n = inputs.get(input).size();
      System.arraycopy(input == 0 ? stories : queries, index * n, dst, offset, n);
    }
  }
}
