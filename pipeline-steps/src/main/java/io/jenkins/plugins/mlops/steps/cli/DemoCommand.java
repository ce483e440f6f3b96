package io.jenkins.plugins.mlops.steps.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code mlops demo}: the main job on embedded defaults. Until the demo issue lands it shows the
 * plan it will run and exits {@link ExitCodes#NOT_AVAILABLE}, doing nothing.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Run the whole pipeline on embedded demo data: prepare, train, sync, gate, promote.")
final class DemoCommand implements Callable<Integer> {

  /** The stages the demo will run, in order, each with the issue that provides it. */
  static final List<String> PLAN =
      List.of(
          "start a local MLflow tracking store and open a run in experiment 'mlops-demo'",
          "prepare the embedded digits data set: clean, split train/validation/test, write a"
              + " manifest (issue #5)",
          "train the built-in DJL MLP on the local backend, following its TensorBoard logdir"
              + " (issues #6, #7)",
          "sync scalars and event files into the MLflow run (issue #4)",
          "gate the model on test accuracy against the current champion (issue #8)",
          "promote it to alias 'champion' when the gate passes (issue #8)");

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.println("mlops demo will run, on embedded defaults:");
    for (int i = 0; i < PLAN.size(); i++) {
      out.println("  " + (i + 1) + ". " + PLAN.get(i));
    }
    out.flush();
    return NotInThisBuild.report(
        spec, "the demo", "the demo issue, after the issues above; not filed yet");
  }
}
