package io.jenkins.plugins.mlops.steps.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mlops sync}: Sync a TensorBoard logdir (scalars and event files) into an MLflow run, once
 * or following it.
 */
@Command(
    name = "sync",
    mixinStandardHelpOptions = true,
    description =
        "Sync a TensorBoard logdir (scalars and event files) into an MLflow run, once or following it.")
final class SyncCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--logdir",
      required = true,
      paramLabel = "DIR",
      description = "The TensorBoard log directory to read.")
  String logdir;

  @Override
  public Integer call() {
    return NotInThisBuild.report(
        spec, "TensorBoard to MLflow sync", "issue #4 (TensorBoard bridge)");
  }
}
