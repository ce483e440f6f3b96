package io.jenkins.plugins.mlops.steps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import io.jenkins.plugins.mlops.harness.internal.MlflowServerProcess;
import io.jenkins.plugins.mlops.steps.data.DataChecks;
import io.jenkins.plugins.mlops.steps.data.DatasetPreparer;
import io.jenkins.plugins.mlops.steps.data.PrepareSpec;
import io.jenkins.plugins.mlops.steps.data.Split;
import io.jenkins.plugins.mlops.tracking.Credentials;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.Secret;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlops train} against MLflow's own basic-auth app: the built-in trainer logs from inside
 * its worker with the caller's credentials, which travel in environments only (never in a process
 * argument list, a file, a log or the result).
 */
class TrainCredentialsIT {

  private static final String PASSWORD = "Tr41n-" + UUID.randomUUID();
  private static MlflowServerProcess server;

  @TempDir static Path shared;
  @TempDir Path work;
  private static Path manifest;

  @BeforeAll
  static void startServerAndPrepareWine() {
    server = MlflowServer.startBasicAuth(PASSWORD);
    Path csv = shared.resolve("wine.csv");
    PythonEnvironment.shared()
        .runPython(
            Duration.ofMinutes(3),
            "-c",
            "import sys; from sklearn.datasets import load_wine;"
                + " load_wine(as_frame=True).frame.to_csv(sys.argv[1], index=False)",
            csv.toString())
        .requireSuccess();
    DatasetPreparer.prepare(
        PrepareSpec.builder()
            .addInput(csv.toString())
            .setOutput(shared.resolve("wine"))
            .optLabel("target")
            .optStratify(true)
            .optSeed(7)
            .setSplits(Split.parse("train=0.7,validation=0.15,test=0.15"))
            .optChecks(DataChecks.NONE)
            .build(),
        shared,
        line -> {});
    manifest = shared.resolve("wine").resolve("manifest.json");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theBuiltInTrainerLogsIntoAPasswordProtectedServerWithCredentialsInEnvironmentsOnly()
      throws Exception {
    Path jar =
        Path.of(System.getProperty("mlops.repoRoot", ".."))
            .toAbsolutePath()
            .normalize()
            .resolve("trainer/target/trainer.jar");
    assertTrue(Files.isRegularFile(jar), jar + " is missing: build the trainer module first");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("mlops.cliJar"),
                "train",
                "--launcher",
                "djl",
                "--data",
                manifest.toString(),
                "--param",
                "label=target",
                "--param",
                "epochs=3",
                "--experiment",
                "basic-auth",
                "--work-dir",
                work.toString(),
                "--json")
            .directory(work.toFile())
            .redirectOutput(work.resolve("cli.out").toFile())
            .redirectError(work.resolve("cli.err").toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("MLFLOW_") || k.startsWith("MLOPS_"));
    env.put("MLFLOW_TRACKING_URI", server.uri().toString());
    env.put("MLFLOW_TRACKING_USERNAME", "admin");
    env.put("MLFLOW_TRACKING_PASSWORD", PASSWORD);
    env.put("MLOPS_TRAINER_JAR", jar.toString());
    Process cli = builder.start();

    // While the job runs (the trainer's JVM among it), no process shows the password in its
    // argument list; the wait for the job's end is the pace of the scan.
    TreeSet<String> exposed = new TreeSet<>();
    long scans = 0;
    long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (!cli.waitFor(50, TimeUnit.MILLISECONDS)) {
      assertTrue(System.nanoTime() < end, "mlops train did not end within 5 minutes");
      exposed.addAll(commandLinesWith(PASSWORD));
      scans++;
    }
    String out = Files.readString(work.resolve("cli.out"));
    String err = Files.readString(work.resolve("cli.err"));

    assertEquals(0, cli.exitValue(), err);
    assertEquals(List.of(), List.copyOf(exposed), "process arguments with the password");
    assertTrue(scans > 0, "the scan ran while the job did");
    JsonNode result = new ObjectMapper().readTree(out);
    assertEquals("SUCCEEDED", result.get("outcome").asText(), out);
    assertEquals(List.of(), filesWith(work, PASSWORD), "files under the work dir");
    assertTrue(!out.contains(PASSWORD) && !err.contains(PASSWORD), "the CLI's own output");
    assertTrue(!server.output().contains(PASSWORD), "the server log");

    TrackingConfig admin =
        TrackingConfig.parse(server.uri().toString(), work)
            .withCredentials(new Credentials.Basic("admin", Secret.of(PASSWORD)));
    try (TrackingClient client = TrackingClient.open(admin, line -> {})) {
      Run run = client.runs().get(result.get("runId").asText());
      assertEquals("djl", run.tags().get("mlops.trainer"), "the trainer logged from its worker");
      assertEquals("3", run.params().get("epochs"), run.params().toString());
      assertEquals(
          result.get("metrics").get("test_accuracy").asDouble(),
          run.metrics().get("test_accuracy").value());
      assertTrue(
          client.artifacts().list(run.info().runId(), "").stream()
              .anyMatch(a -> a.path().equals("model")),
          "the trainer uploaded its model");
    }
  }

  /** The pids whose {@code /proc/<pid>/cmdline} contains {@code secret}. */
  private static List<String> commandLinesWith(String secret) throws IOException {
    List<String> hits = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.toList()) {
        if (!proc.getFileName().toString().matches("\\d+")) {
          continue;
        }
        try {
          String cmdline =
              new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cmdline.contains(secret)) {
            hits.add(proc.getFileName() + ": " + cmdline.replace('\0', ' ').replace(secret, "***"));
          }
        } catch (IOException gone) {
          // the process ended, or is not ours to read
        }
      }
    }
    return hits;
  }

  private static List<String> filesWith(Path dir, String secret) throws IOException {
    List<String> hits = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(f);
        if (new String(bytes, StandardCharsets.ISO_8859_1).contains(secret)) {
          hits.add(dir.relativize(f).toString());
        }
      }
    }
    return hits;
  }
}
