package io.jenkins.plugins.mlops.harness.internal;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonEnvironmentBuilderTest {

  @Test
  void missingInterpreterSaysWhatToInstallOrConfigure(@TempDir Path cache) {
    PythonEnvironmentBuilder builder =
        new PythonEnvironmentBuilder("/nonexistent/python3", cache, line -> {});

    PythonEnvironmentBuilder.BuildFailure failure =
        assertThrows(PythonEnvironmentBuilder.BuildFailure.class, () -> builder.createOrReuse(""));

    assertTrue(failure.getMessage().contains("'/nonexistent/python3'"), failure.getMessage());
    assertTrue(failure.getMessage().contains("MLOPS_PYTHON"), failure.getMessage());
  }
}
