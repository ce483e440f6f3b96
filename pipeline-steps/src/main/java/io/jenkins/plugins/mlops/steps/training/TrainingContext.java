package io.jenkins.plugins.mlops.steps.training;

import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a backend gets from its caller (the CLI, the Jenkins step): where to work, the environment
 * the workers inherit, where to print, the MLflow connection, and the job key that makes the job's
 * name deterministic (so a resumed Jenkins step finds its job instead of starting it twice).
 *
 * @param workDir the working directory of the workers; the local backend keeps its job directories
 *     under {@code <workDir>/mlops-jobs}
 * @param environment the environment the workers inherit (PATH, HOME, ...); the contract's
 *     variables are set on top of it
 * @param console progress lines and every worker's output, prefixed by its worker
 * @param tracking the MLflow server or file store the run lives in
 * @param experiment the experiment in which a new run is made (when the spec names no run); null
 *     for the data set's name (its manifest), or {@link #DEFAULT_EXPERIMENT} without prepared data
 * @param runName the new run's name; null for the job's name
 * @param jobKey what identifies this job to its caller (e.g. the build and the step); the same key
 *     gives the same job name
 */
public record TrainingContext(
    Path workDir,
    Map<String, String> environment,
    Consumer<String> console,
    TrackingClient tracking,
    String experiment,
    String runName,
    String jobKey) {

  /** The experiment used when none is given and the job has no prepared data. */
  public static final String DEFAULT_EXPERIMENT = "mlops-training";

  public TrainingContext {
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(console, "console");
    Objects.requireNonNull(tracking, "tracking");
    Objects.requireNonNull(jobKey, "jobKey");
    environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    experiment = experiment == null || experiment.isBlank() ? null : experiment;
    workDir = workDir.toAbsolutePath().normalize();
  }
}
