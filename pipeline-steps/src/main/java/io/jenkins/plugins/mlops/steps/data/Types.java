package io.jenkins.plugins.mlops.steps.data;

import io.jenkins.plugins.mlops.steps.data.internal.Sql;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Declared column types: checked against the data's columns, enforced while reading. */
final class Types {

  private static final Pattern CSV_LINE = Pattern.compile("CSV Error on Line: (\\d+)");
  private static final Pattern CONVERSION =
      Pattern.compile(
          "converting column \"(.+?)\"\\. Could not convert string \"(.*?)\" to '(.+?)'");
  private static final Pattern FILE = Pattern.compile("file = (.+)");

  private Types() {}

  /** Every declared column must exist (sniffed from the untyped reader). */
  static void checkDeclared(Statement sql, PrepareSpec spec, String untypedReader)
      throws SQLException {
    if (spec.types().isEmpty()) {
      return;
    }
    Map<String, String> sniffed = DatasetPreparer.schema(sql, "SELECT * FROM " + untypedReader);
    spec.types().keySet().forEach(c -> Columns.require("type", c, sniffed));
  }

  /** A DuckDB struct literal for {@code read_csv(types = ...)}. */
  static String struct(Map<String, String> types) {
    return types.entrySet().stream()
        .map(e -> Sql.str(e.getKey()) + ": " + Sql.str(e.getValue()))
        .collect(Collectors.joining(", ", "{", "}"));
  }

  /** {@code SELECT * REPLACE (CAST(...))} over a reader, for formats without a types option. */
  static String cast(Map<String, String> types, String reader) {
    if (types.isEmpty()) {
      return reader;
    }
    String replace =
        types.entrySet().stream()
            .map(
                e ->
                    "CAST("
                        + Sql.id(e.getKey())
                        + " AS "
                        + e.getValue()
                        + ") AS "
                        + Sql.id(e.getKey()))
            .collect(Collectors.joining(", "));
    return "(SELECT * REPLACE (" + replace + ") FROM " + reader + ")";
  }

  /** A read failure in words: the file, line, column and value when DuckDB names them. */
  static RuntimeException explain(SQLException e, PrepareSpec spec) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    Matcher line = CSV_LINE.matcher(m);
    Matcher conversion = CONVERSION.matcher(m);
    Matcher file = FILE.matcher(m);
    if (line.find() && conversion.find()) {
      String where = file.find() ? "input (" + file.group(1).strip() + ") line " : "line ";
      return new IllegalArgumentException(
          where
              + line.group(1)
              + ", column '"
              + conversion.group(1)
              + "': \""
              + conversion.group(2)
              + "\" is not a "
              + conversion.group(3)
              + (spec.types().containsKey(conversion.group(1))
                  ? " (declared with --type "
                      + conversion.group(1)
                      + ":"
                      + spec.types().get(conversion.group(1))
                      + ")"
                  : "")
              + "; fix the value, or declare the column VARCHAR",
          e);
    }
    return new IllegalArgumentException(
        "the input could not be read: "
            + io.jenkins.plugins.mlops.steps.data.internal.CsvProblems.shorten(
                DatasetPreparer.duckMessage(e)),
        e);
  }
}
