package io.jenkins.plugins.mlops.steps.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mlops gate}: Evaluate a run against threshold conditions and a baseline; exit 0 pass, 1
 * fail.
 */
@Command(
    name = "gate",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate a run against threshold conditions and a baseline; exit 0 pass, 1 fail.")
final class GateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--run-id",
      required = true,
      paramLabel = "ID",
      description = "The MLflow run of the candidate model.")
  String runId;

  @Option(
      names = "--condition",
      required = true,
      paramLabel = "EXPR",
      description = "A condition such as 'test_accuracy >= 0.95'; repeat for more.")
  java.util.List<String> conditions;

  @Override
  public Integer call() {
    return NotInThisBuild.report(
        spec, "the evaluation gate", "issue #8 (Evaluation gate and model promotion)");
  }
}
