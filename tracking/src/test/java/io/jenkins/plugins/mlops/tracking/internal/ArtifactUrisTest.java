package io.jenkins.plugins.mlops.tracking.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.tracking.MlflowException;
import org.junit.jupiter.api.Test;

class ArtifactUrisTest {

  @Test
  void proxiedUrisMapToTheProxyPath() {
    assertEquals(
        "1/abc/artifacts", RestArtifacts.proxyPath("abc", "mlflow-artifacts:/1/abc/artifacts"));
    assertEquals(
        "7/abc/artifacts",
        RestArtifacts.proxyPath("abc", "mlflow-artifacts://mlflow:5000/7/abc/artifacts"));
  }

  @Test
  void otherSchemesSayHowToConfigureProxiedArtifacts() {
    MlflowException e =
        assertThrows(
            MlflowException.class,
            () -> RestArtifacts.proxyPath("abc", "s3://bucket/mlflow/1/abc/artifacts"));

    assertEquals("ARTIFACTS_NOT_PROXIED", e.errorCode());
    assertTrue(e.hint().contains("--serve-artifacts"), e.hint());
    assertTrue(e.hint().contains("--artifacts-destination s3://bucket/mlflow"), e.hint());
  }
}
