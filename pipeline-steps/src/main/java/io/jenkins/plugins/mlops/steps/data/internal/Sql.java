package io.jenkins.plugins.mlops.steps.data.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Quoting for the SQL the preparer builds: identifiers and string literals, never raw input. */
public final class Sql {

  private Sql() {}

  /** A quoted identifier: {@code "my ""col"""}. */
  public static String id(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** A string literal: {@code 'it''s'}. */
  public static String str(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /** A list literal of paths: {@code ['a.csv', 'b.csv']}. */
  public static String paths(List<Path> files) {
    return files.stream().map(p -> str(p.toString())).collect(Collectors.joining(", ", "[", "]"));
  }

  /** A list literal of strings. */
  public static String strings(List<String> values) {
    return values.stream().map(Sql::str).collect(Collectors.joining(", ", "[", "]"));
  }
}
