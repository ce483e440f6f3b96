package io.jenkins.plugins.mlops.tracking;

import io.jenkins.plugins.mlops.tracking.internal.Keys;

/**
 * MLflow's rules for metric, param and tag keys, for callers that build keys from names of their
 * own (TensorBoard tags, hyperparameter names): MLflow 3's, at most 250 characters of letters and
 * digits of any script, {@code _ - . / :} and spaces, and no path oddities. {@link RunLogger}
 * applies the same rules to what it is given.
 */
public final class MlflowKeys {

  private MlflowKeys() {}

  /** Why {@code key} is not a valid MLflow key, or {@code null} when it is. */
  public static String problem(String key) {
    return Keys.problem(key);
  }

  /**
   * A valid key as close to {@code key} as possible: other characters become {@code _}, path
   * oddities are removed, and an over-long key is cut, keeping a hash of the whole.
   */
  public static String sanitise(String key) {
    return Keys.sanitise(key);
  }
}
