package io.jenkins.plugins.mlops.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.internal.PythonEnvironmentBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Python environment is real, pinned, cached, and explains its failures. */
class PythonEnvironmentIT {

  private static final List<String> PEERS =
      List.of(
          "mlflow",
          "tensorboard",
          "tbparse",
          "tensorflow",
          "tf-keras",
          "pandas",
          "scikit-learn",
          "optuna");

  @Test
  void sharedEnvironmentHoldsThePinnedPeers() {
    Map<String, String> pinned = pins(PythonEnvironment.bundledRequirements());
    String script =
        "import importlib.metadata as m, sys\n"
            + "for name in sys.argv[1:]: print(name, m.version(name))";
    List<String> args = new ArrayList<>(List.of("-c", script));
    args.addAll(PEERS);

    ProcessResult result =
        PythonEnvironment.shared()
            .runPython(Duration.ofMinutes(1), args.toArray(String[]::new))
            .requireSuccess();

    Map<String, String> installed = new TreeMap<>();
    result.stdout().lines().map(l -> l.split(" ")).forEach(p -> installed.put(p[0], p[1]));
    for (String peer : PEERS) {
      assertTrue(pinned.containsKey(normalise(peer)), peer + " must be pinned");
      assertEquals(pinned.get(normalise(peer)), installed.get(peer), peer);
    }
  }

  @Test
  void secondCreateReusesTheCachedEnvironment(@TempDir Path cache) throws Exception {
    List<String> progress = new ArrayList<>();
    PythonEnvironment first = PythonEnvironment.create("# no packages\n", cache, progress::add);
    Path marker = first.home().resolve(PythonEnvironmentBuilder.COMPLETE_MARKER);
    FileTime built = Files.getLastModifiedTime(marker);
    progress.clear();

    PythonEnvironment second = PythonEnvironment.create("# no packages\n", cache, progress::add);

    assertEquals(first.home(), second.home());
    assertEquals(built, Files.getLastModifiedTime(marker));
    assertTrue(progress.stream().anyMatch(l -> l.contains("reusing")), progress.toString());
    assertEquals(
        "42", second.runPython(Duration.ofSeconds(30), "-c", "print(6*7)").stdout().strip());
  }

  @Test
  void differentRequirementsGetADifferentEnvironment(@TempDir Path cache) {
    PythonEnvironment a = PythonEnvironment.create("# set a\n", cache, line -> {});
    PythonEnvironment b = PythonEnvironment.create("# set b\n", cache, line -> {});

    assertFalse(a.home().equals(b.home()), a + " vs " + b);
  }

  @Test
  void failedInstallNamesThePackageAndLeavesNoEnvironment(@TempDir Path cache) throws Exception {
    String requirements = "--no-index\nmlops-harness-missing-package==1.2.3\n";

    PythonEnvironmentException failure =
        assertThrows(
            PythonEnvironmentException.class,
            () -> PythonEnvironment.create(requirements, cache, line -> {}));

    assertEquals("mlops-harness-missing-package==1.2.3", failure.failedPackage().orElseThrow());
    assertTrue(
        failure.getMessage().contains("'mlops-harness-missing-package==1.2.3'"),
        failure.getMessage());
    try (var envs = Files.list(cache.resolve("python"))) {
      assertEquals(
          List.of(), envs.filter(Files::isDirectory).toList(), "no half-built environment kept");
    }
  }

  private static Map<String, String> pins(String requirements) {
    Map<String, String> pins = new TreeMap<>();
    Matcher m = Pattern.compile("(?m)^([A-Za-z0-9_.\\-]+)==(\\S+)").matcher(requirements);
    while (m.find()) {
      pins.put(normalise(m.group(1)), m.group(2));
    }
    return pins;
  }

  private static String normalise(String name) {
    return name.toLowerCase(java.util.Locale.ROOT).replaceAll("[-_.]+", "-");
  }
}
