package io.jenkins.plugins.mlops.tracking;

import io.jenkins.plugins.mlops.tracking.internal.FileTrackingClient;
import io.jenkins.plugins.mlops.tracking.internal.RestTrackingClient;
import java.net.URI;
import java.util.function.Consumer;

/**
 * The one way to talk to MLflow: a server over REST, or MLflow's file store on disk, behind the
 * same facets. Open one per tracking URI and share it: it is thread-safe. Closing it flushes and
 * stops background work it started.
 *
 * <pre>{@code
 * try (TrackingClient mlflow = TrackingClient.open(config, System.err::println)) {
 *   Experiment exp = mlflow.experiments().getOrCreate("digits");
 *   Run run = mlflow.runs().create(NewRun.of(exp.id(), "nightly"));
 *   mlflow.runs().logMetric(run.id(), new Metric("loss", 0.3, System.currentTimeMillis(), 1));
 *   mlflow.runs().terminate(run.id(), RunStatus.FINISHED, System.currentTimeMillis());
 * }
 * }</pre>
 */
public interface TrackingClient extends AutoCloseable {

  /**
   * Opens the store {@code config} names.
   *
   * @param console receives one line per notable event (retries, truncations, spooling); never a
   *     secret
   */
  static TrackingClient open(TrackingConfig config, Consumer<String> console) {
    if (config.isLocal()) {
      return new FileTrackingClient(config.localRoot(), console);
    }
    return new RestTrackingClient(config, console);
  }

  /** Where this client tracks (a server URI without credentials, or a {@code file:} URI). */
  URI trackingUri();

  /**
   * MLflow's environment variables that let a child process (a training worker, MLflow's Python
   * client in it) reach this store as this client does: the URI, the credentials, TLS, timeout and
   * retries (see {@link TrackingConfig#toEnvironment()}). Secrets are in plain text: put the map
   * only into a process environment, never into arguments, files or logs.
   */
  java.util.Map<String, String> childEnvironment();

  /** Experiments: get-or-create by name, find, read. */
  Experiments experiments();

  /** Runs: create, read, search, log, terminate. */
  Runs runs();

  /** Run artifacts through the server's artifact proxy. */
  Artifacts artifacts();

  /** The model registry: registered models, versions, aliases. */
  ModelRegistry registry();

  /**
   * A buffered, spooling writer into {@code runId}, flushed every {@code flushInterval} and
   * whenever 1000 points wait (see {@link RunLogger}).
   */
  RunLogger logger(String runId, java.time.Duration flushInterval);

  /** {@link #logger(String, java.time.Duration)} flushed every 2 seconds. */
  default RunLogger logger(String runId) {
    return logger(runId, java.time.Duration.ofSeconds(2));
  }

  /**
   * Replays every run's spooled requests (left by an earlier process that lost the server), in
   * order. Only requests this client's identity made (the same server address, and the same user or
   * token) are replayed; another identity's are named in a warning and left alone unless the
   * configuration allows them ({@code MLOPS_SPOOL_REPLAY_OTHERS=true}).
   *
   * @return how many requests were delivered
   * @throws MlflowException when the server is still unreachable; the spool keeps what is left
   */
  int replaySpool();

  @Override
  void close();
}
