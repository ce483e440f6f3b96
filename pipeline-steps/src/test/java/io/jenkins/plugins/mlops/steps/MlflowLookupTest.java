package io.jenkins.plugins.mlops.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowLookupTest {

  @TempDir Path dir;

  @Test
  void aFileStoreSaysHowMlflowsOwnToolsOpenIt() {
    Path store = dir.resolve("mlruns");
    String hint = MlflowLookup.fileStoreHint(store.toUri().toString()).orElseThrow();

    assertTrue(
        hint.endsWith(
            "MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri " + store.toString()),
        hint);
  }

  @Test
  void aServerNeedsNoHint() {
    assertEquals(Optional.empty(), MlflowLookup.fileStoreHint("http://127.0.0.1:5000"));
    assertEquals(Optional.empty(), MlflowLookup.fileStoreHint(null));
  }
}
