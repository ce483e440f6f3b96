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

  /**
   * For each column, the fraction of its non-null values in each bin its edges make ({@code <= e1},
   * {@code (e1, e2]}, …, {@code > e_last}): DuckDB's {@code histogram} aggregate, one scan.
   */
  static Map<String, List<Double>> fractions(
      Statement sql, String table, Map<String, List<Double>> edgesByColumn) throws SQLException {
    Map<String, List<Double>> out = new LinkedHashMap<>();
    if (edgesByColumn.isEmpty()) {
      return out;
    }
    List<String> histograms = new ArrayList<>();
    List<String> unpack = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, List<Double>> c : edgesByColumn.entrySet()) {
      String edges =
          c.getValue().stream()
              .map(e -> Double.toString(e) + "::DOUBLE")
              .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
      histograms.add(
          "histogram(" + Sql.id(c.getKey()) + "::DOUBLE, " + edges + "::DOUBLE[]) AS h" + i);
      unpack.add("map_keys(h" + i + "), map_values(h" + i + ")");
      i++;
    }
    try (ResultSet r =
        sql.executeQuery(
            "SELECT "
                + String.join(", ", unpack)
                + " FROM (SELECT "
                + String.join(", ", histograms)
                + " FROM "
                + table
                + ")")) {
      r.next();
      int at = 1;
      for (Map.Entry<String, List<Double>> c : edgesByColumn.entrySet()) {
        out.put(c.getKey(), bins(c.getValue(), r.getArray(at), r.getArray(at + 1)));
        at += 2;
      }
    }
    return out;
  }

  /** Counts by bin (keys are the upper edges, and infinity for the last) as fractions. */
  private static List<Double> bins(List<Double> edges, java.sql.Array keys, java.sql.Array counts)
      throws SQLException {
    double[] byBin = new double[edges.size() + 1];
    double total = 0;
    if (keys != null && counts != null) {
      Object[] k = (Object[]) keys.getArray();
      Object[] n = (Object[]) counts.getArray();
      for (int j = 0; j < k.length; j++) {
        double key = ((Number) k[j]).doubleValue();
        int bin = edges.indexOf(key);
        bin = bin < 0 ? edges.size() : bin;
        byBin[bin] += ((Number) n[j]).doubleValue();
        total += ((Number) n[j]).doubleValue();
      }
    }
    List<Double> fractions = new ArrayList<>();
    for (double count : byBin) {
      fractions.add(total == 0 ? 0 : count / total);
    }
    return fractions;
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
