package io.jenkins.plugins.mlops.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.MlflowServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The buffered logger never fails a run over what it is given, and says what it changed. */
class RunLoggerIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  @TempDir Path work;
  private final List<String> console = new CopyOnWriteArrayList<>();
  private TrackingClient client;
  private Run run;

  @BeforeEach
  void newRun() {
    client = TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), console::add);
    Experiment experiment = client.experiments().getOrCreate("logger-" + UUID.randomUUID());
    run = client.runs().create(NewRun.of(experiment.id(), "logger"));
  }

  @Test
  void sanitisesInvalidKeysAndReportsEachMappingOnce() {
    try (RunLogger logger = client.logger(run.id())) {
      for (int step = 0; step < 3; step++) {
        logger.logMetric("acc@top1", 0.5 + step, step);
      }
      logger.logParam("optimizer#name", "adam");
    }

    Run read = client.runs().get(run.id());
    assertEquals(2.5, read.latest("acc_top1").orElseThrow(), 0.0);
    assertEquals("adam", read.params().get("optimizer_name"));
    assertEquals(3, client.runs().metricHistory(run.id(), "acc_top1").size());
    assertEquals(
        1,
        console.stream().filter(l -> l.contains("'acc@top1'") && l.contains("'acc_top1'")).count(),
        console.toString());
  }

  @Test
  void cutsOverLongValuesWithOneWarning() {
    try (RunLogger logger = client.logger(run.id())) {
      logger.setTag("notes", "n".repeat(9_000));
      logger.logParam("config", "c".repeat(7_000));
    }

    Run read = client.runs().get(run.id());
    assertEquals(8_000, read.tags().get("notes").length());
    assertEquals(6_000, read.params().get("config").length());
    assertTrue(console.stream().anyMatch(l -> l.contains("tag 'notes' has 9000 characters")));
    assertTrue(console.stream().anyMatch(l -> l.contains("param 'config' has 7000 characters")));
  }

  @Test
  void aChangedParamIsDroppedWithAWarningAndTheMetricsStillArrive() {
    client.runs().logParam(run.id(), "lr", "0.1"); // logged earlier, e.g. by the training script

    try (RunLogger logger = client.logger(run.id(), Duration.ofMinutes(1))) {
      logger.logParam("lr", "0.2"); // the server refuses this change ...
      logger.logParam("batch", "32");
      logger.logParam("batch", "64"); // ... and this one the logger drops itself
      logger.logMetric("loss", 0.25, 1);
    }

    Run read = client.runs().get(run.id());
    assertEquals("0.1", read.params().get("lr"));
    assertEquals("32", read.params().get("batch"));
    assertEquals(0.25, read.latest("loss").orElseThrow(), 0.0);
    assertTrue(
        console.stream().anyMatch(l -> l.contains("param 'lr' was not logged")),
        console.toString());
    assertTrue(console.stream().anyMatch(l -> l.contains("param 'batch' keeps its first value")));
  }

  @Test
  void flushesOnItsScheduleWithoutBeingAsked() throws Exception {
    RunLogger logger = client.logger(run.id(), Duration.ofMillis(100));
    logger.logMetric("loss", 1.0, 0);

    long deadline = System.currentTimeMillis() + 10_000;
    while (client.runs().get(run.id()).metrics().isEmpty()
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }

    assertEquals(1.0, client.runs().get(run.id()).latest("loss").orElseThrow(), 0.0);
    logger.finish(RunStatus.FAILED);
    assertEquals(RunStatus.FAILED, client.runs().get(run.id()).info().status());
  }
}
