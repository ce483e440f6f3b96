package io.jenkins.plugins.mlops.tensorboard;

/**
 * Receives what a log directory holds, in file order, one call per value. Scalars come with
 * primitives so that reading millions of points allocates nothing per point. Every method but
 * {@link #scalar} has a no-op default.
 *
 * <p>{@code run} is the run's directory relative to the log directory ({@code "."} for the log
 * directory itself); {@code wallTime} is in seconds since the epoch, as TensorBoard writes it.
 */
public interface EventVisitor {

  /** A scalar point, whatever encoding its writer used. */
  void scalar(String run, String tag, long step, double wallTime, double value);

  /** A histogram (TF1 {@code HistogramProto} or a TF2 {@code histograms} tensor). */
  default void histogram(String run, String tag, long step, double wallTime, Histogram histogram) {}

  /** One image ({@code Summary.Image} or one of the images of a TF2 {@code images} tensor). */
  default void image(String run, String tag, long step, double wallTime, Image image) {}

  /** A text summary (TF2 {@code text} plugin). */
  default void text(String run, String tag, long step, double wallTime, String text) {}

  /**
   * A {@code SessionLog.START} at {@code step}. TensorBoard reads every START after the first in a
   * run (of file version 2 or later) as a restart that orphans the run's earlier points at {@code
   * step} or later; {@link OrphanedSteps} applies that rule.
   */
  default void sessionStart(String run, long step, double wallTime) {}

  /** The first record of a file: {@code version} is e.g. {@code "brain.Event:2"}. */
  default void fileVersion(String run, String version) {}
}
