package io.jenkins.plugins.mlops.tracking;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracking contract against MLflow's file store in a temporary {@code mlruns}, read back by the
 * Python MLflow client (with {@code MLFLOW_ALLOW_FILE_STORE=true}).
 */
class FileStoreContractIT extends TrackingContract {

  @TempDir static Path store;

  @Override
  String trackingUri() {
    return store.resolve("mlruns").toUri().toString();
  }

  @Override
  String artifactUriPrefix() {
    return "file:///";
  }
}
