package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.RunLogger;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import io.jenkins.plugins.mlops.tracking.Runs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link RunLogger} over REST with a spool. All sending happens on one background thread, so
 * requests leave in the order they were made; callers never wait on the network except in {@link
 * #flush()}, {@link #finish} and {@link #close()}. Memory stays bounded at {@link #SPILL_AT} unsent
 * points: past it, a caller waits while the server is merely slower than the training loop, and
 * moves the points to the spool on disk while the server is unreachable.
 */
final class BufferedRunLogger implements RunLogger {

  /** Points that trigger a send: the server's per-request metric limit. */
  static final int SEND_AT = BatchSplitter.MAX_METRICS;

  /**
   * Unsent points at which a caller waits for the sender (server slower than the training loop),
   * or, while the server is unreachable, moves them to the spool: either way memory stays bounded.
   */
  static final int SPILL_AT = 200_000;

  private final String runId;
  private final BatchSender sender;
  private final Spool spool;
  private final Runs runs;
  private final Consumer<String> console;
  private final ScheduledExecutorService flusher;
  private final int spillAt;

  private final Object lock = new Object();
  private List<Metric> metrics = new ArrayList<>();
  private Map<String, String> params = new LinkedHashMap<>();
  private Map<String, String> tags = new LinkedHashMap<>();
  private boolean sendScheduled;
  private boolean outage;
  private MlflowException failure;

  private final LogRules rules;

  BufferedRunLogger(
      String runId,
      BatchSender sender,
      Spool spool,
      Runs runs,
      Duration interval,
      Consumer<String> console) {
    this(runId, sender, spool, runs, interval, console, SPILL_AT);
  }

  BufferedRunLogger(
      String runId,
      BatchSender sender,
      Spool spool,
      Runs runs,
      Duration interval,
      Consumer<String> console,
      int spillAt) {
    this.spillAt = spillAt;
    this.rules = new LogRules(console);
    this.runId = runId;
    this.sender = sender;
    this.spool = spool;
    this.runs = runs;
    this.console = console;
    this.flusher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "mlflow-logger-" + runId);
              thread.setDaemon(true);
              return thread;
            });
    long millis = interval.toMillis();
    flusher.scheduleWithFixedDelay(this::sendQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public String runId() {
    return runId;
  }

  @Override
  public void logMetric(Metric metric) {
    Metric clean = rules.metric(metric);
    List<Metric> spill = null;
    synchronized (lock) {
      while (metrics.size() >= spillAt && !outage && !flusher.isShutdown()) {
        awaitSender(); // back-pressure: the server is up but slower than the caller
      }
      metrics.add(clean);
      if (outage && metrics.size() >= spillAt) {
        spill = metrics;
        metrics = new ArrayList<>();
      } else if (!outage && metrics.size() >= SEND_AT && !sendScheduled) {
        // In an outage the timed flush probes the server; size-triggered sends would only burn
        // retries, and the caller spools at the spill threshold instead.
        sendScheduled = true;
        flusher.execute(this::sendQuietly);
      }
    }
    if (spill != null) {
      console.accept(
          "mlflow: "
              + spill.size()
              + " points of run "
              + runId
              + " wait for the server; spooling them");
      spool.append(runId, BatchSplitter.split(runId, spill, Map.of(), Map.of()));
    }
  }

  @Override
  public void logParam(String key, String value) {
    rules
        .param(key, value)
        .ifPresent(
            param -> {
              synchronized (lock) {
                params.put(param.getKey(), param.getValue());
              }
            });
  }

  @Override
  public void setTag(String key, String value) {
    Map.Entry<String, String> tag = rules.tag(key, value);
    synchronized (lock) {
      tags.put(tag.getKey(), tag.getValue());
    }
  }

  @Override
  public void flush() {
    if (flusher.isShutdown()) {
      throwFailure(); // closed: everything was sent or spooled when it closed
      return;
    }
    try {
      flusher.submit(this::sendNow).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MlflowException("interrupted while flushing run " + runId, 0, "INTERRUPTED", "", e);
    }
    throwFailure();
  }

  private void throwFailure() {
    synchronized (lock) {
      if (failure != null) {
        MlflowException reported = failure;
        failure = null;
        throw reported;
      }
    }
  }

  @Override
  public int spooled() {
    return spool.pending(runId);
  }

  @Override
  public java.nio.file.Path spoolDir() {
    return spool.dir();
  }

  @Override
  public void finish(RunStatus status) {
    flush();
    runs.terminate(runId, status, System.currentTimeMillis());
    close();
  }

  @Override
  public void close() {
    if (flusher.isShutdown()) {
      return;
    }
    try {
      flush();
    } finally {
      flusher.shutdown();
      try {
        if (!flusher.awaitTermination(1, TimeUnit.MINUTES)) {
          flusher.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        flusher.shutdownNow();
      }
    }
  }

  /** Waits (holding no lock but {@code lock}'s monitor) until the sender takes the buffer. */
  private void awaitSender() {
    try {
      lock.wait(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MlflowException(
          "interrupted while waiting to log into run " + runId, 0, "INTERRUPTED", "", e);
    }
  }

  private void setOutage(boolean value) {
    synchronized (lock) {
      outage = value;
      lock.notifyAll();
    }
  }

  private void sendQuietly() {
    try {
      sendNow();
    } catch (RuntimeException e) {
      // Caught whatever it is: an escaping exception would cancel the timed flushes for good.
      MlflowException failed =
          e instanceof MlflowException m
              ? m
              : new MlflowException(
                  "logging into run " + runId + " failed: " + e, 0, "LOGGER", "", e);
      synchronized (lock) {
        failure = failed;
      }
      console.accept("mlflow: logging into run " + runId + " failed: " + failed.getMessage());
    }
  }

  /** Runs on the flusher thread only. */
  private void sendNow() {
    List<ObjectNode> bodies;
    synchronized (lock) {
      sendScheduled = false;
      if (metrics.isEmpty() && params.isEmpty() && tags.isEmpty() && spool.pending(runId) == 0) {
        return;
      }
      bodies = BatchSplitter.split(runId, metrics, params, tags);
      metrics = new ArrayList<>();
      params = new LinkedHashMap<>();
      tags = new LinkedHashMap<>();
      lock.notifyAll();
    }
    deliver(bodies);
  }

  private void deliver(List<ObjectNode> bodies) {
    try {
      if (spool.pending(runId) > 0) {
        spool.drain(runId, sender::send);
      }
    } catch (MlflowException e) {
      keep(bodies, e); // only requests worth keeping escape a drain
      return;
    }
    for (int i = 0; i < bodies.size(); i++) {
      try {
        sender.send(bodies.get(i));
      } catch (MlflowException e) {
        if (e.isWorthKeeping()) {
          keep(bodies.subList(i, bodies.size()), e);
          return;
        }
        // Refused for good (e.g. the run was deleted): kept aside, never silently dropped.
        spool.reject(runId, bodies.get(i), e.getMessage());
        recordFailure(e);
      }
    }
    setOutage(false);
  }

  /** Spools requests that may succeed later; refused credentials are also reported. */
  private void keep(List<ObjectNode> bodies, MlflowException e) {
    spool.append(runId, bodies);
    setOutage(true);
    console.accept(
        "mlflow: "
            + (e.isTransient() ? "server unreachable" : "credentials refused")
            + "; "
            + bodies.size()
            + " request(s) of run "
            + runId
            + " spooled in "
            + spool.dir()
            + " for replay");
    if (!e.isTransient()) {
      recordFailure(e);
    }
  }

  private void recordFailure(MlflowException e) {
    synchronized (lock) {
      failure = e;
    }
  }
}
