package io.jenkins.plugins.mlops.steps.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mlops sweep}: Run a hyperparameter sweep of training trials. */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description = "Run a hyperparameter sweep of training trials.")
final class SweepCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return NotInThisBuild.report(spec, "hyperparameter sweeps", "the sweep issue, not filed yet");
  }
}
