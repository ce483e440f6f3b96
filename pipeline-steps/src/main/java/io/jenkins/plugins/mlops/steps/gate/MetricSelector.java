package io.jenkins.plugins.mlops.steps.gate;

/**
 * Which value of a metric a condition uses: the last one (MLflow's latest value, the default), the
 * smallest or largest of its history, or the value at one step.
 *
 * @param name the metric's name in MLflow
 * @param aggregate how the value is taken
 * @param step the step, for {@link Aggregate#STEP}
 */
public record MetricSelector(String name, Aggregate aggregate, long step) {

  /** How a metric's value is taken. */
  public enum Aggregate {
    LAST,
    MIN,
    MAX,
    STEP
  }

  /** The last value of {@code name}. */
  public static MetricSelector last(String name) {
    return new MetricSelector(name, Aggregate.LAST, 0);
  }

  @Override
  public String toString() {
    return switch (aggregate) {
      case LAST -> name;
      case MIN -> "min(" + name + ")";
      case MAX -> "max(" + name + ")";
      case STEP -> name + "@" + step;
    };
  }
}
