package io.jenkins.plugins.mlops.steps.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The env and argv of every rank, per launcher. */
class LaunchersTest {

  private static final Launchers.Contract CONTRACT =
      new Launchers.Contract(
          "http://mlflow:5000",
          "run123",
          "7",
          "/data",
          "/logs",
          "/out",
          "/ckpt",
          List.of("java", "-jar", "/opt/mlops/trainer.jar"),
          Map.of());

  private static final Launchers.Topology THREE =
      new Launchers.Topology(
          List.of("job-0.job", "job-1.job", "job-2.job"), List.of(2222, 2222, 2222));

  @Test
  void torchrunGetsPyTorchJobsVariablesOnEveryRank() {
    TrainingJobSpec spec =
        TrainingJobSpec.builder()
            .setNamePrefix("ddp")
            .setLauncher(Launcher.TORCHRUN)
            .addCommand("torchrun", "train.py", "--epochs", "3")
            .optWorkers(3)
            .optProcessesPerWorker(2)
            .build();
    List<Launchers.RankLaunch> ranks =
        Launchers.plan(
            spec,
            new Launchers.Topology(
                List.of("job-0.job", "job-1.job", "job-2.job"), List.of(23456, 23456, 23456)),
            CONTRACT);

    assertEquals(3, ranks.size());
    for (int i = 0; i < 3; i++) {
      Map<String, String> env = ranks.get(i).env();
      assertEquals("job-0.job", env.get("MASTER_ADDR"));
      assertEquals("23456", env.get("MASTER_PORT"));
      assertEquals("6", env.get("WORLD_SIZE"));
      assertEquals(Integer.toString(i), env.get("NODE_RANK"));
      assertEquals(Integer.toString(i), env.get("RANK"));
      assertEquals("2", env.get("NPROC_PER_NODE"));
      assertEquals("job-0.job", env.get("PET_MASTER_ADDR"));
      assertEquals("23456", env.get("PET_MASTER_PORT"));
      assertEquals("3", env.get("PET_NNODES"));
      assertEquals(Integer.toString(i), env.get("PET_NODE_RANK"));
      assertEquals("2", env.get("PET_NPROC_PER_NODE"));
      assertEquals("1", env.get("PYTHONUNBUFFERED"));
      assertEquals("run123", env.get("MLFLOW_RUN_ID"));
      assertEquals("/logs", env.get("MLOPS_LOGDIR"));
      assertFalse(env.containsKey("TF_CONFIG"));
      assertEquals(List.of("torchrun", "train.py", "--epochs", "3"), ranks.get(i).argv());
    }
  }

  @Test
  void tensorflowGetsTfJobsExactTfConfig() {
    TrainingJobSpec spec =
        TrainingJobSpec.builder()
            .setNamePrefix("mwms")
            .setLauncher(Launcher.TENSORFLOW)
            .addCommand("python", "train.py")
            .optWorkers(3)
            .build();
    List<Launchers.RankLaunch> ranks = Launchers.plan(spec, THREE, CONTRACT);

    assertEquals(
        "{\"cluster\":{\"worker\":[\"job-0.job:2222\",\"job-1.job:2222\",\"job-2.job:2222\"]},"
            + "\"task\":{\"type\":\"worker\",\"index\":1},\"environment\":\"cloud\"}",
        ranks.get(1).env().get("TF_CONFIG"));
    assertTrue(ranks.get(2).env().get("TF_CONFIG").contains("\"index\":2"));
    assertFalse(ranks.get(0).env().containsKey("MASTER_ADDR"));

    TrainingJobSpec single =
        TrainingJobSpec.builder()
            .setNamePrefix("one")
            .setLauncher(Launcher.TENSORFLOW)
            .addCommand("python", "t.py")
            .build();
    Launchers.RankLaunch only =
        Launchers.plan(
                single, new Launchers.Topology(List.of("127.0.0.1"), List.of(40000)), CONTRACT)
            .get(0);
    assertFalse(only.env().containsKey("TF_CONFIG"), "one worker: no TF_CONFIG, as Kubeflow does");
  }

  @Test
  void hyperparametersAreArgumentsAndEnvAndArgumentsNeverMeetAShell() {
    String hostile = "0.1; rm -rf / && echo $(whoami) 'quoted' \"double\"";
    TrainingJobSpec spec =
        TrainingJobSpec.builder()
            .setNamePrefix("cmd")
            .setLauncher(Launcher.COMMAND)
            .addCommand("python", "train.py", "--note", "two words")
            .addHyperparameter("learning_rate", hostile)
            .addHyperparameter("epochs", "5")
            .addEnv("NCCL_DEBUG", "INFO")
            .build();
    Launchers.RankLaunch rank =
        Launchers.plan(spec, new Launchers.Topology(List.of("127.0.0.1"), List.of(0)), CONTRACT)
            .get(0);

    assertEquals(
        List.of(
            "python",
            "train.py",
            "--note",
            "two words",
            "--learning_rate",
            hostile,
            "--epochs",
            "5"),
        rank.argv(),
        "one argv element per argument, unchanged");
    assertEquals(hostile, rank.env().get("MLOPS_PARAM_LEARNING_RATE"));
    assertEquals("5", rank.env().get("MLOPS_PARAM_EPOCHS"));
    assertEquals("INFO", rank.env().get("NCCL_DEBUG"));
    assertFalse(rank.env().containsKey("MASTER_ADDR"));
    assertFalse(rank.env().containsKey("TF_CONFIG"));
  }

  @Test
  void djlRunsTheBuiltInTrainerWithItsDevices() {
    TrainingJobSpec gpu =
        TrainingJobSpec.builder()
            .setNamePrefix("djl")
            .setLauncher(Launcher.DJL)
            .optGpusPerWorker(4)
            .addHyperparameter("label", "digit")
            .build();
    Launchers.RankLaunch rank =
        Launchers.plan(gpu, new Launchers.Topology(List.of("127.0.0.1"), List.of(0)), CONTRACT)
            .get(0);
    assertEquals(
        List.of("java", "-jar", "/opt/mlops/trainer.jar", "--label", "digit", "--devices", "gpu"),
        rank.argv());
    assertEquals("gpu", rank.env().get("MLOPS_PARAM_DEVICES"));
    assertEquals("/ckpt", rank.env().get("MLOPS_CHECKPOINT_DIR"));
    assertEquals("/data", rank.env().get("MLOPS_DATA_DIR"));
  }

  @Test
  void trackingCredentialsReachEveryWorkersEnvironmentAndNeverItsArguments() {
    String password = "Ca/rol-Pw-88x";
    Launchers.Contract withCredentials =
        new Launchers.Contract(
            "http://mlflow:5000",
            "run123",
            "7",
            "/data",
            "/logs",
            "/out",
            "/ckpt",
            List.of("java", "-jar", "/opt/mlops/trainer.jar"),
            Map.of(
                "MLFLOW_TRACKING_URI", "http://elsewhere:5000",
                "MLFLOW_TRACKING_USERNAME", "carol",
                "MLFLOW_TRACKING_PASSWORD", password));
    TrainingJobSpec spec =
        TrainingJobSpec.builder()
            .setNamePrefix("keras")
            .setLauncher(Launcher.TENSORFLOW)
            .addCommand("python", "train.py")
            .optWorkers(2)
            .addHyperparameter("label", "digit")
            .build();
    List<Launchers.RankLaunch> ranks =
        Launchers.plan(
            spec,
            new Launchers.Topology(List.of("127.0.0.1", "127.0.0.1"), List.of(0, 0)),
            withCredentials);

    for (Launchers.RankLaunch rank : ranks) {
      assertEquals("carol", rank.env().get("MLFLOW_TRACKING_USERNAME"));
      assertEquals(password, rank.env().get("MLFLOW_TRACKING_PASSWORD"));
      assertEquals("http://mlflow:5000", rank.env().get("MLFLOW_TRACKING_URI"), "the run's URI");
      assertFalse(String.join(" ", rank.argv()).contains(password), rank.argv().toString());
      assertFalse(rank.toString().contains(password), rank.toString());
    }
    assertFalse(withCredentials.toString().contains(password), withCredentials.toString());
  }
}
