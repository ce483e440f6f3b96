package io.jenkins.plugins.mlops.tracking;

import java.util.Optional;

/** MLflow experiments. */
public interface Experiments {

  /**
   * The active experiment named {@code name}, created if missing. Safe when several builds race to
   * create it: the loser reads the winner's.
   *
   * @throws IllegalArgumentException when {@code name} is blank
   * @throws MlflowException when the name belongs to a deleted experiment, or the server fails
   */
  Experiment getOrCreate(String name);

  /** The experiment named {@code name}, if there is one. */
  Optional<Experiment> findByName(String name);

  /**
   * The experiment with {@code id}.
   *
   * @throws MlflowException ({@link MlflowException#isNotFound()}) when there is none
   */
  Experiment get(String id);
}
