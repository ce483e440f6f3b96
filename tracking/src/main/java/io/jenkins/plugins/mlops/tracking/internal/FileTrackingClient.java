package io.jenkins.plugins.mlops.tracking.internal;

import io.jenkins.plugins.mlops.tracking.Artifacts;
import io.jenkins.plugins.mlops.tracking.Experiments;
import io.jenkins.plugins.mlops.tracking.ModelRegistry;
import io.jenkins.plugins.mlops.tracking.RunLogger;
import io.jenkins.plugins.mlops.tracking.Runs;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A {@link TrackingClient} over MLflow's file-store layout ({@code ./mlruns}): {@code mlflow ui}
 * and {@code mlflow.search_runs} read it (with {@code MLFLOW_ALLOW_FILE_STORE=true}), and {@code
 * mlflow migrate-filestore} moves it to a database later.
 */
public final class FileTrackingClient implements TrackingClient {

  private final FileStore store;
  private final FileExperiments experiments;
  private final FileRuns runs;
  private final FileArtifacts artifacts;
  private final FileModelRegistry registry;
  private final Consumer<String> console;

  public FileTrackingClient(Path root, Consumer<String> console) {
    this.store = new FileStore(root);
    this.experiments = new FileExperiments(store);
    this.runs = new FileRuns(store);
    this.artifacts = new FileArtifacts(runs);
    this.registry = new FileModelRegistry(store);
    this.console = console;
    store.ensureCreated();
  }

  @Override
  public URI trackingUri() {
    return store.root().toUri();
  }

  @Override
  public java.util.Map<String, String> childEnvironment() {
    String uri = trackingUri().toString();
    return java.util.Map.of(
        "MLFLOW_TRACKING_URI", uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri);
  }

  @Override
  public Experiments experiments() {
    return experiments;
  }

  @Override
  public Runs runs() {
    return runs;
  }

  @Override
  public Artifacts artifacts() {
    return artifacts;
  }

  @Override
  public ModelRegistry registry() {
    return registry;
  }

  @Override
  public RunLogger logger(String runId, Duration flushInterval) {
    RestRuns.requireRunId(runId);
    runs.get(runId);
    return new LocalRunLogger(runId, runs, new LogRules(console), flushInterval, console);
  }

  @Override
  public int replaySpool() {
    return 0; // a local store never spools
  }

  @Override
  public void close() {
    // nothing held open
  }

  @Override
  public String toString() {
    return "TrackingClient[" + store.root() + "]";
  }
}
