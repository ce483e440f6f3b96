package io.jenkins.plugins.mlops.steps.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every invalid field is rejected, named, and all of them at once. */
class TrainingJobSpecTest {

  private static TrainingJobSpec.Builder valid() {
    return TrainingJobSpec.builder()
        .setNamePrefix("digits")
        .setLauncher(Launcher.TORCHRUN)
        .optImage("ghcr.io/acme/train:1.2")
        .addCommand("torchrun", "train.py")
        .optWorkers(2)
        .optProcessesPerWorker(4)
        .optGpusPerWorker(4)
        .optGpuType("NVIDIA-A100-SXM4-40GB")
        .optResources(new TrainingJobSpec.Resources("4", "8", "16Gi", "32Gi"))
        .optShmSize("8Gi")
        .addEnv("NCCL_DEBUG", "INFO")
        .addSecretEnv("HF_TOKEN", "hf", "token")
        .addVolume("data", "/data", true)
        .addToleration(
            new TrainingJobSpec.Toleration("nvidia.com/gpu", "Exists", null, "NoSchedule"))
        .addNodeSelector("cloud.google.com/gke-nodepool", "gpu-pool")
        .optQueueName("team-a")
        .addHyperparameter("learning_rate", "0.001");
  }

  @Test
  void aValidSpecBuildsWithItsDefaults() {
    TrainingJobSpec spec = valid().build();
    assertEquals(8, spec.workers() * spec.processesPerWorker());
    assertEquals(Duration.ofMinutes(10), spec.startupTimeout());
    assertEquals("0.001", spec.hyperparameters().get("learning_rate"));
  }

  private static String problems(TrainingJobSpec.Builder builder) {
    return assertThrows(IllegalArgumentException.class, builder::build).getMessage();
  }

  @Test
  void everyInvalidFieldIsNamedAndAllAreReportedAtOnce() {
    String m =
        problems(
            TrainingJobSpec.builder()
                .setNamePrefix("Digits_Job")
                .setLauncher(Launcher.TENSORFLOW)
                .optImage("ghcr.io/acme/train 1.2")
                .addCommand("python", "train.py")
                .optWorkers(0)
                .optProcessesPerWorker(2)
                .optGpusPerWorker(17)
                .optResources(new TrainingJobSpec.Resources("4 cores", "8", "64Gi", "32Gi"))
                .optShmSize("lots")
                .addEnv("MLFLOW_RUN_ID", "abc")
                .addEnv("1BAD", "x")
                .addSecretEnv("TOKEN", "Bad_Secret", "token")
                .addVolume("data", "data", false)
                .addVolume("logs", "/mnt", false)
                .addVolume("ckpt", "/mnt", false)
                .optServiceAccount("Trainer")
                .addToleration(new TrainingJobSpec.Toleration("gpu", "Exists", "yes", "Sometimes"))
                .addNodeSelector("pool", "gpu pool")
                .optStartupTimeout(Duration.ofHours(2))
                .optDeadline(Duration.ofHours(1))
                .optRetries(-1)
                .addHyperparameter("learning-rate", "0.1")
                .optDatasetManifest(Path.of("no/such/manifest.json")));
    for (String expected :
        List.of(
            "name prefix (Digits_Job)",
            "image (ghcr.io/acme/train 1.2)",
            "workers (0) must be 1 to 1000",
            "processes per worker (2) must be 1 for the tensorflow launcher",
            "GPUs per worker (17) must be 0 to 16",
            "cpu request (4 cores) is not a Kubernetes quantity",
            "memory request (64Gi) is more than the memory limit (32Gi)",
            "shm size (lots)",
            "env MLFLOW_RUN_ID is set by the launcher",
            "env name (1BAD)",
            "secret env TOKEN: secret name (Bad_Secret)",
            "volume data: mount path (data) must be absolute",
            "volume mount path /mnt is used twice",
            "service account (Trainer)",
            "toleration gpu: operator Exists takes no value (yes)",
            "toleration gpu: effect (Sometimes)",
            "node selector pool: value (gpu pool)",
            "startup timeout (PT2H) is longer than the deadline (PT1H)",
            "retries (-1) must be 0 to 100",
            "hyperparameter name (learning-rate)",
            "dataset manifest (no/such/manifest.json) does not exist")) {
      assertTrue(m.contains(expected), "missing '" + expected + "' in:\n" + m);
    }
    assertTrue(m.startsWith("the training job is not valid:\n  - "), m);
  }

  @Test
  void launcherRules() {
    assertTrue(
        problems(valid().setLauncher(Launcher.COMMAND))
            .contains(
                "workers (2) must be 1 for the command launcher; use torchrun or tensorflow"));
    assertTrue(
        problems(TrainingJobSpec.builder().setNamePrefix("x").setLauncher(Launcher.TORCHRUN))
            .contains("command is required for the torchrun launcher"));
    assertTrue(problems(valid().setLauncher(null)).contains("launcher is required"));
    assertTrue(
        problems(valid().optGpusPerWorker(0))
            .contains("GPU type (NVIDIA-A100-SXM4-40GB) needs GPUs per worker > 0"));
    TrainingJobSpec djl =
        TrainingJobSpec.builder().setNamePrefix("djl").setLauncher(Launcher.DJL).build();
    assertTrue(djl.command().isEmpty(), "the djl launcher runs the built-in trainer by default");
    assertEquals(
        "launcher (mpi) must be one of djl, torchrun, tensorflow, command",
        assertThrows(IllegalArgumentException.class, () -> Launcher.parse("mpi")).getMessage());
    assertEquals(1.5, TrainingJobSpec.amount("1500m"), 1e-9);
    assertEquals(2L << 30, (long) TrainingJobSpec.amount("2Gi"));
  }

  @Test
  void aTrackingPasswordOrTokenIsNeverAValueInTheSpec() {
    String m =
        problems(
            valid()
                .addEnv("MLFLOW_TRACKING_PASSWORD", "s3cret-Pw")
                .addEnv("MLFLOW_TRACKING_TOKEN", "t0ken"));
    assertTrue(
        m.contains(
            "env MLFLOW_TRACKING_PASSWORD is a tracking credential: set it in the caller's"
                + " environment"),
        m);
    assertTrue(m.contains("env MLFLOW_TRACKING_TOKEN is a tracking credential"), m);
    assertFalse(m.contains("s3cret-Pw") || m.contains("t0ken"), m);
  }
}
