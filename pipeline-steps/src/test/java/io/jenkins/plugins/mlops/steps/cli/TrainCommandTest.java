package io.jenkins.plugins.mlops.steps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlops train}'s command line: what is refused before anything starts. */
class TrainCommandTest {

  @TempDir Path work;

  private record Outcome(int status, String out, String err) {}

  private static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = MlopsCli.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Outcome(status, out.toString(), err.toString());
  }

  @Test
  void aLauncherOrASpecIsRequired() {
    Outcome o = run("train", "--", "python", "train.py");

    assertEquals(2, o.status());
    assertTrue(o.err().startsWith("mlops train: --launcher is required"), o.err());
  }

  @Test
  void everyInvalidFieldIsNamedBeforeAnythingStarts() {
    Outcome o =
        run(
            "train",
            "--launcher",
            "tensorflow",
            "--workers",
            "0",
            "--memory",
            "lots",
            "--param",
            "epochs",
            "--",
            "python",
            "train.py");

    assertEquals(2, o.status());
    assertTrue(o.err().contains("--param (epochs) must be NAME=VALUE"), o.err());

    Outcome fields =
        run("train", "--launcher", "tensorflow", "--workers", "0", "--memory", "lots", "--", "x");
    assertEquals(2, fields.status());
    assertTrue(fields.err().contains("workers (0) must be 1 to 1000"), fields.err());
    assertTrue(fields.err().contains("memory request (lots) is not a Kubernetes quantity"));
  }

  @Test
  void theKubernetesBackendSaysItIsNotInThisBuildAfterValidating() {
    Outcome o =
        run("train", "--backend", "kubernetes", "--launcher", "command", "--", "python", "x.py");

    assertEquals(3, o.status(), o.err());
    assertTrue(o.err().startsWith("mlops train: the kubernetes backend is not in this build"));

    Outcome other = run("train", "--backend", "slurm", "--launcher", "command", "--", "x");
    assertEquals(2, other.status());
    assertTrue(other.err().contains("--backend (slurm) must be local or kubernetes"), other.err());
  }

  @Test
  void aSpecFileWithAnUnknownKeyIsRefusedWithTheNearestKnownOne() throws Exception {
    Path spec = work.resolve("job.yaml");
    Files.write(
        spec,
        List.of(
            "name: digits",
            "launcher: tensorflow",
            "command: [python, train.py]",
            "worker: 2",
            "deadline: soon"));
    Outcome o = run("train", "--spec", spec.toString());

    assertEquals(2, o.status());
    assertTrue(o.err().contains("key 'worker' is not known (did you mean 'workers'?)"), o.err());
    assertTrue(o.err().contains("deadline (soon) is not a duration such as 90s"), o.err());
  }

  @Test
  void aCommandWrittenAsOneStringIsRefusedBecauseNoShellSplitsIt() throws Exception {
    Path spec = work.resolve("job.yaml");
    Files.write(
        spec, List.of("name: digits", "launcher: command", "command: python train.py --x 1"));
    Outcome o = run("train", "--spec", spec.toString());

    assertEquals(2, o.status());
    assertTrue(o.err().contains("command must be a list of arguments"), o.err());
  }
}
