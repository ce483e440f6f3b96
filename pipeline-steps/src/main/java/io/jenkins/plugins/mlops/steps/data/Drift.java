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
    Map<String, DatasetManifest.Profile> profiles = new LinkedHashMap<>();
    for (Map.Entry<String, String> c : columns.entrySet()) {
      if (!Columns.isNumeric(c.getValue())) {
        continue;
      }
      List<Double> edges = new ArrayList<>();
      try (ResultSet r =
          sql.executeQuery(
              "SELECT unnest(quantile_cont("
                  + Sql.id(c.getKey())
                  + "::DOUBLE, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])) FROM "
                  + table)) {
        while (r.next()) {
          double e = r.getDouble(1);
          if (!r.wasNull() && (edges.isEmpty() || e > edges.get(edges.size() - 1))) {
            edges.add(e);
          }
        }
      }
      profiles.put(
          c.getKey(), new DatasetManifest.Profile(edges, fractions(sql, table, c.getKey(), edges)));
    }
    return profiles;
  }

  /** The fraction of {@code column}'s non-null values in each bin {@code edges} make. */
  static List<Double> fractions(Statement sql, String table, String column, List<Double> edges)
      throws SQLException {
    String x = Sql.id(column) + "::DOUBLE";
    StringBuilder q = new StringBuilder("SELECT count(" + x + ")");
    for (int i = 0; i <= edges.size(); i++) {
      String lower = i == 0 ? "TRUE" : x + " > " + edges.get(i - 1);
      String upper = i == edges.size() ? "TRUE" : x + " <= " + edges.get(i);
      q.append(", count(*) FILTER (WHERE ").append(lower).append(" AND ").append(upper).append(")");
    }
    List<Double> fractions = new ArrayList<>();
    try (ResultSet r = sql.executeQuery(q.append(" FROM ").append(table).toString())) {
      r.next();
      long n = r.getLong(1);
      for (int i = 0; i <= edges.size(); i++) {
        fractions.add(n == 0 ? 0 : r.getLong(i + 2) / (double) n);
      }
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
    for (Map.Entry<String, DatasetManifest.Profile> p : previous.profiles().entrySet()) {
      String type = columns.get(p.getKey());
      if (type == null || !Columns.isNumeric(type)) {
        continue;
      }
      double value =
          psi(p.getValue().fractions(), fractions(sql, table, p.getKey(), p.getValue().edges()));
      psi.put(p.getKey(), value);
      judge(
          String.format(Locale.ROOT, "column '%s' drifted: PSI %.3f", p.getKey(), value),
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
