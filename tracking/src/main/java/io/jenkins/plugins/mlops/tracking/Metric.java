package io.jenkins.plugins.mlops.tracking;

import java.util.Objects;

/**
 * One metric point.
 *
 * @param key the metric name
 * @param value its value (NaN and infinities are allowed, as in MLflow)
 * @param timestamp milliseconds since the epoch
 * @param step the training step
 */
public record Metric(String key, double value, long timestamp, long step) {

  public Metric {
    Objects.requireNonNull(key, "key");
  }
}
