package io.jenkins.plugins.mlops.steps.data;

import io.jenkins.plugins.mlops.steps.Suggest;
import io.jenkins.plugins.mlops.steps.data.internal.Sql;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The columns a preparation keeps and checks, validated against the data's schema. */
final class Columns {

  private final Map<String, String> output;
  private final List<String> dropNa;

  private Columns(Map<String, String> output, List<String> dropNa) {
    this.output = output;
    this.dropNa = dropNa;
  }

  /** Checks every column {@code spec} names against {@code source}; errors name the option. */
  static Columns check(PrepareSpec spec, Map<String, String> source) {
    require("label", spec.label(), source);
    require("group-by", spec.groupBy(), source);
    require("key", spec.key(), source);
    spec.dropNaColumns().forEach(c -> require("drop-na column", c, source));
    spec.keepColumns().forEach(c -> require("keep column", c, source));
    spec.dropColumns().forEach(c -> require("drop column", c, source));
    for (String named :
        new String[] {spec.label(), spec.groupBy(), spec.key(), spec.timeColumn()}) {
      if (named != null && spec.dropColumns().contains(named)) {
        throw new IllegalArgumentException(
            "column '"
                + named
                + "' is both dropped and used"
                + " (label, group-by, key or time column); keep it");
      }
    }
    require("time column", spec.timeColumn(), source);
    Map<String, String> output = new LinkedHashMap<>();
    source.forEach(
        (name, type) -> {
          boolean kept =
              spec.keepColumns().isEmpty()
                  || spec.keepColumns().contains(name)
                  || name.equals(spec.label())
                  || name.equals(spec.groupBy())
                  || name.equals(spec.key())
                  || name.equals(spec.timeColumn());
          if (kept && !spec.dropColumns().contains(name)) {
            if (name.equalsIgnoreCase("rowid")
                || name.toLowerCase(Locale.ROOT).startsWith("__mlops_")) {
              throw new IllegalArgumentException(
                  "column '"
                      + name
                      + "' has a name the preparation uses itself; rename it, or drop it (--drop "
                      + name
                      + ")");
            }
            output.put(name, type);
          }
        });
    List<String> dropNa =
        !spec.dropNa()
            ? List.of()
            : spec.dropNaColumns().isEmpty()
                ? new ArrayList<>(output.keySet())
                : spec.dropNaColumns();
    return new Columns(output, List.copyOf(dropNa));
  }

  static void require(String option, String column, Map<String, String> source) {
    if (column == null || source.containsKey(column)) {
      return;
    }
    String nearest = Suggest.nearest(column, source.keySet());
    throw new IllegalArgumentException(
        option
            + " ("
            + column
            + ") is not a column of the data"
            + (nearest == null ? "." : "; did you mean '" + nearest + "'?")
            + " Columns: "
            + String.join(", ", source.keySet()));
  }

  /** The columns written, name to DuckDB type, in the data's order. */
  Map<String, String> output() {
    return output;
  }

  /** The columns whose nulls drop a row (empty when nulls are kept). */
  List<String> dropNa() {
    return dropNa;
  }

  /** What the split hash reads: the key column, the group column, or the whole row. */
  String hashExpression(PrepareSpec spec) {
    if (spec.key() != null) {
      return "coalesce(" + Sql.id(spec.key()) + "::VARCHAR, '')";
    }
    if (spec.groupBy() != null) {
      return "coalesce(" + Sql.id(spec.groupBy()) + "::VARCHAR, '')";
    }
    throw new IllegalStateException("no key or group column: the row hash decides");
  }

  /**
   * DuckDB's 64-bit hash of the row's values (all columns, in order). It is computed once per row
   * and is an order of magnitude cheaper than an MD5 of the row's text; it is stable for the pinned
   * DuckDB version (an upgrade that changed it would change fingerprints and row-hash splits, not
   * key or group splits, which use MD5 of the key's text).
   */
  String rowHash() {
    return output.keySet().stream().map(Sql::id).collect(Collectors.joining(", ", "hash(", ")"));
  }

  static boolean isNumeric(String duckType) {
    String t = duckType.toUpperCase(Locale.ROOT);
    return t.matches(
        "(TINY|SMALL|BIG|HUGE|U?)INT.*|INTEGER|U(TINY|SMALL|BIG|HUGE)INT|UINTEGER"
            + "|DOUBLE|FLOAT|REAL|DECIMAL.*");
  }
}
