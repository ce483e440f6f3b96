package io.jenkins.plugins.mlops.steps.gate;

/**
 * One condition's verdict.
 *
 * @param condition the condition as written
 * @param metric the metric and how its value was taken
 * @param candidate the candidate's value; null when the candidate lacks the metric
 * @param baseline the baseline's value; null when there is none
 * @param threshold the value the candidate was compared with (for MLflow conditions the strictest
 *     of their checks); null when nothing was compared
 * @param delta the candidate minus the baseline, or minus the threshold when there is no baseline
 * @param status pass, fail, or not checked for want of a baseline
 * @param reason the verdict in a sentence
 */
public record GateRow(
    String condition,
    String metric,
    Double candidate,
    Double baseline,
    Double threshold,
    Double delta,
    Status status,
    String reason) {

  /** A condition's verdict. */
  public enum Status {
    PASS,
    FAIL,
    /** It compares with a baseline and there is none (a first run); not checked. */
    NO_BASELINE
  }
}
