package io.jenkins.plugins.mlops.steps.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec files, durations, job names and the result's JSON. */
class SpecFileTest {

  @TempDir Path work;

  @Test
  void everyFieldOfAYamlSpecIsRead() throws Exception {
    Path data = Files.createDirectories(work.resolve("prepared"));
    Files.writeString(data.resolve("manifest.json"), "{}");
    Path file = work.resolve("job.yaml");
    Files.write(
        file,
        List.of(
            "name: digits",
            "launcher: torchrun",
            "image: ghcr.io/acme/train:1.2",
            "command: [torchrun, train.py, --fast]",
            "workers: 2",
            "processesPerWorker: 4",
            "gpusPerWorker: 4",
            "gpuType: NVIDIA-A100-SXM4-40GB",
            "resources: {cpuRequest: '8', memoryLimit: 64Gi}",
            "shmSize: 8Gi",
            "env: {NCCL_DEBUG: INFO}",
            "secretEnv: {HF_TOKEN: {secret: hf, key: token}}",
            "volumes: [{claimName: data, mountPath: /data, readOnly: true}]",
            "serviceAccount: trainer",
            "nodeSelector: {pool: gpu}",
            "tolerations: [{key: spot, operator: Exists, effect: NoSchedule}]",
            "priorityClass: high",
            "queueName: team-a",
            "startupTimeout: 15m",
            "deadline: 2h",
            "retries: 2",
            "ttl: 1d",
            "labels: {team: vision}",
            "annotations: {owner: ml@acme.com}",
            "hyperparameters: {epochs: 10, learning_rate: 0.001}",
            "dataset: prepared",
            "mlflowRunId: abc123"));

    TrainingJobSpec spec = SpecFile.read(file).build();

    assertEquals("digits", spec.namePrefix());
    assertEquals(Launcher.TORCHRUN, spec.launcher());
    assertEquals(List.of("torchrun", "train.py", "--fast"), spec.command());
    assertEquals(2, spec.workers());
    assertEquals(4, spec.processesPerWorker());
    assertEquals("64Gi", spec.resources().memoryLimit());
    assertEquals(new TrainingJobSpec.SecretRef("hf", "token"), spec.secretEnv().get("HF_TOKEN"));
    assertEquals(List.of(new TrainingJobSpec.Volume("data", "/data", true)), spec.volumes());
    assertEquals("Exists", spec.tolerations().get(0).operator());
    assertEquals(Duration.ofMinutes(15), spec.startupTimeout());
    assertEquals(Duration.ofHours(2), spec.deadline());
    assertEquals(Duration.ofDays(1), spec.ttl());
    assertEquals(Map.of("epochs", "10", "learning_rate", "0.001"), spec.hyperparameters());
    assertEquals(data.resolve("manifest.json"), spec.datasetManifest());
    assertEquals("abc123", spec.mlflowRunId());
  }

  @Test
  void durationsAsPeopleWriteThem() {
    assertEquals(Duration.ofSeconds(90), SpecFile.duration("d", "90s"));
    assertEquals(Duration.ofSeconds(90), SpecFile.duration("d", "90"));
    assertEquals(Duration.ofMinutes(10), SpecFile.duration("d", "10m"));
    assertEquals(Duration.ofMillis(1500), SpecFile.duration("d", "1.5s"));
    assertEquals(Duration.ofHours(2), SpecFile.duration("d", "PT2H"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SpecFile.duration("deadline", "2 hrs"));
    assertEquals(
        "deadline (2 hrs) is not a duration such as 90s, 10m, 2h, 1d or PT10M", e.getMessage());
  }

  @Test
  void aShortDeadlineShortensTheDefaultStartupTimeout() {
    TrainingJobSpec spec =
        TrainingJobSpec.builder()
            .setNamePrefix("quick")
            .setLauncher(Launcher.COMMAND)
            .addCommand("true")
            .optDeadline(Duration.ofSeconds(30))
            .build();

    assertEquals(Duration.ofSeconds(30), spec.startupTimeout());
  }

  @Test
  void jobNamesAreDeterministicDnsLabels() {
    String a = JobNames.of("digits", "build#42/step-3");

    assertEquals(a, JobNames.of("digits", "build#42/step-3"));
    assertTrue(a.matches("digits-[0-9a-f]{10}"), a);
    assertTrue(!a.equals(JobNames.of("digits", "build#43/step-3")));
  }

  @Test
  void aResultSurvivesItsJson() {
    TrainingResult r =
        new TrainingResult(
            "digits-0123456789",
            "local",
            "tensorflow",
            TrainingResult.Outcome.FAILED,
            "worker 1 exited with code 3",
            "run1",
            "7",
            "http://127.0.0.1:5000",
            2,
            1,
            1_000,
            61_000,
            1,
            3,
            List.of("boom"),
            Map.of("test_accuracy", 0.5),
            List.of(
                new TrainingResult.RankResult(0, 10L, null, true, "w0.log", List.of()),
                new TrainingResult.RankResult(1, 11L, 3, false, "w1.log", List.of("boom"))),
            "tb",
            "out",
            "4 points");

    TrainingResult back = TrainingResult.fromJson(r.toJson());

    assertEquals(r, back);
    assertEquals(60.0, back.seconds());
    assertTrue(
        back.describe().get(0).startsWith("training job digits-0123456789 failed after 60.0 s"));
    assertTrue(back.describe().contains("    | boom"), back.describe().toString());
  }
}
