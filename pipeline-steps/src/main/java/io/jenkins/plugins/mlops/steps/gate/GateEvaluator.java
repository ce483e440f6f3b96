package io.jenkins.plugins.mlops.steps.gate;

import io.jenkins.plugins.mlops.steps.gate.Condition.Kind;
import io.jenkins.plugins.mlops.steps.gate.GateRow.Status;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The verdict of one condition on values, without MLflow: the part whose semantics must be exact.
 * {@link Kind#MLFLOW} conditions follow {@code mlflow.models.evaluation.validation._validate} of
 * the pinned MLflow check by check (inclusive comparisons, the relative change divided by the
 * baseline's magnitude, a baseline of 0 asking for "strictly better by 1e-10", a missing candidate
 * or baseline value failing).
 */
public final class GateEvaluator {

  /** MLflow's step when the relative change cannot be computed (baseline 0). */
  static final double ZERO_BASELINE_STEP = 1e-10;

  /** The reason of a {@link Status#NO_BASELINE} row, which the gate completes with its note. */
  static final String NO_BASELINE_REASON = "no baseline model yet: the change is not checked";

  private GateEvaluator() {}

  /**
   * The verdict of {@code c}.
   *
   * @param candidate the candidate's value, null when missing
   * @param baseline the baseline's value, null when missing
   * @param hasBaseline whether there is a baseline model at all (false for a first run: conditions
   *     that need one are {@link Status#NO_BASELINE}); when there is one and it lacks the metric,
   *     they fail
   */
  public static GateRow evaluate(
      Condition c, Double candidate, Double baseline, boolean hasBaseline) {
    String metric = c.metric().toString();
    if (candidate == null) {
      return failed(
          c, candidate, baseline, "the candidate run has no " + metric + ", so it cannot pass");
    }
    if (Double.isNaN(candidate)) {
      return failed(
          c,
          candidate,
          baseline,
          "the candidate's "
              + metric
              + " is NaN, which no condition can compare, so it cannot pass");
    }
    if (baseline != null && Double.isNaN(baseline) && c.needsBaseline()) {
      // MLflow compares NaN and lets the change pass (every comparison with NaN is false, and its
      // checks ask "did it fail?"); a baseline that is not a number proves nothing, so we fail.
      return failed(
          c,
          candidate,
          baseline,
          "the baseline's " + metric + " is NaN, so the change cannot be checked");
    }
    return switch (c.kind()) {
      case ABSOLUTE -> absolute(c, metric, candidate, baseline);
      case BASELINE -> relative(c, metric, candidate, baseline, hasBaseline);
      case MLFLOW -> mlflow(c, metric, candidate, baseline, hasBaseline);
    };
  }

  private static GateRow absolute(Condition c, String metric, double cand, Double base) {
    double t = c.value();
    boolean ok = c.op().test(cand, t, c.tolerance());
    String rhs = fmt(t) + (c.op() == Condition.Op.EQ ? " ± " + fmt(c.tolerance()) : "");
    String reason =
        ok
            ? metric + " = " + fmt(cand) + " is " + c.op().symbol() + " " + rhs
            : metric
                + " = "
                + fmt(cand)
                + " is not "
                + c.op().symbol()
                + " "
                + rhs
                + " (off by "
                + fmt(Math.abs(cand - t))
                + ")";
    return new GateRow(
        c.text(), metric, cand, base, t, cand - t, ok ? Status.PASS : Status.FAIL, reason);
  }

  private static GateRow relative(
      Condition c, String metric, double cand, Double base, boolean hasBaseline) {
    if (base == null) {
      return missingBaseline(c, metric, cand, hasBaseline);
    }
    double rhs = baselineSide(c, base);
    String expr;
    if (c.baselineOp() == 0) {
      expr = "the baseline's " + fmt(base);
    } else if (c.baselineOp() == '*' && base == 0 && asksForImprovement(c)) {
      expr =
          "baseline 0 * "
              + fmt(c.value())
              + ", which asks for strictly "
              + (rhs > 0 ? "more" : "less")
              + " than 0 as MLflow does for a zero baseline: "
              + fmt(rhs);
    } else if (c.baselineOp() == '*' && base < 0) {
      expr =
          "baseline "
              + fmt(base)
              + " * "
              + fmt(c.value())
              + " taken over its magnitude ("
              + fmt(base)
              + " + ("
              + fmt(c.value())
              + " - 1) * "
              + fmt(Math.abs(base))
              + ") = "
              + fmt(rhs);
    } else {
      expr =
          "baseline " + fmt(base) + " " + c.baselineOp() + " " + fmt(c.value()) + " = " + fmt(rhs);
    }
    boolean ok = c.op().test(cand, rhs, c.tolerance());
    String reason =
        metric
            + " = "
            + fmt(cand)
            + (ok ? " is " : " is not ")
            + c.op().symbol()
            + " "
            + expr
            + (c.op() == Condition.Op.EQ ? " ± " + fmt(c.tolerance()) : "")
            + " (change "
            + signed(cand - base)
            + ")";
    return new GateRow(
        c.text(), metric, cand, base, rhs, cand - base, ok ? Status.PASS : Status.FAIL, reason);
  }

  /**
   * The value a baseline condition compares with. {@code baseline * k} scales the baseline's
   * magnitude, as MLflow's relative change does: {@code baseline + (k - 1) * |baseline|}, so that
   * {@code >= baseline * 1.1} asks for 10 % more for a negative baseline too (-0.9 for -1, not
   * -1.1). For a baseline of 0, a factor that asks for an improvement asks for strictly better by
   * MLflow's step of 1e-10, as MLflow's relative change does there.
   */
  static double baselineSide(Condition c, double base) {
    return switch (c.baselineOp()) {
      case '+' -> base + c.value();
      case '-' -> base - c.value();
      case '*' -> {
        if (base == 0 && asksForImprovement(c)) {
          yield c.op() == Condition.Op.GE || c.op() == Condition.Op.GT
              ? ZERO_BASELINE_STEP
              : -ZERO_BASELINE_STEP;
        }
        // base * k where that already scales the magnitude, so positive baselines compare with
        // exactly the number they always did.
        yield base > 0 ? base * c.value() : base + (c.value() - 1) * Math.abs(base);
      }
      default -> base;
    };
  }

  /** Whether a {@code baseline * k} condition asks for better than the baseline. */
  private static boolean asksForImprovement(Condition c) {
    return switch (c.op()) {
      case GE, GT -> c.value() > 1;
      case LE, LT -> c.value() < 1;
      case EQ -> false;
    };
  }

  private static GateRow mlflow(
      Condition c, String metric, double cand, Double base, boolean hasBaseline) {
    boolean greater = c.greaterIsBetter();
    String cmp = greater ? ">=" : "<=";
    List<String> failed = new ArrayList<>();
    List<String> passed = new ArrayList<>();
    Double strictest = null;
    if (c.threshold() != null) {
      double t = c.threshold();
      boolean ok = greater ? cand >= t : cand <= t;
      (ok ? passed : failed)
          .add("value " + fmt(cand) + (ok ? " " : " not ") + cmp + " threshold " + fmt(t));
      strictest = t;
    }
    // MLflow looks for the baseline only when a non-zero change is asked for; with a zero relative
    // change and no baseline value it raises instead of passing, so any change asked for needs one.
    boolean wantsChange = c.minRelativeChange() != null || c.minAbsoluteChange() != null;
    if (wantsChange && base == null) {
      if (!hasBaseline && failed.isEmpty()) {
        GateRow row = missingBaseline(c, metric, cand, false);
        return passed.isEmpty()
            ? row
            : new GateRow(
                row.condition(),
                metric,
                cand,
                null,
                strictest,
                null,
                row.status(),
                String.join("; ", passed) + "; " + row.reason());
      }
      failed.add(
          hasBaseline
              ? "the baseline run has no " + metric + " to compare with"
              : "there is no baseline to compare with");
      return new GateRow(
          c.text(),
          metric,
          cand,
          null,
          strictest,
          strictest == null ? null : cand - strictest,
          Status.FAIL,
          sentence(metric, passed, failed));
    }
    if (c.minAbsoluteChange() != null && base != null) {
      double need = greater ? base + c.minAbsoluteChange() : base - c.minAbsoluteChange();
      boolean ok = greater ? cand >= need : cand <= need;
      (ok ? passed : failed)
          .add(
              "absolute change "
                  + signed(cand - base)
                  + " from baseline "
                  + fmt(base)
                  + (ok ? "" : " short of")
                  + " (needs "
                  + cmp
                  + " "
                  + fmt(need)
                  + ")");
      strictest = stricter(strictest, need, greater);
    }
    if (c.minRelativeChange() != null && base != null) {
      if (base == 0) {
        double need = greater ? base + ZERO_BASELINE_STEP : base - ZERO_BASELINE_STEP;
        boolean ok = greater ? cand >= need : cand <= need;
        (ok ? passed : failed)
            .add(
                "baseline is 0, so the relative change asks for strictly "
                    + (greater ? "more" : "less")
                    + " ("
                    + cmp
                    + " "
                    + fmt(need)
                    + ")");
        strictest = stricter(strictest, need, greater);
      } else {
        double change = greater ? (cand - base) / Math.abs(base) : (base - cand) / Math.abs(base);
        boolean ok = !(change < c.minRelativeChange());
        double about =
            greater
                ? base + c.minRelativeChange() * Math.abs(base)
                : base - c.minRelativeChange() * Math.abs(base);
        // The numbers compared are the relative change and the minimum, so the sentence prints
        // those (the value the metric needs is only about that, and is not the threshold compared).
        (ok ? passed : failed)
            .add(
                "relative change "
                    + signed(change)
                    + " ("
                    + percent(change)
                    + ") from baseline "
                    + fmt(base)
                    + (ok ? " is at least " : " is less than ")
                    + fmt(c.minRelativeChange())
                    + " ("
                    + percent(c.minRelativeChange())
                    + "; about "
                    + cmp
                    + " "
                    + fmt(about)
                    + ")");
      }
    }
    Double delta =
        base != null ? Double.valueOf(cand - base) : strictest == null ? null : cand - strictest;
    return new GateRow(
        c.text(),
        metric,
        cand,
        base,
        strictest,
        delta,
        failed.isEmpty() ? Status.PASS : Status.FAIL,
        sentence(metric, passed, failed));
  }

  private static GateRow missingBaseline(
      Condition c, String metric, double cand, boolean hasBaseline) {
    return new GateRow(
        c.text(),
        metric,
        cand,
        null,
        null,
        null,
        hasBaseline ? Status.FAIL : Status.NO_BASELINE,
        hasBaseline
            ? "the baseline run has no "
                + metric
                + " to compare with, so the change cannot be checked"
            : NO_BASELINE_REASON);
  }

  private static Double stricter(Double a, double b, boolean greater) {
    if (a == null) {
      return b;
    }
    return greater ? Math.max(a, b) : Math.min(a, b);
  }

  private static String sentence(String metric, List<String> passed, List<String> failed) {
    if (failed.isEmpty()) {
      return metric + ": " + String.join("; ", passed);
    }
    return metric
        + " fails: "
        + String.join("; ", failed)
        + (passed.isEmpty() ? "" : " (passed: " + String.join("; ", passed) + ")");
  }

  /**
   * The shortest decimal that reads back as exactly {@code d}, so that a sentence never shows two
   * different numbers as equal ("0.95 is not >= 0.95"): 0.9499999 stays 0.9499999.
   */
  static String fmt(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return Double.toString(d);
    }
    if (d == 0) {
      return "0";
    }
    BigDecimal exact = new BigDecimal(d);
    for (int digits = 1; digits <= 17; digits++) {
      BigDecimal rounded = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == d) {
        BigDecimal plain = rounded.stripTrailingZeros();
        int exponent = plain.precision() - plain.scale() - 1;
        return exponent >= -6 && exponent < 16
            ? plain.toPlainString()
            : plain.toString().replace("E+", "e+").replace("E-", "e-");
      }
    }
    return Double.toString(d);
  }

  private static String percent(double ratio) {
    return String.format(Locale.ROOT, "%+.2f%%", ratio * 100);
  }

  private static String signed(double d) {
    return (d >= 0 ? "+" : "") + fmt(d);
  }

  /** A failed row that compared nothing, with its reason. */
  private static GateRow failed(Condition c, Double candidate, Double baseline, String reason) {
    return new GateRow(
        c.text(), c.metric().toString(), candidate, baseline, null, null, Status.FAIL, reason);
  }
}
