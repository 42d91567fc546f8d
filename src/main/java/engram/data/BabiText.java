package engram.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bAbI text format: numbered lines, a story's statements until a question line ({@code query
 * TAB answer TAB supporting ids}); line id 1 starts a new story.
 */
final class BabiText {

  private BabiText() {}

  private static final Pattern TOKEN = Pattern.compile("\\w+|\\W+");

  /** H-Mem's tokenizer: runs of word and of non-word characters, stripped, empty ones dropped. */
  static List<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    while (m.find()) {
      String t = m.group().strip();
      if (!t.isEmpty()) {
        tokens.add(t);
      }
    }
    return tokens;
  }

  /** Parses a file in the bAbI text format (its checksum is the caller's to check). */
  static List<Babi.Sample> parse(Path file) throws DataException {
    List<Babi.Sample> samples = new ArrayList<>();
    List<List<String>> story = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String raw;
      int lineNo = 0;
      while ((raw = in.readLine()) != null) {
        lineNo++;
        String line = raw.toLowerCase(Locale.ROOT);
        int space = line.indexOf(' ');
        int id;
        try {
          id = Integer.parseInt(space < 0 ? line : line.substring(0, space));
        } catch (NumberFormatException e) {
          throw malformed(file, lineNo, "does not start with a line id", raw);
        }
        if (space < 0) {
          throw malformed(file, lineNo, "has no text after its id", raw);
        }
        String text = line.substring(space + 1);
        if (id == 1) {
          story = new ArrayList<>();
        }
        if (text.contains("\t")) {
          String[] parts = text.split("\t", -1);
          if (parts.length != 3) {
            throw malformed(
                file, lineNo, "is a question but not 'question<TAB>answer<TAB>facts'", raw);
          }
          List<String> query = tokenize(parts[0]);
          if (!query.isEmpty() && query.get(query.size() - 1).equals("?")) {
            query.remove(query.size() - 1);
          }
          if (query.isEmpty() || parts[1].isEmpty()) {
            throw malformed(file, lineNo, "has an empty question or answer", raw);
          }
          samples.add(new Babi.Sample(copy(story), List.copyOf(query), parts[1]));
        } else {
          List<String> sentence = tokenize(text);
          if (!sentence.isEmpty() && sentence.get(sentence.size() - 1).equals(".")) {
            sentence.remove(sentence.size() - 1);
          }
          story.add(List.copyOf(sentence));
        }
      }
    } catch (IOException e) {
      throw new DataException(file, "cannot read the file (" + e.getMessage() + ")", e);
    }
    return samples;
  }

  private static List<List<String>> copy(List<List<String>> story) {
    return List.copyOf(story);
  }

  private static DataException malformed(Path file, int line, String what, String raw) {
    return new DataException(
        file,
        "line "
            + line
            + " "
            + what
            + ": '"
            + raw.strip()
            + "'. The file is not in the bAbI text"
            + " format; re-fetch it with data-loaders/babi.sh");
  }
}
