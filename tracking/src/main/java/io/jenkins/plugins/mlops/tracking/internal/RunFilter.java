package io.jenkins.plugins.mlops.tracking.internal;

import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.Run;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * MLflow's run search language, for stores that search themselves (the file store): clauses joined
 * by {@code AND}, each {@code <entity>.<key> <op> <value>} with entity {@code metrics}, {@code
 * params}, {@code tags} or {@code attributes} (singular forms too, keys quoted with backticks or
 * double quotes when they hold other characters); operators {@code = != < <= > >=} for numbers and
 * {@code = != LIKE ILIKE} for text ({@code IN}/{@code NOT IN} for attributes). A run without the
 * named metric, param or tag does not match. Order clauses: {@code <entity>.<key> [ASC|DESC]}, runs
 * without the value last.
 */
public final class RunFilter {

  private RunFilter() {}

  /**
   * A predicate for {@code filter} (blank matches every run).
   *
   * @throws IllegalArgumentException naming the clause that cannot be read, and what is allowed
   */
  public static Predicate<Run> parse(String filter) {
    Predicate<Run> all = run -> true;
    if (filter == null || filter.isBlank()) {
      return all;
    }
    for (String clause : splitAnd(filter)) {
      all = all.and(clause(clause.strip(), filter));
    }
    return all;
  }

  /** A comparator for MLflow order clauses; ties and no clauses: newest start first, then id. */
  public static Comparator<Run> order(List<String> clauses) {
    Comparator<Run> order = (a, b) -> 0;
    for (String clause : clauses) {
      String[] words = clause.strip().split("\\s+(?=(?i:asc|desc)$)");
      boolean descending = words.length > 1 && words[1].equalsIgnoreCase("desc");
      Field field = field(words[0].strip(), clause);
      Comparator<Run> one =
          (a, b) -> {
            Comparable<Object> x = field.value(a);
            Comparable<Object> y = field.value(b);
            if (x == null || y == null) {
              return x == y ? 0 : x == null ? 1 : -1; // missing values last, either direction
            }
            return descending ? y.compareTo(x) : x.compareTo(y);
          };
      order = order.thenComparing(one);
    }
    return order
        .thenComparing(Comparator.comparingLong((Run r) -> r.info().startTime()).reversed())
        .thenComparing(r -> r.info().runId());
  }

  private static List<String> splitAnd(String filter) {
    List<String> clauses = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    char quote = 0;
    for (int i = 0; i < filter.length(); i++) {
      char c = filter.charAt(i);
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '\'' || c == '"' || c == '`') {
        quote = c;
      } else if (filter.regionMatches(true, i, " and ", 0, 5)) {
        clauses.add(current.toString());
        current.setLength(0);
        i += 4;
        continue;
      }
      current.append(c);
    }
    clauses.add(current.toString());
    return clauses;
  }

  private static final Pattern CLAUSE =
      Pattern.compile(
          "^(.+?)\\s*(!=|<=|>=|=|<|>|(?i:\\s+not\\s+in\\s+)|(?i:\\s+in\\s+)|(?i:\\s+ilike\\s+)|(?i:\\s+like\\s+))\\s*(.+)$");

  private static Predicate<Run> clause(String clause, String filter) {
    var m = CLAUSE.matcher(clause);
    if (!m.matches()) {
      throw bad(clause, filter, "expected <entity>.<key> <operator> <value>");
    }
    Field field = field(m.group(1).strip(), filter);
    String op = m.group(2).strip().toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
    String raw = m.group(3).strip();
    if (op.equals("IN") || op.equals("NOT IN")) {
      List<String> values = list(raw, clause, filter);
      boolean in = op.equals("IN");
      return run -> {
        Object v = field.value(run);
        return v != null && values.contains(v.toString()) == in;
      };
    }
    if (field.numeric()) {
      double value;
      try {
        value = Double.parseDouble(raw);
      } catch (NumberFormatException e) {
        throw bad(clause, filter, field.name() + " is a number; compare it with a number");
      }
      return run -> {
        Comparable<Object> v = field.value(run);
        return v != null && compare(((Number) (Object) v).doubleValue(), op, value, clause, filter);
      };
    }
    String value = unquote(raw, clause, filter);
    return run -> {
      Object v = field.value(run);
      return v != null && text(v.toString(), op, value, clause, filter);
    };
  }

  private static boolean compare(double a, String op, double b, String clause, String filter) {
    return switch (op) {
      case "=" -> a == b;
      case "!=" -> a != b;
      case "<" -> a < b;
      case "<=" -> a <= b;
      case ">" -> a > b;
      case ">=" -> a >= b;
      default -> throw bad(clause, filter, "numbers take = != < <= > >=");
    };
  }

  private static boolean text(String a, String op, String b, String clause, String filter) {
    return switch (op) {
      case "=" -> a.equals(b);
      case "!=" -> !a.equals(b);
      case "LIKE" -> like(b, false).matcher(a).matches();
      case "ILIKE" -> like(b, true).matcher(a).matches();
      default -> throw bad(clause, filter, "text takes = != LIKE ILIKE");
    };
  }

  private static Pattern like(String pattern, boolean ignoreCase) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      regex.append(c == '%' ? ".*" : c == '_' ? "." : Pattern.quote(String.valueOf(c)));
    }
    return Pattern.compile(
        regex.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
  }

  /** One side of a comparison: how to read it from a run, and whether it is a number. */
  private record Field(
      String name, boolean numeric, java.util.function.Function<Run, Object> reader) {
    @SuppressWarnings("unchecked")
    Comparable<Object> value(Run run) {
      return (Comparable<Object>) reader.apply(run);
    }
  }

  private static Field field(String identifier, String filter) {
    int dot = identifier.indexOf('.');
    String entity = dot < 0 ? "attributes" : identifier.substring(0, dot).toLowerCase(Locale.ROOT);
    String key =
        unquoteKey(dot < 0 ? identifier : identifier.substring(dot + 1), identifier, filter);
    return switch (entity) {
      case "metrics", "metric" ->
          new Field(
              identifier,
              true,
              run -> {
                Metric metric = run.metrics().get(key);
                return metric == null ? null : metric.value();
              });
      case "params", "param", "parameters", "parameter" ->
          new Field(identifier, false, run -> run.params().get(key));
      case "tags", "tag" -> new Field(identifier, false, run -> run.tags().get(key));
      case "attributes", "attribute", "attr", "run" -> attribute(key, identifier, filter);
      default -> throw bad(identifier, filter, "entities are metrics, params, tags, attributes");
    };
  }

  private static Field attribute(String key, String identifier, String filter) {
    return switch (key) {
      case "status" -> new Field(key, false, run -> run.info().status().name());
      case "run_name" -> new Field(key, false, run -> run.info().runName());
      case "run_id" -> new Field(key, false, run -> run.info().runId());
      case "user_id" -> new Field(key, false, run -> run.info().userId());
      case "artifact_uri" -> new Field(key, false, run -> run.info().artifactUri());
      case "start_time" -> new Field(key, true, run -> (double) run.info().startTime());
      case "end_time" ->
          new Field(
              key, true, run -> run.info().endTime() == 0 ? null : (double) run.info().endTime());
      default ->
          throw bad(
              identifier,
              filter,
              "attributes are status, run_name, run_id, user_id, artifact_uri, start_time, end_time");
    };
  }

  private static String unquoteKey(String key, String identifier, String filter) {
    String k = key.strip();
    if (k.length() >= 2
        && (k.startsWith("`") && k.endsWith("`") || k.startsWith("\"") && k.endsWith("\""))) {
      return k.substring(1, k.length() - 1);
    }
    if (k.isEmpty()) {
      throw bad(identifier, filter, "a key must follow the entity");
    }
    return k;
  }

  private static String unquote(String raw, String clause, String filter) {
    if (raw.length() >= 2
        && (raw.startsWith("'") && raw.endsWith("'")
            || raw.startsWith("\"") && raw.endsWith("\""))) {
      return raw.substring(1, raw.length() - 1);
    }
    throw bad(clause, filter, "text values are quoted, e.g. 'adam'");
  }

  private static List<String> list(String raw, String clause, String filter) {
    if (!raw.startsWith("(") || !raw.endsWith(")")) {
      throw bad(clause, filter, "IN takes a list in parentheses, e.g. ('a', 'b')");
    }
    List<String> values = new ArrayList<>();
    for (String item : raw.substring(1, raw.length() - 1).split(",")) {
      values.add(unquote(item.strip(), clause, filter));
    }
    return values;
  }

  private static IllegalArgumentException bad(String part, String filter, String allowed) {
    return new IllegalArgumentException(
        "filter (" + filter + ") cannot be read at '" + part + "': " + allowed);
  }
}
