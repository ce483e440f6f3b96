package io.jenkins.plugins.mlops.steps.gate;

import io.jenkins.plugins.mlops.steps.gate.Condition.Kind;
import io.jenkins.plugins.mlops.steps.gate.Condition.Op;
import io.jenkins.plugins.mlops.steps.gate.MetricSelector.Aggregate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses gate conditions, as strings or as maps, and checks a list of them as a whole.
 *
 * <p>Strings: {@code <metric> <op> <number>} or {@code <metric> <op> baseline [+|-|* <number>]},
 * where {@code <op>} is {@code >=}, {@code >}, {@code <=}, {@code <} or {@code ==} (with {@code ±
 * tolerance} or {@code +- tolerance}), and {@code <metric>} is a name, {@code min(name)}, {@code
 * max(name)}, {@code last(name)} or {@code name@step}. Maps: MLflow's {@code MetricThreshold} —
 * {@code {metric, threshold, minAbsoluteChange, minRelativeChange, greaterIsBetter}} — with its
 * exact checks.
 */
public final class Conditions {

  /** Tolerance of {@code ==} when none is written. */
  public static final double DEFAULT_TOLERANCE = 1e-9;

  private static final String NAME = "[A-Za-z0-9_][A-Za-z0-9_./:\\-]*";
  private static final String NUMBER = "[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?";
  private static final Pattern SELECTOR =
      Pattern.compile("(?:(min|max|last)\\(\\s*(" + NAME + ")\\s*\\)|(" + NAME + ")(?:@(\\d+))?)");
  private static final Pattern CONDITION =
      Pattern.compile(
          "\\s*(?<sel>\\S.*?)\\s*(?<op>>=|<=|==|>|<)\\s*(?<rhs>.*?)\\s*", Pattern.DOTALL);
  private static final Pattern ABSOLUTE =
      Pattern.compile("(?<v>" + NUMBER + ")(?:\\s*(?:±|\\+-|\\+/-)\\s*(?<tol>" + NUMBER + "))?");
  private static final Pattern RELATIVE =
      Pattern.compile(
          "baseline(?:\\s*(?<bop>[-+*])\\s*(?<v>"
              + NUMBER
              + "))?"
              + "(?:\\s*(?:±|\\+-|\\+/-)\\s*(?<tol>"
              + NUMBER
              + "))?",
          Pattern.CASE_INSENSITIVE);
  private static final Set<String> MAP_KEYS =
      Set.of("metric", "threshold", "minAbsoluteChange", "minRelativeChange", "greaterIsBetter");

  private Conditions() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the condition and what is allowed
   */
  public static Condition parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(
          "a condition is empty; write e.g. 'test_accuracy >= 0.95'");
    }
    Matcher m = CONDITION.matcher(text);
    if (!m.matches()) {
      throw bad(text, "it has no comparison (>=, >, <=, < or ==)");
    }
    MetricSelector selector = selector(text, m.group("sel"));
    Op op = op(m.group("op"));
    String rhs = m.group("rhs");
    Matcher abs = ABSOLUTE.matcher(rhs);
    if (abs.matches()) {
      double value = finite(text, abs.group("v"));
      double tol = tolerance(text, op, abs.group("tol"));
      return new Condition(
          text.strip(),
          selector,
          Kind.ABSOLUTE,
          op,
          value,
          (char) 0,
          tol,
          null,
          null,
          null,
          op == Op.GE || op == Op.GT);
    }
    Matcher rel = RELATIVE.matcher(rhs);
    if (rel.matches()) {
      Double value = rel.group("v") == null ? null : finite(text, rel.group("v"));
      char bop = rel.group("bop") == null ? 0 : rel.group("bop").charAt(0);
      double tol = tolerance(text, op, rel.group("tol"));
      if (bop == '*' && value != null && value <= 0) {
        throw bad(text, "baseline * " + rel.group("v") + " must multiply by a positive number");
      }
      return new Condition(
          text.strip(),
          selector,
          Kind.BASELINE,
          op,
          value,
          bop,
          tol,
          null,
          null,
          null,
          op == Op.GE || op == Op.GT);
    }
    throw bad(
        text,
        "the right side ("
            + rhs
            + ") must be a number (0.95, 1e-3, 0.5 ± 0.01 after ==) or baseline, baseline + 0.01,"
            + " baseline - 0.01, baseline * 0.98");
  }

  /**
   * Reads a map: MLflow's {@code MetricThreshold} ({@code metric}, {@code greaterIsBetter} and at
   * least one of {@code threshold}, {@code minAbsoluteChange} (> 0), {@code minRelativeChange} (0
   * to 1)), or {@code {condition: "<text>"}}.
   */
  public static Condition fromMap(Map<String, ?> map) {
    if (map.containsKey("condition") && map.size() == 1) {
      return parse(String.valueOf(map.get("condition")));
    }
    String shown = render(map);
    for (String key : map.keySet()) {
      if (!MAP_KEYS.contains(key)) {
        String near = io.jenkins.plugins.mlops.steps.Suggest.nearest(key, MAP_KEYS);
        throw bad(
            shown,
            "key '"
                + key
                + "' is not known"
                + (near == null ? "" : " (did you mean '" + near + "'?)")
                + "; the keys are metric, threshold, minAbsoluteChange, minRelativeChange,"
                + " greaterIsBetter");
      }
    }
    Object metric = map.get("metric");
    if (!(metric instanceof String name) || name.isBlank()) {
      throw bad(shown, "metric (the metric's name) is required");
    }
    MetricSelector selector = selector(shown, name);
    Object gib = map.get("greaterIsBetter");
    if (!(gib instanceof Boolean) && !"true".equals(gib) && !"false".equals(gib)) {
      throw bad(shown, "greaterIsBetter (" + gib + ") is required: true or false");
    }
    boolean greater = gib instanceof Boolean b ? b : Boolean.parseBoolean((String) gib);
    Double threshold = optionalNumber(shown, map, "threshold");
    Double minAbs = optionalNumber(shown, map, "minAbsoluteChange");
    Double minRel = optionalNumber(shown, map, "minRelativeChange");
    if (threshold == null && minAbs == null && minRel == null) {
      throw bad(shown, "give at least one of threshold, minAbsoluteChange, minRelativeChange");
    }
    if (minAbs != null && !(minAbs > 0)) {
      throw bad(shown, "minAbsoluteChange (" + minAbs + ") must be a positive number");
    }
    if (minRel != null && (minRel < 0 || minRel > 1)) {
      throw bad(shown, "minRelativeChange (" + minRel + ") must be between 0 and 1");
    }
    return new Condition(
        shown, selector, Kind.MLFLOW, null, null, (char) 0, 0, threshold, minAbs, minRel, greater);
  }

  /**
   * Checks a gate's conditions together: at least one, and no two absolute conditions on the same
   * metric that cannot both hold, no metric both higher- and lower-is-better.
   */
  public static void checkTogether(List<Condition> conditions) {
    if (conditions.isEmpty()) {
      throw new IllegalArgumentException(
          "a gate needs at least one condition, e.g. 'test_accuracy >= 0.95'");
    }
    Map<MetricSelector, double[]> bounds = new LinkedHashMap<>();
    Map<MetricSelector, Condition[]> sources = new LinkedHashMap<>();
    Map<MetricSelector, Condition> direction = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Condition c : conditions) {
      if (c.kind() == Kind.MLFLOW) {
        Condition other = direction.putIfAbsent(c.metric(), c);
        if (other != null && other.greaterIsBetter() != c.greaterIsBetter()) {
          problems.add(
              "conflicting thresholds: '"
                  + other
                  + "' and '"
                  + c
                  + "' disagree on greaterIsBetter");
        }
      }
      double lo;
      double hi;
      if (c.kind() == Kind.ABSOLUTE) {
        lo =
            switch (c.op()) {
              case GE, GT -> c.value();
              case EQ -> c.value() - c.tolerance();
              default -> Double.NEGATIVE_INFINITY;
            };
        hi =
            switch (c.op()) {
              case LE, LT -> c.value();
              case EQ -> c.value() + c.tolerance();
              default -> Double.POSITIVE_INFINITY;
            };
      } else if (c.kind() == Kind.MLFLOW && c.threshold() != null) {
        lo = c.greaterIsBetter() ? c.threshold() : Double.NEGATIVE_INFINITY;
        hi = c.greaterIsBetter() ? Double.POSITIVE_INFINITY : c.threshold();
      } else {
        continue;
      }
      boolean strictLo = c.kind() == Kind.ABSOLUTE && c.op() == Op.GT;
      boolean strictHi = c.kind() == Kind.ABSOLUTE && c.op() == Op.LT;
      double[] b =
          bounds.computeIfAbsent(
              c.metric(),
              k -> new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0, 0});
      Condition[] s = sources.computeIfAbsent(c.metric(), k -> new Condition[2]);
      if (lo > b[0] || (lo == b[0] && strictLo)) {
        b[0] = lo;
        b[2] = strictLo ? 1 : 0;
        s[0] = c;
      }
      if (hi < b[1] || (hi == b[1] && strictHi)) {
        b[1] = hi;
        b[3] = strictHi ? 1 : 0;
        s[1] = c;
      }
      if (b[0] > b[1] || (b[0] == b[1] && (b[2] == 1 || b[3] == 1))) {
        problems.add("conflicting thresholds: '" + s[0] + "' and '" + s[1] + "' cannot both hold");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems.stream().distinct().toList()));
    }
  }

  private static MetricSelector selector(String condition, String text) {
    Matcher m = SELECTOR.matcher(text.strip());
    if (!m.matches()) {
      throw bad(
          condition,
          "the metric ("
              + text.strip()
              + ") must be a metric name, min(name), max(name), last(name) or name@step");
    }
    if (m.group(1) != null) {
      Aggregate a = Aggregate.valueOf(m.group(1).toUpperCase(Locale.ROOT));
      return new MetricSelector(m.group(2), a, 0);
    }
    if (m.group(4) != null) {
      return new MetricSelector(m.group(3), Aggregate.STEP, Long.parseLong(m.group(4)));
    }
    return MetricSelector.last(m.group(3));
  }

  private static Op op(String symbol) {
    for (Op op : Op.values()) {
      if (op.symbol.equals(symbol)) {
        return op;
      }
    }
    throw new IllegalStateException(symbol);
  }

  private static double tolerance(String text, Op op, String tol) {
    if (tol == null) {
      return DEFAULT_TOLERANCE;
    }
    if (op != Op.EQ) {
      throw bad(text, "a tolerance (± " + tol + ") only goes with ==");
    }
    double t = finite(text, tol);
    if (t < 0) {
      throw bad(text, "the tolerance (" + tol + ") may not be negative");
    }
    return t;
  }

  private static double finite(String text, String number) {
    double d = Double.parseDouble(number);
    if (!Double.isFinite(d)) {
      throw bad(text, number + " is not a finite number");
    }
    return d;
  }

  private static Double optionalNumber(String shown, Map<String, ?> map, String key) {
    Object v = map.get(key);
    if (v == null) {
      return null;
    }
    double d;
    if (v instanceof Number n) {
      d = n.doubleValue();
    } else {
      try {
        d = Double.parseDouble(String.valueOf(v).strip());
      } catch (NumberFormatException e) {
        throw bad(shown, key + " (" + v + ") must be a number");
      }
    }
    if (!Double.isFinite(d)) {
      throw bad(shown, key + " (" + v + ") must be a finite number, not NaN or infinite");
    }
    return d;
  }

  private static String render(Map<String, ?> map) {
    StringBuilder b = new StringBuilder();
    Object metric = map.get("metric");
    b.append(metric == null ? "?" : metric).append(" {");
    boolean first = true;
    for (Map.Entry<String, ?> e : map.entrySet()) {
      if (e.getKey().equals("metric")) {
        continue;
      }
      b.append(first ? "" : ", ").append(e.getKey()).append(": ").append(e.getValue());
      first = false;
    }
    return b.append('}').toString();
  }

  private static IllegalArgumentException bad(String condition, String why) {
    return new IllegalArgumentException("condition '" + condition.strip() + "': " + why);
  }
}
