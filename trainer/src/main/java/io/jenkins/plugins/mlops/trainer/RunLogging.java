package io.jenkins.plugins.mlops.trainer;

import io.jenkins.plugins.mlops.tracking.RunLogger;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * With an MLflow run configured ({@code MLFLOW_RUN_ID}, and {@code MLFLOW_TRACKING_URI} or the
 * local {@code ./mlruns}), the trainer logs its hyperparameters, its summary ({@code
 * test_accuracy}, ..., {@code epochs}, {@code best_epoch}, at the last epoch's step) and the model
 * directory as the artifact {@code model/}. The per-epoch series are the TensorBoard files' ({@code
 * train/epoch_loss}, {@code validation/epoch_accuracy}, ...), which {@code mlops train} syncs while
 * the trainer runs ({@code mlops sync} does it for a trainer started by hand): one MLflow name per
 * quantity. The run is left open: whoever created it ends it.
 */
final class RunLogging {

  private RunLogging() {}

  static void log(
      TrainerConfig config,
      TrainingResult result,
      Map<String, String> env,
      Path workDir,
      Consumer<String> console) {
    String runId = env.get("MLFLOW_RUN_ID");
    if (runId == null || runId.isBlank()) {
      return;
    }
    try (TrackingClient client =
        TrackingClient.open(TrackingConfig.fromEnvironment(env, workDir), console)) {
      try (RunLogger logger = client.logger(runId)) {
        config.hyperparameters().forEach((k, v) -> logger.logParam(k, v.isEmpty() ? "(none)" : v));
        long step = result.epochs();
        result.metrics().forEach((k, v) -> logger.logMetric(k, v, step));
        logger.setTag("mlops.trainer", "djl");
        logger.flush();
      }
      client.artifacts().uploadDirectory(runId, result.modelDir(), "model");
      console.accept(
          "trainer: logged "
              + config.hyperparameters().size()
              + " params, "
              + result.metrics().size()
              + " metrics and the model into MLflow run "
              + runId);
    }
  }
}
