package io.jenkins.plugins.mlops.tracking.internal;

import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.RunLogger;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import io.jenkins.plugins.mlops.tracking.Runs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@link RunLogger} for the file store: the same input rules as the server's logger, points
 * buffered in memory and appended to the metric files in batches of {@link
 * BatchSplitter#MAX_METRICS}. There is no spool: the disk is the store.
 */
final class LocalRunLogger implements RunLogger {

  private final String runId;
  private final Runs runs;
  private final LogRules rules;
  private final List<Metric> buffer = new ArrayList<>();
  private final Duration interval;
  private final Consumer<String> console;
  private long lastFlush = System.nanoTime();

  LocalRunLogger(
      String runId, Runs runs, LogRules rules, Duration interval, Consumer<String> console) {
    this.runId = runId;
    this.runs = runs;
    this.rules = rules;
    this.interval = interval;
    this.console = console;
  }

  @Override
  public String runId() {
    return runId;
  }

  @Override
  public synchronized void logMetric(Metric metric) {
    buffer.add(rules.metric(metric));
    if (buffer.size() >= BatchSplitter.MAX_METRICS
        || System.nanoTime() - lastFlush >= interval.toNanos()) {
      flush();
    }
  }

  @Override
  public void logParam(String key, String value) {
    rules
        .param(key, value)
        .ifPresent(
            p -> {
              try {
                runs.logParam(runId, p.getKey(), p.getValue());
              } catch (MlflowException e) {
                if (!e.errorCode().equals("INVALID_PARAMETER_VALUE")) {
                  throw e;
                }
                console.accept(
                    "mlflow: param '" + p.getKey() + "' was not logged: " + e.getMessage());
              }
            });
  }

  @Override
  public void setTag(String key, String value) {
    Map.Entry<String, String> tag = rules.tag(key, value);
    runs.setTag(runId, tag.getKey(), tag.getValue());
  }

  @Override
  public synchronized void flush() {
    if (!buffer.isEmpty()) {
      runs.logBatch(runId, List.copyOf(buffer), Map.of(), Map.of());
      buffer.clear();
    }
    lastFlush = System.nanoTime();
  }

  @Override
  public int spooled() {
    return 0;
  }

  @Override
  public java.nio.file.Path spoolDir() {
    return null;
  }

  @Override
  public void finish(RunStatus status) {
    flush();
    runs.terminate(runId, status, System.currentTimeMillis());
  }

  @Override
  public void close() {
    flush();
  }
}
