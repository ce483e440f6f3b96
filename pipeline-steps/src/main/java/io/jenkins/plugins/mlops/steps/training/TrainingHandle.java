package io.jenkins.plugins.mlops.steps.training;

import java.time.Duration;
import java.util.Optional;

/** A submitted training job: await it, or cancel it (which removes every process or pod). */
public interface TrainingHandle {

  /** The job's name, by which it can be attached to again. */
  String name();

  /** The MLflow run the job logs into. */
  String runId();

  /** Whether the job has ended. */
  boolean isDone();

  /** Waits until the job has ended. */
  TrainingResult await() throws InterruptedException;

  /** Waits at most {@code timeout}; empty when the job is still running then. */
  Optional<TrainingResult> await(Duration timeout) throws InterruptedException;

  /**
   * Stops every worker (the whole process tree, or every pod) and ends the job as {@link
   * TrainingResult.Outcome#CANCELLED}; returns at once, {@link #await()} waits for the clean-up.
   * Does nothing when the job has ended.
   *
   * @param reason why, for the result and the log (e.g. "the build was aborted")
   */
  void cancel(String reason);
}
