package io.jenkins.plugins.mlops.steps.gate;

import java.util.Locale;

/**
 * One condition of a gate, parsed and checked ({@link Conditions#parse}): what metric, how its
 * value is taken, and what it must satisfy.
 *
 * @param text the condition as written (a map is rendered as {@code metric {threshold: …}})
 * @param metric the metric and how its value is taken (last, min, max or at a step)
 * @param kind absolute, relative to the baseline as an expression, or MLflow's {@code
 *     MetricThreshold}
 * @param op the comparison of {@link Kind#ABSOLUTE} and {@link Kind#BASELINE} conditions
 * @param value the constant of an absolute condition, the operand of a baseline expression ({@code
 *     baseline + value}, {@code baseline * value}); null for a plain {@code baseline}
 * @param baselineOp how the baseline is combined with {@code value}: '+', '-', '*' or 0 for none
 * @param tolerance how far {@code ==} may be off (absolute)
 * @param threshold MLflow's {@code threshold}; null for none
 * @param minAbsoluteChange MLflow's {@code min_absolute_change}; null for none
 * @param minRelativeChange MLflow's {@code min_relative_change}; null for none
 * @param greaterIsBetter MLflow's {@code greater_is_better}
 */
public record Condition(
    String text,
    MetricSelector metric,
    Kind kind,
    Op op,
    Double value,
    char baselineOp,
    double tolerance,
    Double threshold,
    Double minAbsoluteChange,
    Double minRelativeChange,
    boolean greaterIsBetter) {

  /** What a condition compares with. */
  public enum Kind {
    /** A constant: {@code test_accuracy >= 0.95}. */
    ABSOLUTE,
    /** The baseline's value of the metric: {@code test_loss <= baseline * 0.98}. */
    BASELINE,
    /** MLflow's {@code MetricThreshold}: {@code {metric, threshold, minAbsoluteChange, …}}. */
    MLFLOW
  }

  /** A comparison. */
  public enum Op {
    GE(">="),
    GT(">"),
    LE("<="),
    LT("<"),
    EQ("==");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    /** Whether {@code a op b} holds ({@code ==} within {@code tolerance}). */
    boolean test(double a, double b, double tolerance) {
      return switch (this) {
        case GE -> a >= b;
        case GT -> a > b;
        case LE -> a <= b;
        case LT -> a < b;
        case EQ -> Math.abs(a - b) <= tolerance;
      };
    }

    /** The symbol, e.g. {@code >=}. */
    public String symbol() {
      return symbol;
    }
  }

  /** Whether the condition needs a baseline value. */
  public boolean needsBaseline() {
    return kind == Kind.BASELINE
        || (kind == Kind.MLFLOW && (minAbsoluteChange != null || minRelativeChange != null));
  }

  @Override
  public String toString() {
    return text;
  }

  static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return String.format(Locale.ROOT, "%.1f", d);
    }
    return Double.toString(d);
  }
}
