package io.jenkins.plugins.mlops.tracking.internal;

/**
 * MLflow's rules for metric, param and tag keys, as MLflow 3 checks them ({@code
 * mlflow/utils/validation.py}): at most 250 characters matching {@code ^[/\w.\- :]*$}, where {@code
 * \w} is Python's Unicode word character (a letter or a number of any script, or {@code _}; not a
 * combining mark), and a key that, read as a path, names itself ({@code posixpath.normpath} leaves
 * it as it is; it does not start with {@code /} or {@code ..}). Servers on Windows refuse colons,
 * which we cannot see from here.
 */
public final class Keys {

  /** The longest key MLflow accepts. */
  public static final int MAX_KEY_LENGTH = 250;

  /** The longest param value MLflow accepts. */
  public static final int MAX_PARAM_VALUE_LENGTH = 6000;

  /** The longest run tag value MLflow accepts. */
  public static final int MAX_TAG_VALUE_LENGTH = 8000;

  private Keys() {}

  /** Why {@code key} is not a valid MLflow key, or {@code null} when it is. */
  public static String problem(String key) {
    if (key == null || key.isEmpty()) {
      return "it is empty";
    }
    int length = key.codePointCount(0, key.length());
    if (length > MAX_KEY_LENGTH) {
      return "it is " + length + " characters long; at most " + MAX_KEY_LENGTH + " are allowed";
    }
    if (!key.codePoints().allMatch(Keys::allowed)) {
      return "it may only contain letters, digits, '_', '-', '.', '/', ':' and spaces";
    }
    if (!isCleanPath(key)) {
      return "read as a path it must name itself: no leading, trailing or doubled '/', no '.' or"
          + " '..' parts, no leading '..'";
    }
    return null;
  }

  /**
   * Checks a key before it is sent.
   *
   * @param kind "metric", "param" or "tag", for the message
   * @throws IllegalArgumentException naming the key and what is allowed
   */
  public static void require(String kind, String key) {
    String problem = problem(key);
    if (problem != null) {
      throw new IllegalArgumentException(kind + " key '" + key + "' is not valid: " + problem);
    }
  }

  /**
   * A valid key as close to {@code key} as possible: other characters become {@code _}, path
   * oddities are removed, and an over-long key is cut, keeping a hash of the whole so that two long
   * keys stay apart.
   */
  public static String sanitise(String key) {
    if (key == null || key.isEmpty()) {
      return "_";
    }
    if (problem(key) == null) {
      return key;
    }
    StringBuilder cleanedChars = new StringBuilder();
    key.codePoints().forEach(c -> cleanedChars.appendCodePoint(allowed(c) ? c : '_'));
    String cleaned = cleanedChars.toString();
    StringBuilder path = new StringBuilder();
    for (String segment : cleaned.split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      if (segment.equals(".") || segment.equals("..")) {
        segment = segment.replace('.', '_');
      }
      if (path.length() > 0) {
        path.append('/');
      }
      path.append(segment);
    }
    String result = path.length() == 0 ? "_" : path.toString();
    if (result.startsWith("..")) {
      result = "_" + result.substring(1);
    }
    if (result.codePointCount(0, result.length()) > MAX_KEY_LENGTH) {
      String hash = Integer.toHexString(key.hashCode());
      result = cut(result, MAX_KEY_LENGTH - hash.length() - 1) + "_" + hash;
    }
    return result;
  }

  /** The first {@code codePoints} characters of {@code s} (never half a surrogate pair). */
  public static String cut(String s, int codePoints) {
    if (s.codePointCount(0, s.length()) <= codePoints) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, codePoints));
  }

  /**
   * Whether MLflow's {@code [/\w.\- :]} takes {@code c}: Python's {@code \w} is {@code
   * str.isalnum()} (letters, and digits and other numbers) or {@code _}.
   */
  private static boolean allowed(int c) {
    if (c == '_' || c == '/' || c == '.' || c == '-' || c == ' ' || c == ':') {
      return true;
    }
    return switch (Character.getType(c)) {
      case Character.UPPERCASE_LETTER,
          Character.LOWERCASE_LETTER,
          Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER,
          Character.OTHER_LETTER,
          Character.DECIMAL_DIGIT_NUMBER,
          Character.LETTER_NUMBER,
          Character.OTHER_NUMBER ->
          true;
      default -> false;
    };
  }

  private static boolean isCleanPath(String key) {
    if (key.startsWith("/") || key.startsWith("..") || key.endsWith("/") || key.contains("//")) {
      return false;
    }
    for (String segment : key.split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }
}
