package io.jenkins.plugins.mlops.steps.training;

import java.util.Optional;

/**
 * Where a training job's workers run: local processes or Kubernetes pods. Both take the same {@link
 * TrainingJobSpec}, give every worker the same contract ({@link Launchers}) and end in the same
 * {@link TrainingResult}.
 */
public interface TrainingBackend {

  /** {@code local} or {@code kubernetes}. */
  String id();

  /**
   * Starts {@code spec}: checks what this backend needs of it, makes or finds the MLflow run,
   * starts every worker and returns at once. A job of the same name (the same prefix and {@link
   * TrainingContext#jobKey()}) that already finished is not started again: its handle returns the
   * result it had.
   *
   * @throws IllegalArgumentException when this backend cannot run {@code spec}, naming the field
   * @throws IllegalStateException when a job of the same name is running now
   */
  TrainingHandle submit(TrainingJobSpec spec, TrainingContext context);

  /**
   * What {@code spec} would run here, as a {@link JobDigest}: equal digests run the same program
   * with the same settings. Tagged on the job's run, and compared by {@link Unchanged}.
   */
  String digest(TrainingJobSpec spec, TrainingContext context);

  /** The job {@code name} when this backend knows it (running or finished); empty otherwise. */
  Optional<TrainingHandle> attach(String name, TrainingContext context);
}
