package io.jenkins.plugins.mlops.steps.data;

import java.util.List;

/**
 * The prepared data broke a rule of {@link DataChecks} (or drifted beyond a failing threshold):
 * nothing was published. {@link #problems()} lists every rule that failed, in words.
 */
public final class DataCheckException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;
  private final transient DriftReport drift;

  public DataCheckException(List<String> problems, DriftReport drift) {
    super("the prepared data failed its checks: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
    this.drift = drift;
  }

  /** Each failed rule, in a sentence. */
  public List<String> problems() {
    return problems;
  }

  /** The drift report, or null when no previous manifest was given. */
  public DriftReport drift() {
    return drift;
  }
}
