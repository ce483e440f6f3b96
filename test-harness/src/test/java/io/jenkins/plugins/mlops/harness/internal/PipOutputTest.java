package io.jenkins.plugins.mlops.harness.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PipOutputTest {

  @Test
  void namesTheRequirementWithNoMatchingDistribution() {
    List<String> lines =
        List.of(
            "Collecting pandas==3.1.1",
            "ERROR: Could not find a version that satisfies the requirement"
                + " tensorflow-cpu==9.9.9 (from versions: 2.20.0, 2.21.0)",
            "ERROR: No matching distribution found for tensorflow-cpu==9.9.9");

    assertEquals(Optional.of("tensorflow-cpu==9.9.9"), PipOutput.failedPackage(lines));
  }

  @Test
  void namesTheWheelThatFailedToBuild() {
    List<String> lines =
        List.of(
            "Building wheels for collected packages: lxml",
            "  error: subprocess-exited-with-error",
            "  ERROR: Failed building wheel for lxml",
            "Failed to build lxml");

    assertEquals(Optional.of("lxml"), PipOutput.failedPackage(lines));
  }

  @Test
  void namesTheFirstPackageOfAResolverConflict() {
    List<String> lines =
        List.of(
            "ERROR: Cannot install mlflow==3.17.2 and numpy==1.0 because these package versions"
                + " have conflicting dependencies.");

    assertEquals(Optional.of("mlflow==3.17.2"), PipOutput.failedPackage(lines));
  }

  @Test
  void fallsBackToTheLastPackageBeingCollected() {
    List<String> lines = List.of("Collecting absl-py==2.5.1", "Collecting optuna==5.0.0", "Killed");

    assertEquals(Optional.of("optuna==5.0.0"), PipOutput.failedPackage(lines));
  }

  @Test
  void saysNothingWhenNoPackageIsNamed() {
    assertEquals(Optional.empty(), PipOutput.failedPackage(List.of("Killed")));
  }

  @Test
  void readsCollectingLines() {
    assertEquals(
        Optional.of("mlflow==3.17.2"),
        PipOutput.collecting("Collecting mlflow==3.17.2 (from -r requirements.txt (line 7))"));
    assertEquals(Optional.empty(), PipOutput.collecting("  Downloading mlflow-3.17.2.whl"));
  }
}
