package io.jenkins.plugins.mlops.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.internal.MlflowServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Starting and stopping standalone servers: failures explain themselves, stops leave nothing. */
class MlflowServerLifecycleIT {

  @Test
  void startupFailureShowsTheServersOwnOutput() {
    IllegalStateException failure =
        assertThrows(
            IllegalStateException.class,
            () ->
                MlflowServer.startStandalone(
                    List.of("--backend-store-uri", "nosuchscheme://nowhere")));

    assertTrue(failure.getMessage().contains("exited with status"), failure.getMessage());
    assertTrue(
        failure.getMessage().contains("unsupported URI 'nosuchscheme://nowhere'"),
        failure.getMessage());
  }

  @Test
  void closeStopsTheWholeProcessTreeAndDeletesTheData() {
    List<ProcessHandle> tree = new ArrayList<>();
    Path dataDir;
    try (MlflowServerProcess server = MlflowServer.startStandalone(List.of())) {
      dataDir = server.dataDir();
      tree.add(server.handle());
      tree.addAll(server.handle().descendants().toList());
      assertTrue(tree.size() > 1, "the server runs its web worker as a child process: " + tree);
    }

    assertEquals(List.of(), tree.stream().filter(ProcessHandle::isAlive).toList());
    assertFalse(Files.exists(dataDir), dataDir + " should be deleted");
  }
}
