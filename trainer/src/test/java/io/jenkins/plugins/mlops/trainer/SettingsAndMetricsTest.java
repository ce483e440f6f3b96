package io.jenkins.plugins.mlops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings, schedules and metrics: no engine needed. */
class SettingsAndMetricsTest {

  private static TrainerConfig config(List<String> args, Map<String, String> env) {
    return TrainerConfig.from(args, env, Path.of("/work"));
  }

  @Test
  void argumentsWinOverEnvironmentAndTheContractGivesTheDirectories() {
    TrainerConfig c =
        config(
            List.of("--learning-rate", "0.01", "--epochs=7", "--label", "y"),
            Map.of(
                "MLOPS_PARAM_LEARNING_RATE", "0.5",
                "MLOPS_PARAM_BATCH_SIZE", "64",
                "MLOPS_DATA_DIR", "/data",
                "MLOPS_OUTPUT_DIR", "/out",
                "MLOPS_LOGDIR", "/logs",
                "MLOPS_CHECKPOINT_DIR", "/ckpt"));
    assertEquals(0.01, c.learningRate());
    assertEquals(7, c.epochs());
    assertEquals(64, c.batchSize());
    assertEquals(Path.of("/data"), c.dataDir());
    assertEquals(Path.of("/logs"), c.logdir());
    assertEquals(Path.of("/ckpt"), c.checkpointDir());
    assertEquals("0.01", c.hyperparameters().get("learning_rate"));
    assertTrue(!c.hyperparameters().containsKey("data_dir"), "directories are not hyperparameters");
    assertEquals(List.of(128), c.hidden());
  }

  @Test
  void badSettingsNameTheSettingAndWhatIsAllowed() {
    Map<String, String> env = Map.of("MLOPS_DATA_DIR", "/data");
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> config(List.of("--label", "y"), Map.of("MLOPS_PARAM_EPOCS", "3")));
    assertTrue(
        unknown.getMessage().startsWith("MLOPS_PARAM_EPOCS is not a setting"),
        unknown.getMessage());
    assertTrue(unknown.getMessage().contains("did you mean 'epochs'?"), unknown.getMessage());
    IllegalArgumentException optimizer =
        assertThrows(
            IllegalArgumentException.class,
            () -> config(List.of("--label", "y", "--optimizer", "lbfgs"), env));
    assertEquals("--optimizer (lbfgs) must be one of adam, adamw, sgd", optimizer.getMessage());
    IllegalArgumentException dropout =
        assertThrows(
            IllegalArgumentException.class,
            () -> config(List.of("--label", "y", "--dropout", "1"), env));
    assertTrue(
        dropout.getMessage().startsWith("--dropout (1) must be in [0.0, 1.0)"),
        dropout.getMessage());
    IllegalArgumentException hidden =
        assertThrows(
            IllegalArgumentException.class,
            () -> config(List.of("--label", "y", "--hidden", "128,x"), env));
    assertTrue(
        hidden.getMessage().startsWith("--hidden (x) is not a whole number"), hidden.getMessage());
    IllegalArgumentException stray =
        assertThrows(
            IllegalArgumentException.class, () -> config(List.of("--label", "y", "extra"), env));
    assertTrue(
        stray.getMessage().startsWith("argument 'extra' is not --name value"), stray.getMessage());
    IllegalArgumentException noLabel =
        assertThrows(IllegalArgumentException.class, () -> config(List.of(), env));
    assertTrue(noLabel.getMessage().startsWith("--label is required"), noLabel.getMessage());
  }

  @Test
  void schedulesWarmUpDecayAndReachZero() {
    Map<String, String> env = Map.of("MLOPS_DATA_DIR", "/data");
    Schedule cosine =
        new Schedule(
            config(
                List.of(
                    "--label",
                    "y",
                    "--schedule",
                    "cosine",
                    "--epochs",
                    "10",
                    "--warmup_epochs",
                    "2",
                    "--learning_rate",
                    "0.1"),
                env));
    assertEquals(0.1 * (0.0 + 0.1) / 2, cosine.at(0, 0, 10), 1e-12); // first warm-up step
    assertEquals(0.1, cosine.at(2, 0, 10), 1e-12); // warm-up done: the peak
    assertEquals(0.05, cosine.at(6, 0, 10), 1e-12); // half-way through the decay
    assertTrue(cosine.at(9, 9, 10) < 0.001);
    Schedule step =
        new Schedule(
            config(
                List.of(
                    "--label",
                    "y",
                    "--schedule",
                    "step",
                    "--step_epochs",
                    "3",
                    "--learning_rate",
                    "1"),
                env));
    assertEquals(1, step.at(2, 5, 10), 0);
    assertEquals(0.1, step.at(3, 0, 10), 1e-12);
    assertEquals(0.01, step.at(6, 0, 10), 1e-12);
  }

  @Test
  void classificationMetricsMatchScikitLearnsDefinitions() {
    int[] truth = {0, 0, 0, 1, 1, 2};
    int[] predicted = {0, 0, 1, 1, 2, 2};
    Map<String, Double> m = Metrics.classification(truth, predicted, 3);
    // sklearn: precision per class [1, 0.5, 0.5], recall [2/3, 0.5, 1], f1 [0.8, 0.5, 2/3]
    assertEquals(4 / 6.0, m.get("accuracy"), 1e-12);
    assertEquals((1 + 0.5 + 0.5) / 3, m.get("precision_macro"), 1e-12);
    assertEquals((2 / 3.0 + 0.5 + 1) / 3, m.get("recall_macro"), 1e-12);
    assertEquals((0.8 + 0.5 + 2 / 3.0) / 3, m.get("f1_macro"), 1e-12);
    assertEquals(2, Metrics.confusion(truth, predicted, 3)[0][0]);
    assertEquals(1, Metrics.confusion(truth, predicted, 3)[1][2]);
  }

  @Test
  void regressionMetrics() {
    Map<String, Double> m =
        Metrics.regression(new double[] {1, 2, 3, 4}, new double[] {1, 2, 3, 5});
    assertEquals(0.25, m.get("mae"), 1e-12);
    assertEquals(0.5, m.get("rmse"), 1e-12);
    assertEquals(1 - 1 / 5.0, m.get("r2"), 1e-12);
  }
}
