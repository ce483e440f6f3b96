package io.jenkins.plugins.mlops.steps.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code mlops promote}: Register a run's model and move an alias (e.g. champion) to it, or roll
 * back.
 */
@Command(
    name = "promote",
    mixinStandardHelpOptions = true,
    description = "Register a run's model and move an alias (e.g. champion) to it, or roll back.")
final class PromoteCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return NotInThisBuild.report(
        spec, "model promotion", "issue #8 (Evaluation gate and model promotion)");
  }
}
