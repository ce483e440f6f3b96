package io.jenkins.plugins.mlops.steps.training;

import java.util.Arrays;
import java.util.Locale;

/** How the ranks of a job find each other. */
public enum Launcher {
  /** The built-in trainer (issue #6) on one worker with all of its devices. */
  DJL,
  /** PyTorch's torchrun: MASTER_ADDR/PORT, WORLD_SIZE, ranks and Kubeflow's PET_* variables. */
  TORCHRUN,
  /** TensorFlow's multi-worker strategies: TF_CONFIG per worker, as Kubeflow's TFJob sets it. */
  TENSORFLOW,
  /** One process, no distribution environment. */
  COMMAND;

  /** Parses {@code djl}, {@code torchrun}, ... (any case). */
  public static Launcher parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "launcher ("
              + text
              + ") must be one of "
              + String.join(
                  ", ",
                  Arrays.stream(values()).map(l -> l.name().toLowerCase(Locale.ROOT)).toList()));
    }
  }

  /** The lower-case name users write. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
