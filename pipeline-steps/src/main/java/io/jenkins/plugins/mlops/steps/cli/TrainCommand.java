package io.jenkins.plugins.mlops.steps.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code mlops train}: Run a training job (djl, torchrun, tensorflow or command launcher) locally
 * or on Kubernetes.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Run a training job (djl, torchrun, tensorflow or command launcher) locally or on Kubernetes.")
final class TrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return NotInThisBuild.report(
        spec, "training", "issue #7 (Training launchers and the local backend)");
  }
}
