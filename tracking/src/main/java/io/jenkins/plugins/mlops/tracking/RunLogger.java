package io.jenkins.plugins.mlops.tracking;

/**
 * A buffered writer into one run, for training loops: calls return at once, and a background thread
 * sends {@code log-batch} requests within the server's limits, when 1000 points are waiting or
 * every flush interval. It never fails the run over what it is given: invalid metric, param and tag
 * keys are sanitised (each mapping reported once), over-long values are cut with a warning, and a
 * param that would change an already logged value is dropped with a warning.
 *
 * <p>Nothing is lost: while the server is unreachable, requests go to the spool (one file per run)
 * and are replayed in order when it answers again. {@link #finish} sets the run's final status only
 * after the spool has drained. Thread-safe; close it (or finish it) when done.
 */
public interface RunLogger extends AutoCloseable {

  /** The run this logger writes into. */
  String runId();

  /** Logs a metric point at the current time. */
  default void logMetric(String key, double value, long step) {
    logMetric(new Metric(key, value, System.currentTimeMillis(), step));
  }

  /** Logs a metric point. */
  void logMetric(Metric metric);

  /** Logs a parameter. */
  void logParam(String key, String value);

  /** Sets a tag. */
  void setTag(String key, String value);

  /**
   * Sends everything buffered so far (or spools it while the server is unreachable) and waits.
   *
   * @throws MlflowException when the server refused data for a reason a retry cannot fix (e.g. the
   *     run was deleted); the message says what was not logged
   */
  void flush();

  /** How many requests wait in the spool for this run (not on the server yet). */
  int spooled();

  /**
   * The folder where this logger's spooled requests wait ({@code <runId>.jsonl}), to name in a
   * message; {@code null} for MLflow's file store, which never spools.
   */
  java.nio.file.Path spoolDir();

  /**
   * Flushes, replays the spool, then ends the run with {@code status}.
   *
   * @throws MlflowException when the spool cannot drain (the server is still unreachable): the
   *     status is then not set, and the spool keeps every request for a later replay
   */
  void finish(RunStatus status);

  /** Flushes and stops the background thread; does not end the run. */
  @Override
  void close();
}
