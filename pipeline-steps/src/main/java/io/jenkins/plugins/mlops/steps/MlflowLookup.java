package io.jenkins.plugins.mlops.steps;

import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.ModelVersion;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Lookups in MLflow where "not there" is an answer, not an error: a run that does not exist or is
 * deleted, an alias (or its model) that does not exist yet. Other failures still throw.
 */
public final class MlflowLookup {

  private MlflowLookup() {}

  /** The run {@code runId}; empty when it does not exist or is deleted. */
  public static Optional<Run> liveRun(TrackingClient client, String runId) {
    return orEmpty(() -> client.runs().get(runId))
        .filter(run -> !"deleted".equals(run.info().lifecycleStage()));
  }

  /** The version {@code alias} of model {@code name} points at; empty when either is missing. */
  public static Optional<ModelVersion> alias(TrackingClient client, String name, String alias) {
    return orEmpty(() -> client.registry().getByAlias(name, alias).orElse(null));
  }

  /**
   * For MLflow's file store, how to open it with MLflow's own tools: MLflow 3.17 refuses a file
   * store unless {@code MLFLOW_ALLOW_FILE_STORE=true}. Empty for a server.
   */
  public static Optional<String> fileStoreHint(String trackingUri) {
    if (trackingUri == null || !trackingUri.startsWith("file:")) {
      return Optional.empty();
    }
    String path;
    try {
      path = java.nio.file.Path.of(java.net.URI.create(trackingUri)).toString();
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      path = trackingUri;
    }
    return Optional.of(
        "to open this file store with MLflow's tools (MLflow 3.17 needs"
            + " MLFLOW_ALLOW_FILE_STORE=true): MLFLOW_ALLOW_FILE_STORE=true mlflow ui"
            + " --backend-store-uri "
            + path);
  }

  private static <T> Optional<T> orEmpty(Supplier<T> lookup) {
    try {
      return Optional.ofNullable(lookup.get());
    } catch (MlflowException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }
}
