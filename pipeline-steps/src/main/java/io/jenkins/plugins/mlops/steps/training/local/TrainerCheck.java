package io.jenkins.plugins.mlops.steps.training.local;

import io.jenkins.plugins.mlops.steps.training.TrainerSettingsException;
import io.jenkins.plugins.mlops.steps.training.TrainingJobSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Asks the built-in trainer ({@code trainer --check}) whether it accepts a job's hyperparameters
 * and data, before the job makes an MLflow run: a misspelt setting or a label that is not a column
 * is an error at submit, not a FAILED run.
 */
final class TrainerCheck {

  private static final long TIMEOUT_SECONDS = 120;

  private TrainerCheck() {}

  /**
   * Runs the check.
   *
   * @throws TrainerSettingsException with the trainer's message when it refuses (exit 2)
   */
  static void run(
      List<String> trainerCommand,
      TrainingJobSpec spec,
      Map<String, String> environment,
      Path workDir) {
    List<String> argv = new ArrayList<>(trainerCommand);
    argv.add("--check");
    spec.hyperparameters()
        .forEach(
            (name, value) -> {
              argv.add("--" + name);
              argv.add(value);
            });
    ProcessBuilder pb = new ProcessBuilder(argv).directory(workDir.toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    environment.forEach(
        (k, v) -> {
          if (!k.startsWith("MLOPS_PARAM_")) {
            env.put(k, v);
          }
        });
    env.putAll(spec.env());
    if (spec.datasetManifest() != null) {
      env.put("MLOPS_DATA_DIR", spec.datasetManifest().toAbsolutePath().getParent().toString());
    }
    try {
      io.jenkins.plugins.mlops.steps.ShortProcess.Result r =
          io.jenkins.plugins.mlops.steps.ShortProcess.run(
              pb, java.time.Duration.ofSeconds(TIMEOUT_SECONDS));
      if (r.timedOut()) {
        throw new IllegalStateException(
            "the built-in trainer's --check did not answer within " + TIMEOUT_SECONDS + " s");
      }
      String text = r.output();
      if (r.exitCode() == 0) {
        return;
      }
      List<String> errors =
          text.lines()
              .filter(l -> l.startsWith("trainer: error: "))
              .map(l -> l.substring("trainer: error: ".length()))
              .toList();
      String message = errors.isEmpty() ? text.strip() : String.join("; ", errors);
      if (r.exitCode() == 2) {
        throw new TrainerSettingsException(message);
      }
      throw new IllegalStateException(
          "the built-in trainer's --check exited " + r.exitCode() + ": " + message);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot run the built-in trainer (" + String.join(" ", trainerCommand) + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the trainer checked its settings", e);
    }
  }
}
