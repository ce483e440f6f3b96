package io.jenkins.plugins.mlops.steps.gate;

import io.jenkins.plugins.mlops.steps.gate.Condition.Kind;
import io.jenkins.plugins.mlops.steps.gate.GateRow.Status;
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
      return new GateRow(
          c.text(),
          metric,
          null,
          baseline,
          null,
          null,
          Status.FAIL,
          "the candidate run has no " + metric + ", so it cannot pass");
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
    double rhs =
        switch (c.baselineOp()) {
          case '+' -> base + c.value();
          case '-' -> base - c.value();
          case '*' -> base * c.value();
          default -> base;
        };
    String expr =
        c.baselineOp() == 0
            ? "the baseline's " + fmt(base)
            : "baseline "
                + fmt(base)
                + " "
                + c.baselineOp()
                + " "
                + fmt(c.value())
                + " = "
                + fmt(rhs);
    boolean ok = c.op().test(cand, rhs, c.tolerance());
    String reason =
        metric
            + " = "
            + fmt(cand)
            + (ok ? " is " : " is not ")
            + c.op().symbol()
            + " "
            + expr
            + " (change "
            + signed(cand - base)
            + ")";
    return new GateRow(
        c.text(), metric, cand, base, rhs, cand - base, ok ? Status.PASS : Status.FAIL, reason);
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
        (ok ? passed : failed)
            .add(
                String.format(
                    Locale.ROOT,
                    "relative change %s%.4g%% from baseline %s (needs at least %.4g%%)",
                    change >= 0 ? "+" : "",
                    change * 100,
                    fmt(base),
                    c.minRelativeChange() * 100));
        double need =
            greater
                ? base + c.minRelativeChange() * Math.abs(base)
                : base - c.minRelativeChange() * Math.abs(base);
        strictest = stricter(strictest, need, greater);
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
            : "no baseline model yet (a first run): the change is not checked");
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

  static String fmt(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    String s = String.format(Locale.ROOT, "%.6g", d);
    if (s.contains("e")) {
      return s;
    }
    s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    return s;
  }

  private static String signed(double d) {
    return (d >= 0 ? "+" : "") + fmt(d);
  }
}
