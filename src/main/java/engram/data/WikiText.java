package engram.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * WikiText-2 and WikiText-103 (Merity et al. 2016, "Pointer Sentinel Mixture Models"), the released
 * tokenized files {@code wiki.{train,valid,test}.tokens}: one paragraph or heading per line, tokens
 * separated by spaces, rare words already replaced by {@code <unk>}.
 *
 * <p>Read as the word-level benchmarks read them (PyTorch's word_language_model, AWD-LSTM): each
 * line's space-separated tokens and then {@code <eos>}, an empty line giving {@code <eos>} alone;
 * the vocabulary is that of the training file, ids in order of first appearance. A word of the
 * validation or test file outside that vocabulary becomes {@code <unk>}, the release's own
 * unknown-word token (none does in either release; the count is kept to show it).
 *
 * <p>Every file is verified before it is parsed: WikiText-2 against the SHA-256 and the line and
 * token counts of the shared data's README, WikiText-103 against the SHA-1 values GluonNLP
 * publishes for the release.
 */
public final class WikiText {

  /** Where a user gets the files. */
  static final String FETCH_HINT =
      "Fetch it with data-loaders/wikitext.sh <data-dir>, or point --data-dir / ENGRAM_DATA at a"
          + " folder that holds wikitext-2/ (or wikitext-103/).";

  /** A split's file: its name, checksum (SHA-256, or SHA-1 for WikiText-103) and counts. */
  record FileSpec(String name, String checksum, long lines, long tokens) {}

  /** The two releases, each in a folder of its zip's name. */
  public enum Version {
    WIKITEXT2(
        "wikitext-2",
        33_278,
        new FileSpec(
            "wiki.train.tokens",
            "9e9fa1ad55b1c2c95b08e37dd8e653f638fac2c6de904b79e813611eefbc985f",
            36_718,
            2_088_628),
        new FileSpec(
            "wiki.valid.tokens",
            "f0737ed31fc1329026e95cb8b98e19c2a182c39c240ab909dc31abf2f8af58e8",
            3_760,
            217_646),
        new FileSpec(
            "wiki.test.tokens",
            "d790b833ef8cf03a90db7bf1271b7520b83c45ce07ba3c1a9699df81e239eca0",
            4_358,
            245_569)),
    // SHA-1 from GluonNLP's WikiText103 class; line counts from torchtext; token counts and the
    // vocabulary size from the paper (Table 1), which counts <eos> as WikiText-2's does.
    WIKITEXT103(
        "wikitext-103",
        267_735,
        new FileSpec(
            "wiki.train.tokens",
            "b7497e2dfe77e72cfef5e3dbc61b7b53712ac211",
            1_801_350,
            103_227_021),
        new FileSpec(
            "wiki.valid.tokens", "c326ac59dc587676d58c422eb8a03e119582f92b", 3_760, 217_646),
        new FileSpec(
            "wiki.test.tokens", "8a5befc548865cec54ed4273cf87dbbad60d1e47", 4_358, 245_569));

    final String folder;
    final int vocabulary;
    final List<FileSpec> files;

    Version(String folder, int vocabulary, FileSpec train, FileSpec valid, FileSpec test) {
      this.folder = folder;
      this.vocabulary = vocabulary;
      this.files = List.of(train, valid, test);
    }

    /** The dataset name on the command line: {@code wikitext2} or {@code wikitext103}. */
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The release named {@code dataset} ({@code wikitext2} or {@code wikitext103}). */
    public static Version of(String dataset) {
      for (Version v : values()) {
        if (v.toString().equalsIgnoreCase(dataset)) {
          return v;
        }
      }
      throw new IllegalArgumentException(
          "'" + dataset + "' is not a WikiText release; use wikitext2 or wikitext103");
    }
  }

  /**
   * A corpus as token ids.
   *
   * @param train the training file's tokens, {@code <eos>} after each line
   * @param unknown validation and test tokens outside the training vocabulary, read as {@code
   *     <unk>}
   */
  public record Corpus(
      Version version, Vocabulary vocabulary, int[] train, int[] valid, int[] test, long unknown) {}

  private WikiText() {}

  /** Reads and verifies {@code version} from {@code dataDir/<folder>/}. */
  public static Corpus load(Path dataDir, Version version) throws DataException {
    Path folder = dataDir.resolve(version.folder);
    if (!Files.isDirectory(folder)) {
      throw new DataException(folder, "directory not found. " + FETCH_HINT);
    }
    Vocabulary vocabulary = new Vocabulary();
    long[] unknown = new long[1];
    int[][] splits = new int[3][];
    for (int i = 0; i < 3; i++) {
      FileSpec spec = version.files.get(i);
      Path file = verifyChecksum(folder.resolve(spec.name()), spec, version);
      splits[i] = read(file, vocabulary, i == 0, unknown);
      int eos = vocabulary.id(Vocabulary.EOS);
      long lines = Arrays.stream(splits[i]).filter(t -> t == eos).count();
      if (lines != spec.lines() || splits[i].length != spec.tokens()) {
        throw new DataException(
            file,
            String.format(
                Locale.ROOT,
                "expected %d lines and %d tokens (with <eos>), read %d and %d. %s",
                spec.lines(),
                spec.tokens(),
                lines,
                splits[i].length,
                FETCH_HINT));
      }
    }
    if (vocabulary.size() != version.vocabulary) {
      throw new DataException(
          folder.resolve(version.files.get(0).name()),
          "expected a vocabulary of "
              + version.vocabulary
              + " words, read "
              + vocabulary.size()
              + ". "
              + FETCH_HINT);
    }
    return new Corpus(version, vocabulary, splits[0], splits[1], splits[2], unknown[0]);
  }

  /** The training file of {@code version}, its checksum verified. */
  public static Path verifiedTrainFile(Path dataDir, Version version) throws DataException {
    return verifyChecksum(
        dataDir.resolve(version.folder).resolve(version.files.get(0).name()),
        version.files.get(0),
        version);
  }

  private static Path verifyChecksum(Path file, FileSpec spec, Version version)
      throws DataException {
    // WikiText-2's published sums are SHA-256, WikiText-103's (GluonNLP) SHA-1.
    return Checksums.verify(file, spec.checksum(), version == Version.WIKITEXT103, FETCH_HINT);
  }

  /**
   * The tokens of {@code file}, {@code <eos>} after each line. With {@code grow}, new words join
   * {@code vocabulary}; otherwise they are read as {@code <unk>} and counted in {@code unknown[0]}.
   */
  static int[] read(Path file, Vocabulary vocabulary, boolean grow, long[] unknown)
      throws DataException {
    try (BufferedReader in =
        new BufferedReader(
            new java.io.InputStreamReader(
                Files.newInputStream(file),
                StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)))) {
      return tokens(in, vocabulary, grow, unknown);
    } catch (CharacterCodingException e) {
      throw new DataException(file, "not UTF-8 text. " + FETCH_HINT, e);
    } catch (IOException e) {
      throw new DataException(file, "cannot read it (" + e.getMessage() + ")", e);
    }
  }

  /** {@link #read} on any reader: the tokenization itself. */
  static int[] tokens(BufferedReader in, Vocabulary vocabulary, boolean grow, long[] unknown)
      throws IOException {
    IntList out = new IntList();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      for (String word : line.split(" ")) {
        if (!word.isEmpty()) {
          out.add(id(word, vocabulary, grow, unknown));
        }
      }
      out.add(id(Vocabulary.EOS, vocabulary, grow, unknown));
    }
    return out.toArray();
  }

  private static int id(String word, Vocabulary vocabulary, boolean grow, long[] unknown) {
    if (grow) {
      return vocabulary.add(word);
    }
    int id = vocabulary.id(word);
    if (id >= 0) {
      return id;
    }
    int unk = vocabulary.id(Vocabulary.UNK);
    if (unk < 0) {
      throw new IllegalArgumentException(
          "'" + word + "' is not in the training vocabulary, which has no " + Vocabulary.UNK);
    }
    unknown[0]++;
    return unk;
  }

  /** A growing int array: WikiText-103's 103 million tokens without boxing. */
  private static final class IntList {
    private int[] values = new int[1 << 16];
    private int size;

    void add(int v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, values.length * 2);
      }
      values[size++] = v;
    }

    int[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
