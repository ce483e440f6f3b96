package io.jenkins.plugins.mlops.tensorboard;

import java.util.Objects;

/**
 * One scalar point of a log directory.
 *
 * @param run the run's directory relative to the log directory ({@code "."} for the log directory)
 * @param tag the summary tag, e.g. {@code epoch_loss}
 * @param wallTime seconds since the epoch, as written
 */
public record ScalarPoint(String run, String tag, long step, double wallTime, double value) {

  public ScalarPoint {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(tag, "tag");
  }
}
