package io.jenkins.plugins.mlops.steps.sync;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What to sync and how: a log directory into a run (an id, or an experiment in which the sync makes
 * one), once or following it.
 *
 * @param logdir the TensorBoard log directory
 * @param runId the run to sync into; exclusive with {@code experiment}
 * @param experiment an experiment in which to make a run (found again when the same log directory
 *     is synced into the same experiment later); exclusive with {@code runId}
 * @param runName the name of a run made in {@code experiment}; null for {@code tensorboard-<dir>}
 * @param follow keep syncing until stopped
 * @param interval how often a follow looks for new data
 * @param uploadInterval how often a follow uploads event files that grew
 * @param uploadFiles whether event files are uploaded as artifacts
 * @param stateFile where positions are kept; null for the default under the log directory
 * @param untilPid a follow stops once this process has ended; null for none
 * @param untilFile a follow stops once this file exists; null for none
 */
public record SyncRequest(
    Path logdir,
    String runId,
    String experiment,
    String runName,
    boolean follow,
    Duration interval,
    Duration uploadInterval,
    boolean uploadFiles,
    Path stateFile,
    Long untilPid,
    Path untilFile) {

  public SyncRequest {
    if (logdir == null) {
      throw new IllegalArgumentException("logdir is required");
    }
    boolean hasRun = runId != null && !runId.isBlank();
    boolean hasExperiment = experiment != null && !experiment.isBlank();
    if (hasRun == hasExperiment) {
      throw new IllegalArgumentException(
          hasRun
              ? "give either a run id ("
                  + runId
                  + ") or an experiment ("
                  + experiment
                  + "), not both"
              : "a run to sync into is required: a run id (or MLFLOW_RUN_ID) or an experiment");
    }
    if (interval == null || interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("interval (" + interval + ") must be positive");
    }
    if (uploadInterval == null || uploadInterval.isNegative()) {
      throw new IllegalArgumentException(
          "uploadInterval (" + uploadInterval + ") may not be negative");
    }
    if (!follow && (untilPid != null || untilFile != null)) {
      throw new IllegalArgumentException("untilPid and untilFile only apply when following");
    }
    if (untilPid != null && untilPid <= 0) {
      throw new IllegalArgumentException("untilPid (" + untilPid + ") must be a process id > 0");
    }
  }

  /** Syncs {@code logdir} once into {@code runId}, with the default settings. */
  public static SyncRequest once(Path logdir, String runId) {
    return new SyncRequest(
        logdir,
        runId,
        null,
        null,
        false,
        Duration.ofSeconds(5),
        Duration.ofSeconds(60),
        true,
        null,
        null,
        null);
  }
}
