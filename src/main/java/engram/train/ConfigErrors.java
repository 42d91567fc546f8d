package engram.train;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jackson's errors on a config (a preset, {@code --set}, a saved {@code config.json}) as one line
 * that names the key and what it wants: {@code train.batchSize must be an integer, got "abc"}.
 */
final class ConfigErrors {

  private static final Pattern DUPLICATE =
      Pattern.compile("Duplicate (?:field|Object property) ['\"]([^'\"]+)['\"]");

  private ConfigErrors() {}

  /**
   * @param source where the config came from (a file name, "command line")
   * @param tree the JSON that failed to bind, to quote the offending value; null if unparsed
   */
  static IllegalArgumentException of(String source, JsonProcessingException e, JsonNode tree) {
    if (e instanceof UnrecognizedPropertyException u) {
      return new IllegalArgumentException(
          source
              + ": unknown key '"
              + u.getPropertyName()
              + "' at "
              + (path(u).isEmpty() ? "top level" : String.join(".", path(u)))
              + "; valid keys there: "
              + u.getKnownPropertyIds());
    }
    if (e instanceof StreamReadException s) {
      Matcher m = DUPLICATE.matcher(String.valueOf(s.getOriginalMessage()));
      if (m.find()) {
        List<String> at = parserPath(s);
        at.add(m.group(1));
        return new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "%s: duplicate key '%s' (line %d); each key may appear once, delete one of them",
                source,
                String.join(".", at),
                s.getLocation() == null ? 0 : s.getLocation().getLineNr()));
      }
      return new IllegalArgumentException(
          source + ": not valid JSON: " + oneLine(s.getOriginalMessage()) + location(s));
    }
    if (e.getCause() instanceof IllegalArgumentException iae) {
      return new IllegalArgumentException(source + ": " + iae.getMessage());
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      List<String> at = path(m);
      String key = at.isEmpty() ? "the config" : String.join(".", at);
      String got = value(m, tree, at);
      return new IllegalArgumentException(
          source
              + ": "
              + key
              + " must be "
              + wanted(m.getTargetType(), at)
              + (got == null ? "" : ", got " + got));
    }
    return new IllegalArgumentException(source + ": " + oneLine(e.getOriginalMessage()));
  }

  /** What a value of {@code type} at {@code path} looks like, in words. */
  static String wanted(Class<?> type, List<String> path) {
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "an integer";
    }
    if (type == double.class || type == Double.class || type == float.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type.isEnum()) {
      return "one of " + Arrays.stream(type.getEnumConstants()).map(Object::toString).toList();
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      Type element = elementType(path);
      return element instanceof Class<?> c
          ? "a JSON array of " + plural(wanted(c, List.of()))
          : "a JSON array";
    }
    if (type.isRecord()) {
      return "a JSON object";
    }
    return "a " + type.getSimpleName();
  }

  /** The element type of the list-valued record component at {@code path} of a RunConfig. */
  private static Type elementType(List<String> path) {
    Class<?> owner = RunConfig.class;
    Type found = null;
    for (String key : path) {
      if (owner == null || !owner.isRecord()) {
        return null;
      }
      RecordComponent match =
          Arrays.stream(owner.getRecordComponents())
              .filter(c -> c.getName().equals(key))
              .findFirst()
              .orElse(null);
      if (match == null) {
        return null;
      }
      found = match.getGenericType();
      owner = match.getType();
    }
    return found instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : null;
  }

  private static String plural(String single) {
    return switch (single) {
      case "an integer" -> "integers";
      case "a number" -> "numbers";
      case "a string" -> "strings";
      default -> single;
    };
  }

  /** The offending value as JSON, from the tree when there is one. */
  private static String value(MismatchedInputException m, JsonNode tree, List<String> path) {
    if (tree != null && !path.isEmpty()) {
      JsonNode node = tree;
      for (String key : path) {
        node = node.path(key);
      }
      if (!node.isMissingNode()) {
        return node.toString();
      }
    }
    if (m instanceof InvalidFormatException f && f.getValue() != null) {
      return f.getValue() instanceof String s ? '"' + s + '"' : String.valueOf(f.getValue());
    }
    return null;
  }

  private static List<String> path(JsonMappingException e) {
    List<String> keys = new ArrayList<>();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        keys.add(ref.getFieldName());
      }
    }
    return keys;
  }

  /** The keys of the objects enclosing the parser's position, outermost first. */
  private static List<String> parserPath(StreamReadException e) {
    List<String> keys = new ArrayList<>();
    JsonParser p = e.getProcessor();
    if (p != null) {
      for (JsonStreamContext c = p.getParsingContext().getParent(); c != null; c = c.getParent()) {
        if (c.getCurrentName() != null) {
          keys.add(c.getCurrentName());
        }
      }
    }
    Collections.reverse(keys);
    return keys;
  }

  private static String location(StreamReadException e) {
    return e.getLocation() == null
        ? ""
        : String.format(
            Locale.ROOT,
            " (line %d, column %d)",
            e.getLocation().getLineNr(),
            e.getLocation().getColumnNr());
  }

  private static String oneLine(String s) {
    return String.valueOf(s).replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
