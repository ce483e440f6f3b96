package io.jenkins.plugins.mlops.steps.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Which label classes each split holds. A class missing from a split (a class of one row lands in
 * one split only) is a warning; it fails the preparation for the splits {@link
 * DataChecks#everyClassIn()} names, and for every split when {@link DataChecks#expectedClasses()}
 * declares the classes.
 */
final class ClassCoverage {

  private ClassCoverage() {}

  /**
   * Warns about, and returns as problems where the checks ask for it, every class some split lacks.
   *
   * @param labels split to class to rows, every split of the spec present
   */
  static List<String> check(
      DataChecks checks, Map<String, Map<String, Long>> labels, Consumer<String> warn) {
    Map<String, Long> totals = Drift.totals(labels);
    Set<String> strict = new LinkedHashSet<>(checks.everyClassIn());
    if (!checks.expectedClasses().isEmpty()) {
      strict.addAll(labels.keySet());
    }
    List<String> problems = new ArrayList<>();
    for (String split : checks.everyClassIn()) {
      if (!labels.containsKey(split)) {
        problems.add(
            "every class is required in split '"
                + split
                + "', which this preparation does not make; its splits are "
                + labels.keySet());
      }
    }
    Map<String, List<String>> missing = new LinkedHashMap<>();
    labels.forEach(
        (split, classes) ->
            totals.keySet().stream()
                .filter(c -> !classes.containsKey(c))
                .forEach(c -> missing.computeIfAbsent(c, k -> new ArrayList<>()).add(split)));
    missing.forEach(
        (c, splits) -> {
          String sentence =
              "class '"
                  + c
                  + "' of the label has "
                  + totals.get(c)
                  + (totals.get(c) == 1 ? " row" : " rows")
                  + ", and split(s) "
                  + splits
                  + " have none of it";
          List<String> required = splits.stream().filter(strict::contains).toList();
          if (required.isEmpty()) {
            warn.accept(
                sentence
                    + "; a model cannot be evaluated on it there (require it with every-class-in)");
          } else {
            problems.add(sentence + ", though " + required + " must hold every class");
          }
        });
    return problems;
  }
}
