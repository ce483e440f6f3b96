package io.jenkins.plugins.mlops.steps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.ProcessResult;
import io.jenkins.plugins.mlops.harness.internal.Processes;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The packaged command line, as a user runs it: the executable jar and the ./mlops launcher. */
class MlopsLauncherIT {

  private static final Path JAR = Path.of(System.getProperty("mlops.cliJar"));
  private static final Path LAUNCHER =
      Path.of(System.getProperty("mlops.repoRoot")).resolve("mlops").normalize();

  private static ProcessResult run(String... command) {
    return Processes.run(new ProcessBuilder(command), Duration.ofMinutes(5));
  }

  @Test
  void executableJarListsTheSubcommands() {
    ProcessResult help = run("java", "-jar", JAR.toString(), "--help");

    assertEquals(0, help.exitCode(), help.stderr());
    for (String name : new String[] {"prepare", "train", "sync", "gate", "promote", "sweep"}) {
      assertTrue(help.stdout().contains("  " + name + " "), name + ":\n" + help.stdout());
    }
  }

  @Test
  void launcherScriptRunsTheJarAndPassesTheExitStatusOn() {
    ProcessResult unknown = run(LAUNCHER.toString(), "nosuch");

    assertEquals(2, unknown.exitCode(), unknown.stdout() + unknown.stderr());
    assertTrue(
        unknown.stderr().contains("mlops: unknown command 'nosuch'"),
        unknown.stdout() + unknown.stderr());
  }

  @Test
  void launcherScriptPrintsTheVersion() {
    ProcessResult version = run(LAUNCHER.toString(), "--version");

    assertEquals(0, version.exitCode(), version.stderr());
    assertTrue(version.stdout().startsWith("mlops "), version.stdout());
  }
}
