package io.jenkins.plugins.mlops.tracking;

import java.util.Objects;

/**
 * What MLflow knows of a run besides its data.
 *
 * @param runId the run id
 * @param experimentId its experiment
 * @param runName its display name
 * @param status its state
 * @param startTime milliseconds since the epoch
 * @param endTime milliseconds since the epoch, or 0 while it runs
 * @param artifactUri where its artifacts live (e.g. {@code mlflow-artifacts:/1/<id>/artifacts})
 * @param lifecycleStage {@code active} or {@code deleted}
 * @param userId who started it
 */
public record RunInfo(
    String runId,
    String experimentId,
    String runName,
    RunStatus status,
    long startTime,
    long endTime,
    String artifactUri,
    String lifecycleStage,
    String userId) {

  public RunInfo {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(experimentId, "experimentId");
    Objects.requireNonNull(status, "status");
    runName = runName == null ? "" : runName;
    artifactUri = artifactUri == null ? "" : artifactUri;
    lifecycleStage = lifecycleStage == null ? "active" : lifecycleStage;
    userId = userId == null ? "" : userId;
  }
}
