package io.jenkins.plugins.mlops.steps.report;

import java.util.Locale;

/** Text into HTML and SVG: escaped, numbers in a fixed form. */
final class Html {

  private Html() {}

  static String esc(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Four decimals, or empty for none. */
  static String num(Double value) {
    return value == null ? "" : String.format(Locale.ROOT, "%.4f", value);
  }

  /** A coordinate, with one decimal. */
  static String xy(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }
}
