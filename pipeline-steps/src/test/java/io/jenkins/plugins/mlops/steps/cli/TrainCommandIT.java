package io.jenkins.plugins.mlops.steps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import io.jenkins.plugins.mlops.harness.PythonPeers;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlops train} running real jobs into the real MLflow server, with its JSON result. */
class TrainCommandIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  @TempDir Path work;

  private record Outcome(int status, String out, String err) {}

  private Outcome train(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of("--experiment", "cli-train"));
    all.addAll(List.of(args));
    return mlops("train", all.toArray(String[]::new));
  }

  private Outcome mlops(String command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all =
        new java.util.ArrayList<>(
            List.of(
                command, "--tracking-uri", mlflow.trackingUri(), "--work-dir", work.toString()));
    if (command.equals("prepare")) {
      all.remove("--work-dir");
      all.remove(work.toString());
    }
    all.addAll(List.of(args));
    int status =
        MlopsCli.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
    return new Outcome(status, out.toString(), err.toString());
  }

  @Test
  void aSpecFileJobPrintsItsResultAsJsonAndLogsIntoMlflow() throws Exception {
    Path script = work.resolve("train.py");
    Files.write(
        script,
        List.of(
            "import json, os, sys",
            "print('training with', sys.argv[1:], flush=True)",
            "with open(os.path.join(os.environ['MLOPS_OUTPUT_DIR'], 'metrics.json'), 'w') as f:",
            "    json.dump({'test_accuracy': 0.93}, f)"));
    Path spec = work.resolve("job.yaml");
    Files.write(
        spec,
        List.of(
            "name: cli-job",
            "launcher: command",
            "command: [" + PythonEnvironment.shared().python() + ", train.py]",
            "hyperparameters: {epochs: 3}"));

    Outcome o = train("--spec", spec.toString(), "--param", "epochs=5", "--json");

    assertEquals(0, o.status(), o.err());
    JsonNode result = new ObjectMapper().readTree(o.out());
    assertEquals("SUCCEEDED", result.get("outcome").asText());
    assertTrue(result.get("name").asText().startsWith("cli-job-"));
    assertEquals(0.93, result.get("metrics").get("test_accuracy").asDouble());
    assertTrue(o.err().contains("[worker 0] training with ['--epochs', '5']"), o.err());
    String runId = result.get("runId").asText();
    JsonNode run = new ObjectMapper().readTree(PythonPeers.readRun(mlflow.trackingUri(), runId));
    assertEquals("5", run.get("params").get("epochs").asText(), run.toString());
    assertEquals(0.93, run.get("metrics").get("test_accuracy").asDouble(), run.toString());
    assertEquals("FINISHED", run.get("status").asText());
  }

  @Test
  void sigtermToMlopsTrainStopsEveryWorkerProcessAndRecordsTheCancel() throws Exception {
    Path script = work.resolve("sleeper.py");
    Files.write(
        script,
        List.of(
            "import os, subprocess, sys, time",
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])",
            "index = os.environ['MLOPS_WORKER_INDEX']",
            "with open(f'pids-{index}.tmp', 'w') as f:",
            "    f.write(f'{os.getpid()} {child.pid}')",
            "os.replace(f'pids-{index}.tmp', f'pids-{index}')",
            "print('sleeping', flush=True)",
            "time.sleep(600)"));
    Process cli =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("mlops.cliJar"),
                "train",
                "--tracking-uri",
                mlflow.trackingUri(),
                "--work-dir",
                work.toString(),
                "--job-key",
                "sigterm",
                "--launcher",
                "tensorflow",
                "--workers",
                "2",
                "--",
                PythonEnvironment.shared().python().toString(),
                script.toString())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("cli.log").toFile())
            .start();
    long end = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    while (!(Files.exists(work.resolve("pids-0")) && Files.exists(work.resolve("pids-1")))) {
      assertTrue(
          System.nanoTime() < end && cli.isAlive(), Files.readString(work.resolve("cli.log")));
      Thread.sleep(100);
    }
    List<Long> pids = new java.util.ArrayList<>();
    for (String f : List.of("pids-0", "pids-1")) {
      for (String pid : Files.readString(work.resolve(f)).split(" ")) {
        pids.add(Long.parseLong(pid));
      }
    }

    cli.destroy();
    assertTrue(cli.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "mlops train ended");
    assertEquals(143, cli.exitValue(), "128 + SIGTERM, the Unix convention the README documents");

    String log = Files.readString(work.resolve("cli.log"));
    assertEquals(
        List.of(),
        pids.stream()
            .filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))
            .filter(p -> !zombie(p))
            .toList(),
        "no worker process is left behind:\n" + log);
    Path resultFile =
        Files.list(work.resolve("mlops-jobs")).findFirst().orElseThrow().resolve("result.json");
    JsonNode result = new ObjectMapper().readTree(resultFile.toFile());
    assertEquals("CANCELLED", result.get("outcome").asText(), log);
    assertTrue(result.get("reason").asText().contains("shutting down"), log);
    JsonNode run =
        new ObjectMapper()
            .readTree(PythonPeers.readRun(mlflow.trackingUri(), result.get("runId").asText()));
    assertEquals("KILLED", run.get("status").asText(), run.toString());
  }

  private static boolean zombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
    } catch (java.io.IOException e) {
      return true;
    }
  }

  @Test
  void aRunOnPreparedDataGoesToTheDataSetsExperimentUnlessOneIsGiven() throws Exception {
    List<String> rows = new java.util.ArrayList<>(List.of("x,label"));
    for (int i = 0; i < 60; i++) {
      rows.add(i + "," + (i % 2));
    }
    Files.write(work.resolve("wine.csv"), rows);
    String[] prepare = {
      "--input",
      work.resolve("wine.csv").toString(),
      "--label",
      "label",
      "--split",
      "train=0.8,test=0.2",
      "--output"
    };
    List<String> named = new java.util.ArrayList<>(List.of(prepare));
    named.addAll(List.of(work.resolve("prepared").toString(), "--dataset-name", "wine"));
    assertEquals(0, mlops("prepare", named.toArray(String[]::new)).status());
    List<String> unnamed = new java.util.ArrayList<>(List.of(prepare));
    unnamed.add(work.resolve("penguins").toString());
    assertEquals(0, mlops("prepare", unnamed.toArray(String[]::new)).status());

    Outcome wine = mlops("train", trivialJobOn("prepared"));
    Outcome penguins = mlops("train", trivialJobOn("penguins"));
    Outcome given = train(trivialJobOn("prepared"));

    assertEquals(0, wine.status(), wine.err());
    assertEquals("wine", experimentOf(wine), wine.err());
    assertTrue(wine.err().contains("in experiment wine"), wine.err());
    assertEquals("penguins", experimentOf(penguins), penguins.err());
    assertEquals("cli-train", experimentOf(given), given.err());
  }

  @Test
  void aMisspeltTrainerSettingIsAUsageErrorBeforeAnyRunIsMade() throws Exception {
    List<String> rows = new java.util.ArrayList<>(List.of("x,label"));
    for (int i = 0; i < 40; i++) {
      rows.add(i + "," + (i % 2));
    }
    Files.write(work.resolve("data.csv"), rows);
    Outcome prepared =
        mlops(
            "prepare",
            "--input",
            work.resolve("data.csv").toString(),
            "--label",
            "label",
            "--split",
            "train=0.75,test=0.25",
            "--output",
            work.resolve("checked").toString());
    assertEquals(0, prepared.status(), prepared.err());
    String experiment = "settings-" + java.util.UUID.randomUUID();

    Outcome o =
        mlops(
            "train",
            "--experiment",
            experiment,
            "--launcher",
            "djl",
            "--data",
            work.resolve("checked").toString(),
            "--param",
            "epoch=3");

    assertEquals(2, o.status(), o.err());
    assertTrue(o.err().contains("--param epoch"), o.err());
    assertTrue(o.err().contains("epochs"), "the nearest setting is suggested: " + o.err());
    assertTrue(!o.err().contains("MLOPS_PARAM_"), o.err());
    try (TrackingClient client =
        TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), line -> {})) {
      assertTrue(
          client.experiments().findByName(experiment).isEmpty(),
          "no experiment, no run was made for a job refused at submit");
    }
    assertTrue(!Files.exists(work.resolve("mlops-jobs")), "no job directory either");
  }

  /** The options of a job that does nothing, on the data prepared in {@code dir}. */
  private String[] trivialJobOn(String dir) {
    return new String[] {
      "--launcher",
      "command",
      "--data",
      work.resolve(dir).toString(),
      "--json",
      "--",
      PythonEnvironment.shared().python().toString(),
      "-c",
      "pass"
    };
  }

  private String experimentOf(Outcome o) throws Exception {
    JsonNode result = new ObjectMapper().readTree(o.out());
    try (TrackingClient client =
        TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), line -> {})) {
      return client.experiments().get(result.get("experimentId").asText()).name();
    }
  }

  @Test
  void aFailedJobExitsOneAndSaysWhichWorkerAndWhy() {
    Outcome o =
        train(
            "--launcher",
            "command",
            "--",
            PythonEnvironment.shared().python().toString(),
            "-c",
            "import sys; print('out of data', flush=True); sys.exit(7)");

    assertEquals(1, o.status(), o.err());
    assertTrue(o.err().contains("worker 0 exited with code 7"), o.err());
    String both = o.out() + o.err();
    assertEquals(
        1,
        both.split("failed after", -1).length - 1,
        "the outcome is told once, not on both streams: " + both);
    assertTrue(o.err().contains("    | out of data"), o.err());
  }
}
