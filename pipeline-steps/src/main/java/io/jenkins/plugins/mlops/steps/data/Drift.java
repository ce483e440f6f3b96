package io.jenkins.plugins.mlops.steps.data;

import io.jenkins.plugins.mlops.steps.data.internal.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** Column profiles, and the drift check of prepared data against an earlier manifest. */
final class Drift {

  private static final double FLOOR = 1e-4;

  private Drift() {}

  /** Deciles of each numeric column of {@code table}, and the fraction of values in each bin. */
  static Map<String, DatasetManifest.Profile> profiles(
      Statement sql, String table, Map<String, String> columns) throws SQLException {
    List<String> numeric =
        columns.entrySet().stream()
            .filter(c -> Columns.isNumeric(c.getValue()))
            .map(Map.Entry::getKey)
            .toList();
    Map<String, DatasetManifest.Profile> profiles = new LinkedHashMap<>();
    if (numeric.isEmpty()) {
      return profiles;
    }
    Map<String, List<Double>> edges = new LinkedHashMap<>();
    String deciles =
        numeric.stream()
            .map(
                c ->
                    "quantile_cont("
                        + Sql.id(c)
                        + "::DOUBLE, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])")
            .collect(java.util.stream.Collectors.joining(", "));
    try (ResultSet r = sql.executeQuery("SELECT " + deciles + " FROM " + table)) {
      r.next();
      for (int i = 0; i < numeric.size(); i++) {
        List<Double> distinct = new ArrayList<>();
        java.sql.Array array = r.getArray(i + 1);
        if (array != null) {
          for (Object o : (Object[]) array.getArray()) {
            double e = ((Number) o).doubleValue();
            if (distinct.isEmpty() || e > distinct.get(distinct.size() - 1)) {
              distinct.add(e);
            }
          }
        }
        edges.put(numeric.get(i), distinct);
      }
    }
    Map<String, List<Double>> fractions = fractions(sql, table, edges);
    edges.forEach((c, e) -> profiles.put(c, new DatasetManifest.Profile(e, fractions.get(c))));
    return profiles;
  }

  /** For each column, the fraction of its non-null values in each bin its edges make; one scan. */
  static Map<String, List<Double>> fractions(
      Statement sql, String table, Map<String, List<Double>> edgesByColumn) throws SQLException {
    List<String> parts = new ArrayList<>();
    edgesByColumn.forEach(
        (column, edges) -> {
          String x = Sql.id(column) + "::DOUBLE";
          parts.add("count(" + x + ")");
          for (int i = 0; i <= edges.size(); i++) {
            String lower = i == 0 ? "TRUE" : x + " > " + edges.get(i - 1);
            String upper = i == edges.size() ? "TRUE" : x + " <= " + edges.get(i);
            parts.add("count(" + x + ") FILTER (WHERE " + lower + " AND " + upper + ")");
          }
        });
    Map<String, List<Double>> out = new LinkedHashMap<>();
    try (ResultSet r = sql.executeQuery("SELECT " + String.join(", ", parts) + " FROM " + table)) {
      r.next();
      int at = 1;
      for (Map.Entry<String, List<Double>> c : edgesByColumn.entrySet()) {
        long n = r.getLong(at++);
        List<Double> f = new ArrayList<>();
        for (int i = 0; i <= c.getValue().size(); i++) {
          f.add(n == 0 ? 0 : r.getLong(at++) / (double) n);
        }
        out.put(c.getKey(), f);
      }
    }
    return out;
  }

  /** Compares the prepared table with {@code previous}. */
  static DriftReport compare(
      Statement sql,
      String table,
      DatasetManifest previous,
      String fingerprint,
      Map<String, String> columns,
      Map<String, Map<String, Long>> labels,
      DataChecks checks)
      throws SQLException {
    boolean unchanged = previous.fingerprint().equals(fingerprint);
    Map<String, Double> psi = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Map<String, List<Double>> previousEdges = new LinkedHashMap<>();
    previous
        .profiles()
        .forEach(
            (column, profile) -> {
              String type = columns.get(column);
              if (type != null && Columns.isNumeric(type)) {
                previousEdges.put(column, profile.edges());
              }
            });
    Map<String, List<Double>> now = fractions(sql, table, previousEdges);
    for (String column : previousEdges.keySet()) {
      double value = psi(previous.profiles().get(column).fractions(), now.get(column));
      psi.put(column, value);
      judge(
          String.format(Locale.ROOT, "column '%s' drifted: PSI %.3f", column, value),
          value,
          checks.psiWarn(),
          checks.psiFail(),
          warnings,
          failures);
    }
    Double shift = null;
    if (!labels.isEmpty() && !previous.labelDistribution().isEmpty()) {
      shift = totalVariation(previous.labelDistribution(), labels);
      judge(
          String.format(Locale.ROOT, "the label distribution shifted: total variation %.3f", shift),
          shift,
          checks.labelShiftWarn(),
          checks.labelShiftFail(),
          warnings,
          failures);
    }
    return new DriftReport(previous.fingerprint(), unchanged, psi, shift, warnings, failures);
  }

  private static void judge(
      String what,
      double value,
      double warn,
      double fail,
      List<String> warnings,
      List<String> failures) {
    if (!Double.isNaN(fail) && value >= fail) {
      failures.add(what + String.format(Locale.ROOT, " (fails at %.3f)", fail));
    } else if (value >= warn) {
      warnings.add(what + String.format(Locale.ROOT, " (warns at %.3f)", warn));
    }
  }

  /** Population stability index, with bins floored at 1e-4 so that an empty bin stays finite. */
  static double psi(List<Double> expected, List<Double> actual) {
    double sum = 0;
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      double e = Math.max(expected.get(i), FLOOR);
      double a = Math.max(actual.get(i), FLOOR);
      sum += (a - e) * Math.log(a / e);
    }
    return sum;
  }

  /** Half the L1 distance between the class shares of two label distributions (all splits). */
  static double totalVariation(
      Map<String, Map<String, Long>> before, Map<String, Map<String, Long>> after) {
    Map<String, Long> a = totals(before);
    Map<String, Long> b = totals(after);
    double na = a.values().stream().mapToLong(Long::longValue).sum();
    double nb = b.values().stream().mapToLong(Long::longValue).sum();
    TreeSet<String> classes = new TreeSet<>(a.keySet());
    classes.addAll(b.keySet());
    double sum = 0;
    for (String c : classes) {
      sum += Math.abs(a.getOrDefault(c, 0L) / na - b.getOrDefault(c, 0L) / nb);
    }
    return sum / 2;
  }

  static Map<String, Long> totals(Map<String, Map<String, Long>> bySplit) {
    Map<String, Long> totals = new LinkedHashMap<>();
    bySplit.values().forEach(d -> d.forEach((c, n) -> totals.merge(c, n, Long::sum)));
    return totals;
  }
}
