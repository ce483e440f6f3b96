package io.jenkins.plugins.mlops.tracking;

import io.jenkins.plugins.mlops.harness.MlflowServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The tracking contract against the real MLflow server of the harness. */
class RestTrackingContractIT extends TrackingContract {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  @Override
  String trackingUri() {
    return mlflow.trackingUri();
  }

  @Override
  String artifactUriPrefix() {
    return "mlflow-artifacts:/";
  }
}
