package io.jenkins.plugins.mlops.steps.training.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import io.jenkins.plugins.mlops.steps.cli.MlopsCli;
import io.jenkins.plugins.mlops.steps.data.DataChecks;
import io.jenkins.plugins.mlops.steps.data.DatasetPreparer;
import io.jenkins.plugins.mlops.steps.data.PrepareSpec;
import io.jenkins.plugins.mlops.steps.data.Split;
import io.jenkins.plugins.mlops.steps.training.JobRun;
import io.jenkins.plugins.mlops.steps.training.Launcher;
import io.jenkins.plugins.mlops.steps.training.TrainingJobSpec;
import io.jenkins.plugins.mlops.steps.training.TrainingResult;
import io.jenkins.plugins.mlops.steps.training.TrainingResult.Outcome;
import io.jenkins.plugins.mlops.tracking.ArtifactInfo;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real training through the local backend, end to end: the digits prepared by {@code steps.data},
 * trained by Keras with {@code MultiWorkerMirroredStrategy} on two worker processes (the {@code
 * tensorflow} launcher's TF_CONFIG on loopback ports), by the built-in DJL trainer ({@code djl}
 * launcher) and by a plain {@code command}; the TensorBoard logs synced into the real MLflow server
 * while the job runs.
 */
class DistributedTrainingIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  @TempDir static Path shared;
  @TempDir Path work;
  private static Path manifest;
  private Jobs jobs;

  @BeforeAll
  static void prepareDigits() {
    Path csv = shared.resolve("digits.csv");
    PythonEnvironment.shared()
        .runPython(
            Duration.ofMinutes(3),
            "-c",
            "import sys; from sklearn.datasets import load_digits;"
                + " d = load_digits(as_frame=True).frame.rename(columns={'target': 'digit'});"
                + " d.to_csv(sys.argv[1], index=False)",
            csv.toString())
        .requireSuccess();
    DatasetPreparer.prepare(
        PrepareSpec.builder()
            .addInput(csv.toString())
            .setOutput(shared.resolve("digits"))
            .optLabel("digit")
            .optStratify(true)
            .optSeed(42)
            .setSplits(Split.parse("train=0.8,validation=0.1,test=0.1"))
            .optChecks(DataChecks.NONE)
            .build(),
        shared,
        line -> {});
    manifest = shared.resolve("digits").resolve("manifest.json");
  }

  @BeforeEach
  void setUp() {
    jobs = new Jobs(mlflow, work);
  }

  @AfterEach
  void tearDown() {
    jobs.close();
  }

  private static Path repoRoot() {
    return Path.of(System.getProperty("mlops.repoRoot", "..")).toAbsolutePath().normalize();
  }

  @Test
  void kerasMultiWorkerMirroredStrategyOnTwoWorkersSyncsIntoMlflowWhileItRuns() throws Exception {
    int epochs = 8;
    TrainingJobSpec spec =
        TrainingJobSpec.builder()
            .setNamePrefix("keras-digits")
            .setLauncher(Launcher.TENSORFLOW)
            .addCommand(
                Jobs.python(),
                repoRoot().resolve("examples/training/keras_multiworker.py").toString())
            .optWorkers(2)
            .addHyperparameter("label", "digit")
            .addHyperparameter("epochs", Integer.toString(epochs))
            .addHyperparameter("batch_size", "32")
            .optDatasetManifest(manifest)
            .optDeadline(Duration.ofMinutes(10))
            .build();
    LocalJob job = (LocalJob) Jobs.backend().submit(spec, jobs.context("keras-multiworker"));

    // While the workers run, the run in MLflow already has epochs from the synced event files.
    int seenWhileRunning = 0;
    while (!job.isDone()) {
      List<Metric> history = jobs.client.runs().metricHistory(job.runId(), "train/epoch_accuracy");
      boolean running = job.processes().stream().anyMatch(ProcessTree::running);
      if (running && !history.isEmpty()) {
        seenWhileRunning = Math.max(seenWhileRunning, history.size());
      }
      Thread.sleep(250);
    }
    TrainingResult r = job.await();

    assertEquals(Outcome.SUCCEEDED, r.outcome(), r.reason() + "\n" + jobs.consoleText());
    assertTrue(seenWhileRunning >= 1, "no epoch reached MLflow while the workers ran");
    // Both workers took part: each set up the collective with two replicas and ran the same
    // number of steps in every epoch.
    Pattern epochLine = Pattern.compile("worker (\\d): epoch (\\d+)/(\\d+) steps=(\\d+)");
    int[] stepsOf = new int[2];
    for (int w = 0; w < 2; w++) {
      String log = Files.readString(Path.of(r.ranks().get(w).log()));
      assertTrue(
          log.contains("worker " + w + " of 2: ") && log.contains("with 2 replicas in sync"),
          "worker " + w + " joined the collective:\n" + log);
      Matcher m = epochLine.matcher(log);
      int count = 0;
      while (m.find()) {
        count++;
        stepsOf[w] = Integer.parseInt(m.group(4));
        assertTrue(stepsOf[w] > 0);
      }
      assertEquals(epochs, count, "worker " + w + " ran every epoch");
    }
    assertEquals(stepsOf[0], stepsOf[1], "both workers ran the same steps per epoch");

    Run run = jobs.client.runs().get(r.runId());
    assertEquals(RunStatus.FINISHED, run.info().status());
    assertEquals("succeeded", run.tags().get(JobRun.TAG_OUTCOME));
    assertEquals("tensorflow", run.tags().get(JobRun.TAG_LAUNCHER));
    assertEquals(Integer.toString(epochs), run.params().get("epochs"));
    assertEquals(3, run.inputs().size(), "the prepared splits are the run's dataset inputs");
    for (String metric : List.of("train/epoch_accuracy", "validation/epoch_loss")) {
      List<Metric> history = jobs.client.runs().metricHistory(r.runId(), metric);
      assertEquals(epochs, history.size(), metric + ": " + history);
      assertEquals(
          List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), history.stream().map(Metric::step).toList());
    }
    assertTrue(r.metrics().get("test_accuracy") >= 0.9, r.metrics().toString());
    assertEquals(r.metrics().get("test_accuracy"), run.metrics().get("test_accuracy").value());
    assertEquals(List.of("test_loss", "test_accuracy"), List.copyOf(r.metrics().keySet()));
    assertTrue(Files.isRegularFile(Path.of(r.outputDir()).resolve("model.keras")));
    // Keras 2 (tf_keras, as multi-worker training needs): MLflow's tensorflow flavour
    JsonNode loaded = pyfunc("runs:/" + r.runId() + "/model");
    assertEquals("mlflow.tensorflow", loaded.get("loader").asText(), loaded.toString());
    assertEquals("[" + loaded.get("rows") + ",10]", loaded.get("shape").toString());
  }

  @Test
  void aKerasModelIsTheRunsMlflowModelSoGateAndPromoteFinishThePipeline() throws Exception {
    TrainingJobSpec spec =
        TrainingJobSpec.builder()
            .setNamePrefix("keras-one")
            .setLauncher(Launcher.TENSORFLOW)
            .addCommand(
                Jobs.python(),
                repoRoot().resolve("examples/training/keras_multiworker.py").toString())
            .addHyperparameter("label", "digit")
            .addHyperparameter("epochs", "3")
            .optDatasetManifest(manifest)
            .optDeadline(Duration.ofMinutes(10))
            .build();
    TrainingResult r = Jobs.backend().submit(spec, jobs.context("keras-one")).await();
    assertEquals(Outcome.SUCCEEDED, r.outcome(), r.reason() + "\n" + jobs.consoleText());
    assertTrue(
        jobs.client.artifacts().list(r.runId(), "model").stream()
            .map(ArtifactInfo::path)
            .anyMatch(p -> p.equals("model/MLmodel")),
        "the output's model.keras is the run's MLflow Model: "
            + jobs.client.artifacts().list(r.runId(), "model"));

    String name = "keras-" + UUID.randomUUID();
    assertEquals(
        0,
        cli(
            "gate",
            "--run-id",
            r.runId(),
            "--condition",
            "test_accuracy >= 0.5",
            "--no-baseline",
            "skip"));
    assertEquals(0, cli("promote", "--name", name, "--run-id", r.runId(), "--alias", "champion"));

    JsonNode loaded = pyfunc("models:/" + name + "@champion");
    assertEquals("mlflow.keras", loaded.get("loader").asText(), loaded.toString());
    assertEquals("[" + loaded.get("rows") + ",10]", loaded.get("shape").toString());
  }

  private int cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--tracking-uri", mlflow.trackingUri()));
    int status =
        MlopsCli.run(
            new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    if (status != 0) {
      System.err.println(out + "\n" + err);
    }
    return status;
  }

  /** MLflow's pyfunc loads the model and predicts the test split's features. */
  private JsonNode pyfunc(String modelUri) throws Exception {
    Path script = work.resolve("pyfunc_predict.py");
    try (InputStream in = DistributedTrainingIT.class.getResourceAsStream("pyfunc_predict.py")) {
      Files.write(script, in.readAllBytes());
    }
    String out =
        PythonEnvironment.shared()
            .runPython(
                Duration.ofMinutes(3),
                script.toString(),
                mlflow.trackingUri(),
                modelUri,
                manifest.getParent().resolve("test.parquet").toString(),
                "digit")
            .requireSuccess()
            .stdout()
            .strip();
    return new ObjectMapper().readTree(out.substring(out.lastIndexOf('\n') + 1));
  }

  @Test
  void theDjlLauncherRunsTheBuiltInTrainerOnThePreparedData() throws Exception {
    Path jar = repoRoot().resolve("trainer/target/trainer.jar");
    assertTrue(
        Files.isRegularFile(jar), jar + " is missing: build the trainer module first (mvn verify)");
    LocalBackend backend =
        new LocalBackend(
            LocalBackend.Options.defaults(System.getenv())
                .withTrainerCommand(
                    List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        jar.toString()))
                .withSyncInterval(Duration.ofMillis(500)));
    TrainingResult r =
        backend
            .submit(
                TrainingJobSpec.builder()
                    .setNamePrefix("djl-digits")
                    .setLauncher(Launcher.DJL)
                    .addHyperparameter("label", "digit")
                    .addHyperparameter("epochs", "5")
                    .optDatasetManifest(manifest)
                    .build(),
                jobs.context("djl-local"))
            .await();

    assertEquals(Outcome.SUCCEEDED, r.outcome(), r.reason() + "\n" + jobs.consoleText());
    assertTrue(r.metrics().get("test_accuracy") >= 0.9, r.metrics().toString());
    Run run = jobs.client.runs().get(r.runId());
    assertEquals("cpu", run.params().get("devices"), "the launcher chose the devices");
    assertEquals(5, jobs.client.runs().metricHistory(r.runId(), "train/epoch_loss").size());
    assertEquals(r.metrics().get("test_accuracy"), run.metrics().get("test_accuracy").value());
    assertTrue(jobs.consoleText().contains("[worker 0] "), "the trainer's lines reach the console");
    // One name per quantity: the series under their TensorBoard names, the summary under its own,
    // no quantity twice (train_loss beside train/epoch_loss, test/accuracy beside test_accuracy).
    java.util.Set<String> keys = run.metrics().keySet();
    assertTrue(keys.contains("validation/epoch_accuracy"), keys.toString());
    for (String key : keys) {
      String plain = key.replace("/epoch_", "_").replace("validation_", "val_").replace('/', '_');
      assertTrue(
          key.equals(plain) || !keys.contains(plain),
          key + " and " + plain + " are one quantity under two names: " + keys);
    }
    assertTrue(keys.stream().noneMatch(k -> k.startsWith("test/")), keys.toString());
    assertTrue(!keys.contains("train_loss") && !keys.contains("val_loss"), keys.toString());
  }

  @Test
  void torchrunWorkersMeetAtRankZerosLoopbackPortAndReduce() throws Exception {
    // What torch.distributed's TCP rendezvous does, without PyTorch: rank 0 listens on
    // MASTER_ADDR:MASTER_PORT, the others connect, rank 0 sums their ranks and answers.
    Path script =
        jobs.script(
            "rendezvous.py",
            "import os, socket, time",
            "rank, world = int(os.environ['RANK']), int(os.environ['WORLD_SIZE'])",
            "addr, port = os.environ['MASTER_ADDR'], int(os.environ['MASTER_PORT'])",
            "print(f'rank {rank} of {world} at {addr}:{port}'",
            "      f' nnodes={os.environ[\"PET_NNODES\"]}', flush=True)",
            "if rank == 0:",
            "    server = socket.create_server((addr, port))",
            "    peers = [server.accept()[0] for _ in range(world - 1)]",
            "    total = sum(int(p.recv(16)) for p in peers)",
            "    for p in peers:",
            "        p.sendall(str(total).encode())",
            "    print(f'rank 0 reduced {total}', flush=True)",
            "else:",
            "    for _ in range(600):",
            "        try:",
            "            c = socket.create_connection((addr, port))",
            "            break",
            "        except OSError:",
            "            time.sleep(0.1)",
            "    c.sendall(str(rank).encode())",
            "    print(f'rank {rank} got {c.recv(16).decode()}', flush=True)");
    TrainingResult r =
        Jobs.backend()
            .submit(
                TrainingJobSpec.builder()
                    .setNamePrefix("rendezvous")
                    .setLauncher(Launcher.TORCHRUN)
                    .addCommand(Jobs.python(), script.toString())
                    .optWorkers(3)
                    .optDeadline(Duration.ofMinutes(2))
                    .build(),
                jobs.context("torchrun-local"))
            .await();

    assertEquals(Outcome.SUCCEEDED, r.outcome(), r.reason() + "\n" + jobs.consoleText());
    assertTrue(r.ranks().get(0).lastLines().contains("rank 0 reduced 3"), r.ranks().toString());
    assertTrue(r.ranks().get(1).lastLines().contains("rank 1 got 3"), r.ranks().toString());
    assertTrue(r.ranks().get(2).lastLines().contains("rank 2 got 3"), r.ranks().toString());
    assertTrue(
        r.ranks()
            .get(2)
            .lastLines()
            .get(0)
            .matches("rank 2 of 3 at 127\\.0\\.0\\.1:\\d+ nnodes=3"));
  }

  @Test
  void aCommandJobGetsTheContractAndItsArgumentsWithoutAShell() throws Exception {
    Path script =
        jobs.script(
            "contract.py",
            "import json, os, sys",
            "for name in ('MLFLOW_TRACKING_URI', 'MLFLOW_RUN_ID', 'MLOPS_DATA_DIR', 'MLOPS_LOGDIR',",
            "             'MLOPS_OUTPUT_DIR', 'MLOPS_CHECKPOINT_DIR', 'MLOPS_PARAM_NOTE', 'TF_CONFIG'):",
            "    print(f'{name}={os.environ.get(name)}')",
            "print('argv=' + json.dumps(sys.argv[1:]))",
            "with open(os.path.join(os.environ['MLOPS_OUTPUT_DIR'], 'metrics.json'), 'w') as f:",
            "    json.dump({'score': 0.75, 'note': 'not a number'}, f)");
    String tricky = "a b; echo pwned > hacked.txt";
    TrainingResult r =
        Jobs.backend()
            .submit(
                TrainingJobSpec.builder()
                    .setNamePrefix("contract")
                    .setLauncher(Launcher.COMMAND)
                    .addCommand(Jobs.python(), script.toString())
                    .addHyperparameter("note", tricky)
                    .optDatasetManifest(manifest)
                    .build(),
                jobs.context("command-local"))
            .await();

    assertEquals(Outcome.SUCCEEDED, r.outcome(), r.reason());
    List<String> lines = r.ranks().get(0).lastLines();
    assertTrue(lines.contains("MLFLOW_RUN_ID=" + r.runId()), lines.toString());
    assertTrue(lines.contains("MLFLOW_TRACKING_URI=" + mlflow.trackingUri()), lines.toString());
    assertTrue(lines.contains("MLOPS_DATA_DIR=" + manifest.getParent()), lines.toString());
    assertTrue(lines.contains("MLOPS_LOGDIR=" + r.logdir()), lines.toString());
    assertTrue(lines.contains("MLOPS_OUTPUT_DIR=" + r.outputDir()), lines.toString());
    assertTrue(lines.contains("MLOPS_PARAM_NOTE=" + tricky), lines.toString());
    assertTrue(lines.contains("TF_CONFIG=None"), "no distribution env: " + lines);
    assertTrue(lines.contains("argv=[\"--note\", \"" + tricky + "\"]"), lines.toString());
    assertTrue(Files.notExists(work.resolve("hacked.txt")), "nothing went through a shell");
    assertEquals(java.util.Map.of("score", 0.75), r.metrics());
    assertEquals(0.75, jobs.client.runs().get(r.runId()).metrics().get("score").value());
    assertEquals(tricky, jobs.client.runs().get(r.runId()).params().get("note"));
  }
}
