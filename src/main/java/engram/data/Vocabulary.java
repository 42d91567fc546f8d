package engram.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Word ids of a corpus: a word's id is the order of its first appearance in the text the vocabulary
 * is built from, as in PyTorch's word_language_model and AWD-LSTM, so ids (and a trained model's
 * softmax rows) are the same in every run.
 */
public final class Vocabulary {

  /** The end-of-line token appended to every line. */
  public static final String EOS = "<eos>";

  /** The token the WikiText release puts in place of rare words. */
  public static final String UNK = "<unk>";

  private final Map<String, Integer> ids = new HashMap<>();
  private final List<String> words = new ArrayList<>();

  /** The id of {@code word}, adding it if new. */
  int add(String word) {
    Integer id = ids.get(word);
    if (id != null) {
      return id;
    }
    ids.put(word, words.size());
    words.add(word);
    return words.size() - 1;
  }

  /** The id of {@code word}, or -1 when it is not in the vocabulary. */
  public int id(String word) {
    return ids.getOrDefault(word, -1);
  }

  /** The word of {@code id}. */
  public String word(int id) {
    return words.get(id);
  }

  /** Number of words. */
  public int size() {
    return words.size();
  }
}
