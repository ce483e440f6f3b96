package io.jenkins.plugins.mlops.steps.data;

import java.util.ArrayList;
import java.util.List;

/**
 * One named split and its fraction of the rows, e.g. {@code train=0.8}.
 *
 * @param name letters, digits, {@code _} and {@code -}: it names the output file
 * @param fraction in (0, 1]
 */
public record Split(String name, double fraction) {

  public Split {
    if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException(
          "split name ("
              + name
              + ") may only use letters, digits,"
              + " '_' and '-' (1 to 64 of them)");
    }
    if (!(fraction > 0) || fraction > 1) {
      throw new IllegalArgumentException(
          "split fraction of '" + name + "' (" + fraction + ") must be in (0, 1]");
    }
  }

  /**
   * Parses {@code train=0.8,validation=0.1,test=0.1}.
   *
   * @throws IllegalArgumentException naming the part that is wrong
   */
  public static List<Split> parse(String text) {
    List<Split> splits = new ArrayList<>();
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(
          "split is empty; give name=fraction pairs, e.g. train=0.8,validation=0.1,test=0.1");
    }
    for (String part : text.split(",")) {
      String[] kv = part.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException(
            "split part '" + part.strip() + "' is not name=fraction, e.g. train=0.8");
      }
      try {
        splits.add(new Split(kv[0].strip(), Double.parseDouble(kv[1].strip())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "split fraction of '" + kv[0].strip() + "' (" + kv[1].strip() + ") is not a number");
      }
    }
    return validate(splits);
  }

  /**
   * Parses split names without fractions, {@code train,validation,test}, for splits cut at given
   * times, where fractions do not apply (each gets an equal nominal share).
   *
   * @throws IllegalArgumentException naming the part that is wrong
   */
  public static List<Split> parseNames(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(
          "split is empty; give the split names, e.g. train,validation,test");
    }
    String[] parts = text.split(",");
    List<Split> splits = new ArrayList<>();
    for (String part : parts) {
      if (part.contains("=")) {
        throw new IllegalArgumentException(
            "split part '"
                + part.strip()
                + "' has a fraction, but cut-offs decide the splits; give names only, e.g."
                + " train,validation,test");
      }
      splits.add(new Split(part.strip(), 1.0 / parts.length));
    }
    return validate(splits);
  }

  /** Checks that names are distinct and fractions sum to 1 (within 1e-9). */
  public static List<Split> validate(List<Split> splits) {
    if (splits.isEmpty()) {
      throw new IllegalArgumentException("at least one split is required");
    }
    double sum = 0;
    List<String> names = new ArrayList<>();
    for (Split s : splits) {
      if (names.contains(s.name())) {
        throw new IllegalArgumentException("split '" + s.name() + "' is given twice");
      }
      names.add(s.name());
      sum += s.fraction();
    }
    if (Math.abs(sum - 1) > 1e-9) {
      throw new IllegalArgumentException(
          "split fractions must sum to 1; " + names + " sum to " + sum);
    }
    return List.copyOf(splits);
  }
}
