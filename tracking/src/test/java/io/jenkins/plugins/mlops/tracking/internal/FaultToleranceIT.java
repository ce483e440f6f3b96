package io.jenkins.plugins.mlops.tracking.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.harness.FaultProxy;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.internal.MlflowServerProcess;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.RetryPolicy;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunLogger;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults between us and a real MLflow server: injected by a loopback proxy (429 with Retry-After,
 * 503 bursts, dropped connections) or by killing and restarting the server. Afterwards every metric
 * point is present exactly once.
 */
class FaultToleranceIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  private static final RetryPolicy QUICK =
      new RetryPolicy(8, Duration.ofMillis(50), Duration.ofSeconds(2), 2.0, Duration.ofSeconds(20));
  private static final RetryPolicy SHORT =
      new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(200), 2.0, Duration.ofSeconds(2));

  @TempDir Path work;
  private final List<String> console = new CopyOnWriteArrayList<>();

  private TrackingClient client(String uri, RetryPolicy retry) {
    TrackingConfig config =
        TrackingConfig.parse(uri, work).withRetry(retry).withSpoolDir(work.resolve("spool"));
    return TrackingClient.open(config, console::add);
  }

  private static Run newRun(TrackingClient client) {
    Experiment experiment = client.experiments().getOrCreate("faults-" + UUID.randomUUID());
    return client.runs().create(NewRun.of(experiment.id(), "faulty"));
  }

  private static List<Metric> points(int from, int to) {
    List<Metric> points = new ArrayList<>();
    for (int step = from; step < to; step++) {
      points.add(new Metric("loss", 1.0 / (step + 1), 1_700_000_000_000L + step, step));
    }
    return points;
  }

  private static void assertExactlyOnce(TrackingClient client, String runId, List<Metric> logged) {
    List<Metric> history = client.runs().metricHistory(runId, "loss");
    assertEquals(logged.size(), history.size(), "no point lost, none duplicated");
    assertEquals(new HashSet<>(logged), new HashSet<>(history));
  }

  @Test
  void retriesThrough429And503AndDroppedConnections() {
    try (FaultProxy proxy = FaultProxy.start(mlflow.uri());
        TrackingClient client = client(proxy.uri().toString(), QUICK)) {
      Run run = newRun(client);
      proxy.failNext("log-batch", 2, 429, Map.of("Retry-After", "1"));
      proxy.failNext("log-batch", 3, 503, Map.of());
      proxy.dropNext("log-batch", 3);
      List<Metric> logged = points(0, 5_000);

      long start = System.nanoTime();
      try (RunLogger logger = client.logger(run.id())) {
        logged.forEach(logger::logMetric);
        logger.finish(RunStatus.FINISHED);
      }

      assertEquals(0, proxy.pendingFaults(), proxy.toString());
      assertEquals(8, proxy.injected());
      assertTrue(System.nanoTime() - start >= 2_000_000_000L, "Retry-After: 1 was honoured twice");
      assertExactlyOnce(client, run.id(), logged);
      assertEquals(RunStatus.FINISHED, client.runs().get(run.id()).info().status());
      assertTrue(console.stream().anyMatch(l -> l.contains("HTTP 429")), console.toString());
      assertTrue(console.stream().anyMatch(l -> l.contains("no answer")), console.toString());
    }
  }

  @Test
  void spoolsWhileTheServerIsDownAndFinishesOnlyAfterReplay() {
    try (MlflowServerProcess server = MlflowServer.startStandalone(List.of());
        TrackingClient client = client(server.uri().toString(), SHORT)) {
      Run run = newRun(client);
      List<Metric> logged = points(0, 7_000);
      // A small spill threshold, so that points logged during the outage also take the spill path.
      RunLogger logger =
          new BufferedRunLogger(
              run.id(),
              new BatchSender(newTransport(client, SHORT), console::add),
              new Spool(work.resolve("spool"), console::add),
              client.runs(),
              Duration.ofMinutes(10), // no timed flush: only the explicit ones below
              console::add,
              2_000);
      logged.subList(0, 3_000).forEach(logger::logMetric);
      logger.flush();

      server.kill();
      logged.subList(3_000, 4_000).forEach(logger::logMetric);
      logger.setTag("phase", "after-crash");
      logger.flush(); // the server is gone: this goes to the spool, and the logger knows it
      logged.subList(4_000, 7_000).forEach(logger::logMetric); // past 2,000 unsent: spilled
      logger.flush();
      assertTrue(logger.spooled() > 0, "requests wait in the spool");
      MlflowException notYet =
          assertThrows(MlflowException.class, () -> logger.finish(RunStatus.FINISHED));
      assertTrue(notYet.isTransient(), notYet.getMessage());

      server.restart();
      logger.finish(RunStatus.FINISHED);
      logger.close();

      assertEquals(0, logger.spooled());
      assertExactlyOnce(client, run.id(), logged);
      Run read = client.runs().get(run.id());
      assertEquals(RunStatus.FINISHED, read.info().status());
      assertEquals("after-crash", read.tags().get("phase"));
      assertTrue(console.stream().anyMatch(l -> l.contains("spooled")), console.toString());
      assertTrue(
          console.stream().anyMatch(l -> l.contains("wait for the server; spooling them")),
          "the spill path ran: " + console);
    }
  }

  @Test
  void refusedCredentialsKeepTheDataForAReplay() {
    try (FaultProxy proxy = FaultProxy.start(mlflow.uri());
        TrackingClient client = client(proxy.uri().toString(), QUICK)) {
      Run run = newRun(client);
      List<Metric> logged = points(0, 900); // one request, sent when flushed
      RunLogger logger = client.logger(run.id(), Duration.ofMinutes(1));
      proxy.failNext("log-batch", 1, 401, Map.of());

      logged.forEach(logger::logMetric);
      MlflowException refused = assertThrows(MlflowException.class, logger::flush);

      assertEquals(401, refused.status());
      assertTrue(logger.spooled() > 0, "the refused requests wait in the spool");
      logger.finish(RunStatus.FINISHED); // credentials fixed: the replay delivers them
      assertExactlyOnce(client, run.id(), logged);
    }
  }

  @Test
  void aSlowServerMakesTheCallerWaitInsteadOfSpooling() {
    try (TrackingClient client = client(mlflow.trackingUri(), QUICK)) {
      Run run = newRun(client);
      RestTransport rest = newTransport(client);
      Spool spool = new Spool(work.resolve("spool"), console::add);
      List<Metric> logged = points(0, 20_000);

      try (BufferedRunLogger logger =
          new BufferedRunLogger(
              run.id(),
              new BatchSender(rest, console::add),
              spool,
              client.runs(),
              Duration.ofSeconds(1),
              console::add,
              3_000)) {
        logged.forEach(logger::logMetric); // far faster than the server takes them
        logger.finish(RunStatus.FINISHED);
      }

      assertEquals(0, spool.pending(run.id()));
      assertFalse(Files.exists(work.resolve("spool")), "nothing was spooled: " + console);
      assertExactlyOnce(client, run.id(), logged);
    }
  }

  @Test
  void replayAfterACrashMidFlushSendsNoDuplicates() {
    try (TrackingClient client = client(mlflow.trackingUri(), QUICK)) {
      Run run = newRun(client);
      List<Metric> logged = points(0, 3_000);
      List<ObjectNode> bodies =
          BatchSplitter.split(run.id(), logged, Map.of("lr", "0.1"), Map.of());
      TrackingConfig config =
          TrackingConfig.parse(mlflow.trackingUri(), work).withSpoolDir(work.resolve("spool"));
      Spool spool = Spool.forOwner(config.spoolDir(), Spool.Owner.of(config), console::add);
      spool.append(run.id(), bodies);
      BatchSender sender = new BatchSender(newTransport(client), console::add);
      Set<Integer> seen = new HashSet<>();

      // The process "dies" right after the server took the second request, before it was recorded.
      assertThrows(
          IllegalStateException.class,
          () ->
              spool.drain(
                  run.id(),
                  body -> {
                    sender.send(body);
                    if (seen.size() == 1) {
                      throw new IllegalStateException("crash");
                    }
                    seen.add(body.hashCode());
                  }));
      assertEquals(
          bodies.size() - 1, spool.pending(run.id()), "the second request counts as undelivered");

      // A new process replays what the old one left.
      int delivered = client.replaySpool();

      assertEquals(bodies.size() - 1, delivered);
      assertEquals(0, spool.pending(run.id()));
      assertFalse(Files.exists(spool.dir().resolve(run.id() + ".jsonl")));
      assertExactlyOnce(client, run.id(), logged);
      assertEquals("0.1", client.runs().get(run.id()).params().get("lr"));
    }
  }

  private RestTransport newTransport(TrackingClient client) {
    return newTransport(client, QUICK);
  }

  private RestTransport newTransport(TrackingClient client, RetryPolicy retry) {
    return new RestTransport(
        TrackingConfig.parse(client.trackingUri().toString(), work).withRetry(retry),
        d -> Thread.sleep(d.toMillis()),
        console::add);
  }
}
