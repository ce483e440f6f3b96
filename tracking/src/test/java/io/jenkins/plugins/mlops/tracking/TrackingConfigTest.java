package io.jenkins.plugins.mlops.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrackingConfigTest {

  private static final Path WORK = Path.of("/srv/ci-workspace");

  @Test
  void noUriMeansTheLocalStoreUnderTheWorkingDirectory() {
    TrackingConfig config = TrackingConfig.fromEnvironment(Map.of(), WORK);

    assertTrue(config.isLocal());
    assertEquals(WORK.resolve("mlruns"), config.localRoot());
  }

  @Test
  void readsMlflowsEnvironmentVariables() {
    TrackingConfig config =
        TrackingConfig.fromEnvironment(
            Map.of(
                "MLFLOW_TRACKING_URI", "https://mlflow.example:8443",
                "MLFLOW_TRACKING_TOKEN", "tok",
                "MLFLOW_TRACKING_INSECURE_TLS", "true",
                "MLFLOW_HTTP_REQUEST_TIMEOUT", "30",
                "MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2"),
            WORK);

    assertFalse(config.isLocal());
    assertEquals(new Credentials.BearerToken(Secret.of("tok")), config.credentials());
    assertTrue(config.tls().insecure());
    assertEquals(Duration.ofSeconds(30), config.requestTimeout());
    assertEquals(3, config.retry().maxAttempts());
  }

  @Test
  void basicCredentialsWinOverATokenAsInMlflow() {
    TrackingConfig config =
        TrackingConfig.fromEnvironment(
            Map.of(
                "MLFLOW_TRACKING_URI", "http://h:5000",
                "MLFLOW_TRACKING_TOKEN", "tok",
                "MLFLOW_TRACKING_USERNAME", "alice",
                "MLFLOW_TRACKING_PASSWORD", "pw"),
            WORK);

    assertEquals(new Credentials.Basic("alice", Secret.of("pw")), config.credentials());
  }

  @Test
  void userInformationInTheUriBecomesCredentialsAndNeverShows() {
    TrackingConfig config = TrackingConfig.parse("https://bob:p%40ss@mlflow.example/", WORK);

    assertEquals("https://mlflow.example/", config.trackingUri().toString());
    assertEquals(new Credentials.Basic("bob", Secret.of("p@ss")), config.credentials());
    assertFalse(config.toString().contains("p@ss"), config.toString());
    assertFalse(config.toString().contains("p%40ss"), config.toString());
  }

  @Test
  void passwordsWithUriCharactersNeverReachTheUriOrAnError() {
    TrackingConfig hash = TrackingConfig.parse("https://u:pa#ss?x@mlflow.example/", WORK);
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrackingConfig.parse("https://u:s3cret@bad host/", WORK));

    assertEquals("https://mlflow.example/", hash.trackingUri().toString());
    assertEquals(new Credentials.Basic("u", Secret.of("pa#ss?x")), hash.credentials());
    assertFalse(bad.getMessage().contains("s3cret"), bad.getMessage());
  }

  @Test
  void aPasswordWithAnUnencodedSlashIsRefusedWithoutShowingIt() {
    for (String uri :
        List.of(
            "http://carol:Ca/rol-Pw-88x@mlflow.example:5000",
            "http://carol/rol-Pw-88x@mlflow.example",
            "https://carol:Ca/rol-Pw-88x@mlflow.example/api?x=1")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> TrackingConfig.parse(uri, WORK));

      assertFalse(e.getMessage().contains("rol-Pw-88x"), e.getMessage());
      assertTrue(e.getMessage().contains("%2F"), e.getMessage());
      assertTrue(e.getMessage().contains("***@mlflow.example"), e.getMessage());
    }
  }

  @Test
  void redactionMasksUserInformationOfEveryShapeInAMessage() {
    String message =
        "unsupported URI http://carol:Ca/rol-Pw-88x@host:5000/x, then (https://u:p#a?s@h/) and"
            + " a plain http://host/path, user@example.org";

    String masked = Redaction.uris(message);

    assertEquals(
        "unsupported URI http://***@host:5000/x, then (https://***@h/) and a plain"
            + " http://host/path, user@example.org",
        masked);
  }

  @Test
  void refusesUnsupportedSchemesNamingTheAllowedOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> TrackingConfig.parse("databricks://x", WORK));

    assertTrue(e.getMessage().contains("databricks://x"), e.getMessage());
    assertTrue(e.getMessage().contains("http://, https://"), e.getMessage());
  }

  @Test
  void refusesAUserWithoutAPassword() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TrackingConfig.fromEnvironment(
                    Map.of("MLFLOW_TRACKING_URI", "http://h", "MLFLOW_TRACKING_USERNAME", "a"),
                    WORK));

    assertTrue(e.getMessage().contains("MLFLOW_TRACKING_PASSWORD"), e.getMessage());
  }

  @Test
  void refusesABadTimeoutNamingTheVariable() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TrackingConfig.fromEnvironment(
                    Map.of(
                        "MLFLOW_TRACKING_URI", "http://h", "MLFLOW_HTTP_REQUEST_TIMEOUT", "soon"),
                    WORK));

    assertTrue(e.getMessage().startsWith("MLFLOW_HTTP_REQUEST_TIMEOUT (soon)"), e.getMessage());
  }

  @Test
  void replayingAnotherIdentitysSpoolIsOnlyAnExplicitTrue() {
    Map<String, String> server = Map.of("MLFLOW_TRACKING_URI", "http://h");
    assertFalse(TrackingConfig.fromEnvironment(server, WORK).replayOthers());
    assertTrue(
        TrackingConfig.fromEnvironment(
                Map.of("MLFLOW_TRACKING_URI", "http://h", "MLOPS_SPOOL_REPLAY_OTHERS", "true"),
                WORK)
            .replayOthers());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TrackingConfig.fromEnvironment(
                    Map.of("MLFLOW_TRACKING_URI", "http://h", "MLOPS_SPOOL_REPLAY_OTHERS", "yes"),
                    WORK));
    assertEquals("MLOPS_SPOOL_REPLAY_OTHERS (yes) must be true or false", e.getMessage());
  }

  @Test
  void secretsNeverShowInToString() {
    assertEquals("******", Secret.of("hunter2").toString());
    assertFalse(new Credentials.BearerToken(Secret.of("hunter2")).toString().contains("hunter2"));
  }

  @Test
  void aChildProcessGetsTheSameServerAndCredentialsAsMlflowsVariables() {
    TrackingConfig config =
        TrackingConfig.parse("http://carol:Ca%2Frol@mlflow.example:5000/", WORK)
            .withRetry(new RetryPolicy(3, Duration.ZERO, Duration.ZERO, 1.0, Duration.ZERO))
            .withRequestTimeout(Duration.ofSeconds(45));

    Map<String, String> env = config.toEnvironment();

    assertEquals("http://mlflow.example:5000", env.get("MLFLOW_TRACKING_URI"));
    assertEquals("carol", env.get("MLFLOW_TRACKING_USERNAME"));
    assertEquals("Ca/rol", env.get("MLFLOW_TRACKING_PASSWORD"));
    assertEquals("45", env.get("MLFLOW_HTTP_REQUEST_TIMEOUT"));
    assertEquals("2", env.get("MLFLOW_HTTP_REQUEST_MAX_RETRIES"));
    TrackingConfig again = TrackingConfig.fromEnvironment(env, WORK);
    assertEquals(config.credentials(), again.credentials());
    assertEquals(config.retry().maxAttempts(), again.retry().maxAttempts());
  }
}
