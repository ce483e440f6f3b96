package io.jenkins.plugins.mlops.steps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.ProcessResult;
import io.jenkins.plugins.mlops.harness.internal.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  /**
   * On a fresh copy of the sources, {@code ./mlops train} builds the built-in trainer too (the djl
   * launcher runs it), without tests; a second call builds nothing.
   */
  @Test
  void launcherBuildsTheTrainerForTrainOnAFreshCopy(@TempDir Path copy) throws Exception {
    Path root = LAUNCHER.getParent();
    ProcessResult files =
        run("git", "-C", root.toString(), "ls-files", "--cached", "--others", "--exclude-standard");
    assertEquals(0, files.exitCode(), files.stderr());
    for (String file : files.stdout().split("\n")) {
      Path from = root.resolve(file);
      if (file.isBlank() || !Files.isRegularFile(from)) {
        continue;
      }
      Path to = copy.resolve(file);
      Files.createDirectories(to.getParent());
      Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
    }
    Path launcher = copy.resolve("mlops");

    ProcessResult first = run(launcher.toString(), "train", "--help");
    assertEquals(0, first.exitCode(), first.stdout() + first.stderr());
    assertTrue(
        first.stderr().contains("building the command-line tool and the built-in trainer"),
        first.stderr());
    assertTrue(Files.isRegularFile(copy.resolve("trainer/target/trainer.jar")));
    assertFalse(Files.exists(copy.resolve("trainer/target/surefire-reports")), "no tests were run");

    ProcessResult second = run(launcher.toString(), "train", "--help");
    assertEquals(0, second.exitCode(), second.stderr());
    assertFalse(second.stderr().contains("building"), second.stderr());
  }

  @Test
  void launcherScriptPrintsTheVersion() {
    ProcessResult version = run(LAUNCHER.toString(), "--version");

    assertEquals(0, version.exitCode(), version.stderr());
    assertTrue(version.stdout().startsWith("mlops "), version.stdout());
  }
}
