package io.jenkins.plugins.mlops.tracking.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.internal.MlflowServerProcess;
import io.jenkins.plugins.mlops.tracking.Credentials;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.RetryPolicy;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunLogger;
import io.jenkins.plugins.mlops.tracking.Secret;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spooled requests belong to the identity that made them, against MLflow's own basic-auth app: what
 * the server refused to a read-only user is not written later under an admin's credentials by a
 * client sharing the spool, unless the admin asks for it.
 */
class SpoolOwnerIT {

  private static final String ADMIN_PASSWORD = "Adm1n-" + UUID.randomUUID();
  private static final String READER_PASSWORD = "Re4d3r-" + UUID.randomUUID();
  private static final RetryPolicy QUICK =
      new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(200), 2.0, Duration.ofSeconds(5));

  private static MlflowServerProcess server;

  @TempDir Path work;
  private final List<String> console = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServerWithAReadOnlyUser() throws Exception {
    server = MlflowServer.startBasicAuth(ADMIN_PASSWORD);
    HttpResponse<String> created =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(server.uri().resolve("/api/2.0/mlflow/users/create"))
                    .header("Content-Type", "application/json")
                    .header(
                        "Authorization",
                        "Basic "
                            + Base64.getEncoder()
                                .encodeToString(
                                    ("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"username\": \"reader\", \"password\": \""
                                + READER_PASSWORD
                                + "\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, created.statusCode(), created.body());
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private TrackingConfig as(String user, String password) {
    return TrackingConfig.parse(server.uri().toString(), work)
        .withCredentials(new Credentials.Basic(user, Secret.of(password)))
        .withRetry(QUICK)
        .withSpoolDir(work.resolve("spool"));
  }

  /** The server's address as messages show it. */
  private static String address() {
    return server.uri().toString().replaceAll("/+$", "");
  }

  private static List<Metric> points(int count) {
    List<Metric> points = new ArrayList<>();
    for (int step = 0; step < count; step++) {
      points.add(new Metric("loss", 1.0 / (step + 1), 1_700_000_000_000L + step, step));
    }
    return points;
  }

  @Test
  void requestsRefusedToAReadOnlyUserAreReplayedByAnotherOnlyWhenAsked() throws Exception {
    TrackingConfig admin = as("admin", ADMIN_PASSWORD);
    Run run;
    try (TrackingClient client = TrackingClient.open(admin, console::add)) {
      Experiment experiment = client.experiments().getOrCreate("owners-" + UUID.randomUUID());
      run = client.runs().create(NewRun.of(experiment.id(), "shared"));
    }

    // The read-only user's writes are refused; the spool keeps them, in that user's folder.
    try (TrackingClient reader = TrackingClient.open(as("reader", READER_PASSWORD), console::add)) {
      RunLogger logger = reader.logger(run.id(), Duration.ofMinutes(1));
      points(900).forEach(logger::logMetric);
      MlflowException refused = assertThrows(MlflowException.class, logger::flush);
      assertEquals(403, refused.status(), refused.getMessage());
      assertEquals(1, logger.spooled());
      assertTrue(logger.spoolDir().startsWith(work.resolve("spool")), logger.spoolDir().toString());
      assertThrows(MlflowException.class, logger::close);
    }

    // The admin's client, sharing the spool, leaves them alone and says whose they are.
    try (TrackingClient client = TrackingClient.open(admin, console::add)) {
      assertEquals(0, client.replaySpool());
      assertEquals(0, client.replaySpool()); // and says it once
      assertEquals(List.of(), client.runs().metricHistory(run.id(), "loss"));
    }
    List<String> warnings = console.stream().filter(l -> l.contains("are not replayed")).toList();
    assertEquals(1, warnings.size(), console.toString());
    assertTrue(
        warnings
            .get(0)
            .contains(
                "1 spooled request(s) of run "
                    + run.id()
                    + " were made by user 'reader' at "
                    + address()),
        warnings.get(0));
    assertTrue(warnings.get(0).contains("MLOPS_SPOOL_REPLAY_OTHERS=true"), warnings.get(0));

    // Asked explicitly, the admin sends them under the admin's name.
    try (TrackingClient client = TrackingClient.open(admin.withReplayOthers(true), console::add)) {
      assertEquals(1, client.replaySpool());
      assertEquals(900, client.runs().metricHistory(run.id(), "loss").size());
    }
    assertTrue(
        console.stream()
            .anyMatch(
                l ->
                    l.contains("that user 'reader' at " + address() + " spooled, as user 'admin'")),
        console.toString());

    // Neither password is anywhere in the spool or the messages.
    try (Stream<Path> files = Files.walk(work)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        assertFalse(text.contains(READER_PASSWORD), file.toString());
        assertFalse(text.contains(ADMIN_PASSWORD), file.toString());
      }
    }
    assertFalse(String.join("\n", console).contains(READER_PASSWORD));
    assertFalse(String.join("\n", console).contains(ADMIN_PASSWORD));
  }

  @Test
  void aSpoolMadeForAnotherServerAddressIsNotSentHere() throws Exception {
    TrackingConfig admin = as("admin", ADMIN_PASSWORD);
    Run run;
    try (TrackingClient client = TrackingClient.open(admin, console::add)) {
      Experiment experiment = client.experiments().getOrCreate("servers-" + UUID.randomUUID());
      run = client.runs().create(NewRun.of(experiment.id(), "elsewhere"));
    }
    TrackingConfig elsewhere =
        TrackingConfig.parse("http://staging.invalid:5000", work)
            .withCredentials(new Credentials.Basic("admin", Secret.of(ADMIN_PASSWORD)))
            .withSpoolDir(work.resolve("spool"));
    Spool spool = Spool.forOwner(elsewhere.spoolDir(), Spool.Owner.of(elsewhere), console::add);
    spool.append(
        run.id(),
        BatchSplitter.split(run.id(), points(10), java.util.Map.of(), java.util.Map.of()));

    // Not sent here, even when another identity's requests may be replayed: another server's.
    try (TrackingClient client = TrackingClient.open(admin.withReplayOthers(true), console::add)) {
      assertEquals(0, client.replaySpool());
      assertEquals(List.of(), client.runs().metricHistory(run.id(), "loss"));
    }
    assertTrue(
        console.stream()
            .anyMatch(
                l ->
                    l.contains("were made by user 'admin' at http://staging.invalid:5000, not for ")
                        && l.contains("are never sent here")),
        console.toString());
    assertEquals(1, spool.pending(run.id()), "the other server's requests are kept");
  }
}
