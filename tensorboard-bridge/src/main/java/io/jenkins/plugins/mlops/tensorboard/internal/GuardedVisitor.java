package io.jenkins.plugins.mlops.tensorboard.internal;

import io.jenkins.plugins.mlops.tensorboard.EventVisitor;
import io.jenkins.plugins.mlops.tensorboard.Histogram;
import io.jenkins.plugins.mlops.tensorboard.Image;

/**
 * Marks exceptions thrown by a caller's visitor as {@link Failure}, so that the reader's guard
 * against malformed records lets them through instead of counting them as a corrupt record.
 */
public final class GuardedVisitor implements EventVisitor {

  /** An exception thrown by the caller's visitor; {@link #getCause()} is the original. */
  public static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(RuntimeException cause) {
      super(cause);
    }

    /** The visitor's own exception. */
    public RuntimeException original() {
      return (RuntimeException) getCause();
    }
  }

  private final EventVisitor delegate;

  public GuardedVisitor(EventVisitor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void scalar(String run, String tag, long step, double wallTime, double value) {
    try {
      delegate.scalar(run, tag, step, wallTime, value);
    } catch (RuntimeException e) {
      throw new Failure(e);
    }
  }

  @Override
  public void histogram(String run, String tag, long step, double wallTime, Histogram histogram) {
    try {
      delegate.histogram(run, tag, step, wallTime, histogram);
    } catch (RuntimeException e) {
      throw new Failure(e);
    }
  }

  @Override
  public void image(String run, String tag, long step, double wallTime, Image image) {
    try {
      delegate.image(run, tag, step, wallTime, image);
    } catch (RuntimeException e) {
      throw new Failure(e);
    }
  }

  @Override
  public void text(String run, String tag, long step, double wallTime, String text) {
    try {
      delegate.text(run, tag, step, wallTime, text);
    } catch (RuntimeException e) {
      throw new Failure(e);
    }
  }

  @Override
  public void sessionStart(String run, long step, double wallTime) {
    try {
      delegate.sessionStart(run, step, wallTime);
    } catch (RuntimeException e) {
      throw new Failure(e);
    }
  }

  @Override
  public void fileVersion(String run, String version) {
    try {
      delegate.fileVersion(run, version);
    } catch (RuntimeException e) {
      throw new Failure(e);
    }
  }
}
