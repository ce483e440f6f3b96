package io.jenkins.plugins.mlops.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.FaultProxy;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.TestCertificates;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An https MLflow server whose certificate comes from a private CA (a TLS proxy in front of the
 * real server): trusted through the CA file, refused without it (at once, with what to configure),
 * and reached with the explicit insecure opt-in.
 */
class TlsIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();
  @TempDir static Path certs;

  private static TestCertificates certificates;
  private static FaultProxy https;

  @BeforeAll
  static void startTlsProxy() {
    certificates = TestCertificates.create(certs);
    https = FaultProxy.start(mlflow.uri(), certificates.serverContext());
  }

  @AfterAll
  static void stop() {
    https.close();
  }

  private static TrackingClient client(Map<String, String> env, Path work) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("MLFLOW_TRACKING_URI", https.uri().toString());
    return TrackingClient.open(TrackingConfig.fromEnvironment(all, work), line -> {});
  }

  @Test
  void trustsAServerSignedByTheConfiguredCa(@TempDir Path work) {
    try (TrackingClient client =
        client(Map.of("MLFLOW_TRACKING_SERVER_CERT_PATH", certificates.caPem().toString()), work)) {
      String name = "tls-" + UUID.randomUUID();

      Experiment experiment = client.experiments().getOrCreate(name);

      assertEquals(name, experiment.name());
      assertTrue(https.uri().toString().startsWith("https://"));
    }
  }

  @Test
  void refusesAnUnknownCaAtOnceAndSaysWhatToConfigure(@TempDir Path work) {
    try (TrackingClient client = client(Map.of(), work)) {
      MlflowException e =
          assertThrows(
              MlflowException.class, () -> client.experiments().getOrCreate("tls-refused"));

      assertEquals("TLS", e.errorCode());
      assertFalse(e.isTransient(), "a certificate problem is not retried or spooled");
      assertTrue(e.hint().contains("MLFLOW_TRACKING_SERVER_CERT_PATH"), e.hint());
    }
  }

  @Test
  void insecureOptInSkipsTheChecks(@TempDir Path work) {
    try (TrackingClient client = client(Map.of("MLFLOW_TRACKING_INSECURE_TLS", "true"), work)) {
      assertEquals("Default", client.experiments().findByName("Default").orElseThrow().name());
    }
  }
}
