package io.jenkins.plugins.mlops.tracking;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks the user information of URIs in text that is about to be shown (an error message, a log
 * line), whatever its shape: everything between {@code ://} and the last {@code @} of the same word
 * becomes {@code ***}, so a password holding an unencoded {@code /}, {@code #} or {@code ?} is
 * masked too.
 */
public final class Redaction {

  /** A scheme's {@code ://}, then a word up to its last {@code @} (greedy: the last one wins). */
  private static final Pattern USER_INFO =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.\\-]*://)[^\\s]*@");

  /** What replaces the user information. */
  public static final String MASK = "***";

  private Redaction() {}

  /**
   * {@code text} with the user information of each URI in it masked; {@code null} stays {@code
   * null}.
   */
  public static String uris(String text) {
    if (text == null || text.indexOf('@') < 0) {
      return text;
    }
    Matcher m = USER_INFO.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + MASK + "@"));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * One URI as the user typed it, with everything between {@code ://} and its last {@code @}
   * masked, even across white space.
   */
  static String uri(String typed) {
    int schemeEnd = typed.indexOf("://");
    int at = typed.lastIndexOf('@');
    if (schemeEnd < 0 || at < schemeEnd + 3) {
      return uris(typed);
    }
    return typed.substring(0, schemeEnd + 3) + MASK + typed.substring(at);
  }
}
