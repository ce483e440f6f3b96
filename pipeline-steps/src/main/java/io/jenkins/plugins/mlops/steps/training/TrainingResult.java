package io.jenkins.plugins.mlops.steps.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jenkins.plugins.mlops.steps.MlflowLookup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a training job ended, the same for every backend: immutable and JSON-serializable (the
 * Jenkins step stores it, {@code mlops train --json} prints it).
 *
 * @param name the job's name (its prefix and a hash of the job key), what it can be attached by
 * @param backend {@code local} or {@code kubernetes}
 * @param launcher the launcher's id
 * @param outcome how it ended
 * @param reason in words: what happened and, when it failed, why and what to look at
 * @param runId the MLflow run it logged into
 * @param experimentId that run's experiment
 * @param trackingUri the MLflow server or file store
 * @param workers the number of workers
 * @param attempts how many times the workers were started (1 + the retries used)
 * @param startTime when the job started, epoch milliseconds
 * @param endTime when it ended, epoch milliseconds
 * @param failedWorker the worker that failed first; null when none failed
 * @param exitCode that worker's exit code (128 + signal when a signal ended it); null when none
 * @param lastLines the last lines that worker printed; empty when none failed
 * @param metrics the final metrics of {@code metrics.json} in the output directory (numbers only)
 * @param ranks every worker: its process, exit code, log file and last lines
 * @param logdir the TensorBoard logdir the job wrote (synced into the run)
 * @param outputDir where the model files and {@code metrics.json} are
 * @param sync what the TensorBoard sync sent, in words
 */
public record TrainingResult(
    String name,
    String backend,
    String launcher,
    Outcome outcome,
    String reason,
    String runId,
    String experimentId,
    String trackingUri,
    int workers,
    int attempts,
    long startTime,
    long endTime,
    Integer failedWorker,
    Integer exitCode,
    List<String> lastLines,
    Map<String, Double> metrics,
    List<RankResult> ranks,
    String logdir,
    String outputDir,
    String sync) {

  /** How a job ended. */
  public enum Outcome {
    /** Every worker exited 0. */
    SUCCEEDED,
    /** A worker failed (after the retries); the others were stopped. */
    FAILED,
    /** Someone cancelled it; every process or pod was removed. */
    CANCELLED,
    /** The startup timeout or the deadline passed; every process or pod was removed. */
    TIMED_OUT;

    /** The MLflow run status this outcome ends a run with. */
    public String runStatus() {
      return switch (this) {
        case SUCCEEDED -> "FINISHED";
        case FAILED, TIMED_OUT -> "FAILED";
        case CANCELLED -> "KILLED";
      };
    }
  }

  /**
   * One worker of the last attempt.
   *
   * @param worker its index
   * @param pid its process id (local) ; null for pods
   * @param exitCode how it exited; null when it was still running when the job was stopped
   * @param stopped whether the job stopped it (after another worker failed, a cancel, a timeout)
   * @param log its log file (local) or pod name (Kubernetes)
   * @param lastLines its last lines
   */
  public record RankResult(
      int worker, Long pid, Integer exitCode, boolean stopped, String log, List<String> lastLines) {
    public RankResult {
      lastLines = List.copyOf(lastLines);
    }
  }

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public TrainingResult {
    lastLines = List.copyOf(lastLines);
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    ranks = List.copyOf(ranks);
  }

  /** Whether the job succeeded. */
  public boolean succeeded() {
    return outcome == Outcome.SUCCEEDED;
  }

  /** Seconds from start to end. */
  public double seconds() {
    return (endTime - startTime) / 1000.0;
  }

  /** The result as JSON (what {@code mlops train --json} prints). */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the training result as JSON", e);
    }
  }

  /** Reads what {@link #toJson()} wrote. */
  public static TrainingResult fromJson(String json) {
    try {
      return JSON.readValue(json, TrainingResult.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a training result: " + e.getOriginalMessage(), e);
    }
  }

  /** A few lines for a console: the outcome, the run, the metrics, and for a failure its tail. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT,
            "training job %s %s after %.1f s (%s, %d worker%s, %s launcher%s): %s",
            name,
            outcome.name().toLowerCase(Locale.ROOT).replace('_', ' '),
            seconds(),
            backend,
            workers,
            workers == 1 ? "" : "s",
            launcher,
            attempts > 1 ? ", " + attempts + " attempts" : "",
            reason));
    if (runId != null) {
      lines.add("  MLflow run " + runId + " (experiment " + experimentId + ") at " + trackingUri);
      MlflowLookup.fileStoreHint(trackingUri).ifPresent(hint -> lines.add("  " + hint));
    }
    if (!metrics.isEmpty()) {
      StringBuilder m = new StringBuilder("  metrics:");
      metrics.forEach((k, v) -> m.append(String.format(Locale.ROOT, " %s=%.4g", k, v)));
      lines.add(m.toString());
    }
    if (sync != null) {
      lines.add("  TensorBoard sync: " + sync);
    }
    if (failedWorker != null && !lastLines.isEmpty()) {
      lines.add("  last lines of worker " + failedWorker + ":");
      lastLines.forEach(l -> lines.add("    | " + l));
    }
    return lines;
  }
}
