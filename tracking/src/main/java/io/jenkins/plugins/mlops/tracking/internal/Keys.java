package io.jenkins.plugins.mlops.tracking.internal;

import java.util.regex.Pattern;

/**
 * MLflow's rules for metric, param and tag keys: at most 250 characters of letters, digits, {@code
 * _ - . / space}, and a key that, read as a path, names itself (no {@code ..}, no leading or
 * doubled slash). Colons are refused too: older and Windows servers do not accept them.
 */
public final class Keys {

  /** The longest key MLflow accepts. */
  public static final int MAX_KEY_LENGTH = 250;

  /** The longest param value MLflow accepts. */
  public static final int MAX_PARAM_VALUE_LENGTH = 6000;

  /** The longest run tag value MLflow accepts. */
  public static final int MAX_TAG_VALUE_LENGTH = 8000;

  private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_\\-./ ]+");
  private static final Pattern NOT_ALLOWED = Pattern.compile("[^A-Za-z0-9_\\-./ ]");

  private Keys() {}

  /** Why {@code key} is not a valid MLflow key, or {@code null} when it is. */
  public static String problem(String key) {
    if (key == null || key.isEmpty()) {
      return "it is empty";
    }
    if (key.length() > MAX_KEY_LENGTH) {
      return "it is "
          + key.length()
          + " characters long; at most "
          + MAX_KEY_LENGTH
          + " are allowed";
    }
    if (!ALLOWED.matcher(key).matches()) {
      return "it may only contain letters, digits, '_', '-', '.', '/' and spaces";
    }
    if (!isCleanPath(key)) {
      return "read as a path it must name itself: no leading, trailing or doubled '/', no '.' or"
          + " '..' parts";
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
    String cleaned = NOT_ALLOWED.matcher(key).replaceAll("_");
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
    if (result.length() > MAX_KEY_LENGTH) {
      String hash = Integer.toHexString(key.hashCode());
      result = result.substring(0, MAX_KEY_LENGTH - hash.length() - 1) + "_" + hash;
    }
    return result;
  }

  private static boolean isCleanPath(String key) {
    if (key.startsWith("/") || key.endsWith("/") || key.contains("//")) {
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
