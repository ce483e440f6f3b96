package io.jenkins.plugins.mlops.steps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.FaultProxy;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.tensorboard.EventFileWriter;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlops sync} as the packaged jar when the server loses requests: nothing counts as sent
 * before the server has it, and nothing is lost when the next sync starts in another directory.
 */
class SyncSpoolIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();
  private static final Path JAR = Path.of(System.getProperty("mlops.cliJar"));

  @TempDir Path work;
  private TrackingClient client;

  private record Outcome(int status, String output) {}

  @BeforeEach
  void open() {
    client = TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), line -> {});
  }

  @AfterEach
  void close() {
    client.close();
  }

  /** {@code mlops sync} run from {@code dir} against {@code server}, one attempt per request. */
  private Outcome sync(Path dir, URI server, Map<String, String> env, String... args)
      throws Exception {
    List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString(), "sync"));
    command.addAll(List.of(args));
    Path log = Files.createTempFile(work, "sync", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(Files.createDirectories(dir).toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("MLFLOW_") || k.startsWith("MLOPS_"));
    builder.environment().put("MLFLOW_TRACKING_URI", server.toString());
    builder.environment().put("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0");
    builder.environment().putAll(env);
    Process process = builder.start();
    assertTrue(process.waitFor(3, TimeUnit.MINUTES), Files.readString(log));
    return new Outcome(process.exitValue(), Files.readString(log));
  }

  private Run newRun() {
    Experiment e = client.experiments().getOrCreate("sync-spool-" + UUID.randomUUID());
    return client.runs().create(NewRun.of(e.id(), "target"));
  }

  private static Path logdir(Path work, int points) {
    Path logdir = work.resolve("logs");
    try (EventFileWriter w = EventFileWriter.open(logdir.resolve("train"))) {
      for (int step = 0; step < points; step++) {
        w.scalar("epoch_loss", step, 1.0 / (step + 1));
      }
    }
    return logdir;
  }

  @Test
  void pointsTheServerNeverGotAreNotSyncedAndTheNextSyncFromElsewhereSendsThem() throws Exception {
    Path logdir = logdir(work, 2500);
    Run run = newRun();

    Outcome failed;
    try (FaultProxy proxy = FaultProxy.start(mlflow.uri())) {
      proxy.failNext("log-batch", 1000, 503, Map.of());
      failed =
          sync(
              work.resolve("first"),
              proxy.uri(),
              Map.of(),
              "--logdir",
              logdir.toString(),
              "--run-id",
              run.id());
    }

    assertEquals(4, failed.status(), failed.output());
    Path spool = logdir.resolve(".mlops-sync").resolve("spool");
    assertTrue(
        failed.output().contains("did not reach the server; they wait in the spool " + spool),
        failed.output());
    assertTrue(
        failed.output().contains("mlops sync --logdir " + logdir + " --run-id " + run.id()),
        failed.output());
    assertFalse(failed.output().contains("synced " + logdir), failed.output());
    assertEquals(0, client.runs().metricHistory(run.id(), "train/epoch_loss").size());

    Outcome again =
        sync(
            work.resolve("second"),
            mlflow.uri(),
            Map.of(),
            "--logdir",
            logdir.toString(),
            "--run-id",
            run.id());

    assertEquals(0, again.status(), again.output());
    assertTrue(again.output().contains("synced " + logdir + ": 2,500 points"), again.output());
    assertEquals(2500, client.runs().metricHistory(run.id(), "train/epoch_loss").size());
  }
}
