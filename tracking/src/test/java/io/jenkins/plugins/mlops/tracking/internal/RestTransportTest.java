package io.jenkins.plugins.mlops.tracking.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.tracking.Credentials;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.RetryPolicy;
import io.jenkins.plugins.mlops.tracking.Secret;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RestTransportTest {

  private ScriptedServer server;
  private final List<Duration> waits = new ArrayList<>();
  private final List<String> console = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = new ScriptedServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private RestTransport transport(Credentials credentials) {
    TrackingConfig config =
        TrackingConfig.parse(server.uri().toString(), Path.of("."))
            .withCredentials(credentials)
            .withRetry(
                new RetryPolicy(
                    5, Duration.ofMillis(100), Duration.ofSeconds(10), 2.0, Duration.ofMinutes(1)));
    return new RestTransport(config, waits::add, console::add);
  }

  private RestTransport transport() {
    return transport(Credentials.none());
  }

  @Test
  void aRequestWaitingLongForItsAnswerSaysSoWhileItWaits() throws Exception {
    java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(2);
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    com.sun.net.httpserver.HttpServer stalled =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    stalled.createContext(
        "/",
        exchange -> {
          try { // a server that stopped answering, until the client said twice that it waits
            reported.await(60, java.util.concurrent.TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body = "{\"ok\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    stalled.start();
    String address = "http://127.0.0.1:" + stalled.getAddress().getPort();
    try {
      RestTransport transport =
          new RestTransport(
              TrackingConfig.parse(address, Path.of(".")),
              waits::add,
              line -> {
                lines.add(line);
                reported.countDown();
              },
              Duration.ofMillis(100));

      assertTrue(transport.get("runs/get", Map.of()).get("ok").asBoolean());
    } finally {
      stalled.stop(0);
    }

    assertTrue(lines.size() >= 2, lines.toString());
    assertTrue(
        lines
            .get(0)
            .matches(
                "mlflow: GET api/2\\.0/mlflow/runs/get has waited \\d+ s for an answer from "
                    + java.util.regex.Pattern.quote(address)
                    + "/ \\(it gives up after 120 s: MLFLOW_HTTP_REQUEST_TIMEOUT\\)"),
        lines.get(0));
    assertEquals(List.of(), waits, "an answer that comes late is no failure: nothing retried");
  }

  @Test
  void retriesOn503ThenSucceeds() {
    server.then(503, "busy").then(503, "busy").then(200, "{\"ok\":true}");

    assertTrue(transport().get("runs/get", Map.of()).get("ok").asBoolean());

    assertEquals(3, server.received().size());
    assertEquals(2, waits.size());
    assertTrue(waits.get(0).toMillis() >= 50 && waits.get(0).toMillis() <= 100, waits.toString());
    assertTrue(waits.get(1).toMillis() >= 100 && waits.get(1).toMillis() <= 200, waits.toString());
    assertTrue(console.get(0).contains("HTTP 503"), console.toString());
  }

  @Test
  void honoursRetryAfterOn429() {
    server.then(429, Map.of("Retry-After", "3"), "slow down").then(200, "{}");

    transport().post("runs/log-batch", Json.object());

    assertEquals(List.of(Duration.ofSeconds(3)), waits);
  }

  @Test
  void retriesOn408() {
    server.then(408, "timeout").then(200, "{}");

    transport().post("runs/log-batch", Json.object());

    assertEquals(2, server.received().size());
  }

  @Test
  void neverRetriesOtherClientErrorsAndCarriesMlflowsErrorCode() {
    server.then(
        400, "{\"error_code\":\"INVALID_PARAMETER_VALUE\",\"message\":\"Changing param values\"}");

    MlflowException e =
        assertThrows(
            MlflowException.class, () -> transport().post("runs/log-parameter", Json.object()));

    assertEquals(1, server.received().size());
    assertEquals(400, e.status());
    assertEquals("INVALID_PARAMETER_VALUE", e.errorCode());
    assertTrue(e.getMessage().contains("Changing param values"), e.getMessage());
    assertFalse(e.isTransient());
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheLastAnswer() {
    for (int i = 0; i < 5; i++) {
      server.then(502, "bad gateway");
    }

    MlflowException e =
        assertThrows(MlflowException.class, () -> transport().get("runs/get", Map.of()));

    assertEquals(5, server.received().size());
    assertEquals(502, e.status());
    assertTrue(e.isTransient());
    assertTrue(e.getMessage().contains("server's log"), e.getMessage());
  }

  @Test
  void explainsTheInvalidHostHeaderOfMlflowsSecurityMiddleware() {
    server.then(403, "Invalid Host header - possible DNS rebinding attack detected");

    MlflowException e =
        assertThrows(MlflowException.class, () -> transport().get("runs/get", Map.of()));

    assertTrue(e.hint().contains("--allowed-hosts 127.0.0.1"), e.hint());
  }

  @Test
  void explainsMissingCredentials() {
    server.then(
        401, "{\"error_code\":\"UNAUTHENTICATED\",\"message\":\"You are not authenticated\"}");

    MlflowException e =
        assertThrows(MlflowException.class, () -> transport().get("runs/get", Map.of()));

    assertTrue(e.hint().contains("MLFLOW_TRACKING_TOKEN"), e.hint());
  }

  @Test
  void sendsBearerTokenButNeverShowsIt() {
    server.then(403, "{\"error_code\":\"PERMISSION_DENIED\",\"message\":\"no\"}");
    RestTransport rest = transport(new Credentials.BearerToken(Secret.of("s3cr3t-token")));

    MlflowException e = assertThrows(MlflowException.class, () -> rest.get("runs/get", Map.of()));

    assertEquals("Bearer s3cr3t-token", server.received().get(0).authorization());
    assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    assertFalse(rest.toString().contains("s3cr3t"));
  }

  @Test
  void sendsBasicCredentials() {
    server.then(200, "{}");

    transport(new Credentials.Basic("alice", Secret.of("pw"))).get("runs/get", Map.of());

    assertEquals(
        "Basic " + Base64.getEncoder().encodeToString("alice:pw".getBytes()),
        server.received().get(0).authorization());
  }

  @Test
  void unreachableServerIsRetriedThenReportedWithAHint() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    TrackingConfig config =
        TrackingConfig.parse("http://127.0.0.1:" + port, Path.of("."))
            .withRetry(
                new RetryPolicy(
                    3, Duration.ofMillis(10), Duration.ofMillis(10), 1.0, Duration.ofMinutes(1)));
    RestTransport rest = new RestTransport(config, waits::add, console::add);

    MlflowException e = assertThrows(MlflowException.class, () -> rest.get("runs/get", Map.of()));

    assertEquals(0, e.status());
    assertTrue(e.isTransient());
    assertEquals(2, waits.size());
    assertTrue(e.getMessage().contains("after 3 attempt(s)"), e.getMessage());
    assertTrue(e.hint().contains("tracking URI"), e.hint());
  }

  @Test
  void aServerThatNeverAnsweredIsRetriedForAFewSecondsOnly() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    RestTransport rest =
        new RestTransport(
            TrackingConfig.parse("http://127.0.0.1:" + port, Path.of(".")),
            waits::add,
            console::add);

    MlflowException e = assertThrows(MlflowException.class, () -> rest.get("runs/get", Map.of()));

    long planned = waits.stream().mapToLong(Duration::toMillis).sum();
    assertTrue(waits.size() >= 2, waits.toString());
    assertTrue(planned <= RestTransport.FIRST_CONTACT.toMillis(), waits.toString());
    assertTrue(e.getMessage().contains("has not answered since"), e.getMessage());
    assertTrue(e.isTransient());
  }

  @Test
  void aServerThatAnsweredAndWentAwayGetsTheWholeSchedule() {
    server.then(200, "{\"ok\":true}");
    RestTransport rest =
        new RestTransport(
            TrackingConfig.parse(server.uri().toString(), Path.of(".")), waits::add, console::add);
    rest.get("runs/get", Map.of());
    server.close();

    MlflowException e = assertThrows(MlflowException.class, () -> rest.get("runs/get", Map.of()));

    assertEquals(RetryPolicy.DEFAULT.maxAttempts() - 1, waits.size(), waits.toString());
    assertTrue(e.getMessage().contains("after 8 attempt(s)"), e.getMessage());
    assertFalse(e.getMessage().contains("has not answered"), e.getMessage());
  }

  @Test
  void retryAfterParsesSecondsAndDates() {
    assertEquals(Duration.ofSeconds(7), ErrorHints.parseRetryAfter("7").orElseThrow());
    assertEquals(
        Duration.ZERO, ErrorHints.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT").orElseThrow());
    assertTrue(ErrorHints.parseRetryAfter("soon").isEmpty());
  }
}
