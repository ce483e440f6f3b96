package io.jenkins.plugins.mlops.trainer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar trainer.jar --label digit --epochs 20 ...}: exit 0 when trained, 1 when training
 * failed (e.g. the loss became NaN), 2 for bad settings or data.
 */
public final class TrainerMain {

  /**
   * Checks the settings and the data's columns without training, and without MLflow: exit 0 when
   * training could start, 2 with the message it would fail with. A launcher asks before it makes a
   * run.
   */
  public static final String CHECK = "--check";

  private TrainerMain() {}

  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args), System.getenv(), Path.of(""), System.out, System.err));
  }

  /** Runs the trainer; returns the exit status. */
  public static int run(
      List<String> args, Map<String, String> env, Path workDir, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.println("usage: java -jar trainer.jar [--check] [--label COLUMN] [--name value ...]");
      out.println(
          "The label defaults to the one in the data directory's manifest.json; --check checks"
              + " the settings and the data's columns, and exits 0 or 2, without training.");
      out.println("Settings (also MLOPS_PARAM_<NAME>; arguments win):");
      out.println(Hyperparameters.help());
      return 0;
    }
    if (args.contains(CHECK)) {
      try {
        List<String> rest = args.stream().filter(a -> !a.equals(CHECK)).toList();
        TrainerConfig config = TrainerConfig.from(rest, env, workDir.toAbsolutePath());
        TabularData.check(config, err::println);
        out.println(
            "trainer: the settings and the data's columns are fine (label " + config.label() + ")");
        return 0;
      } catch (IllegalArgumentException e) {
        err.println("trainer: error: " + e.getMessage());
        return 2;
      }
    }
    try {
      TrainerConfig config = TrainerConfig.from(args, env, workDir.toAbsolutePath());
      TrainingResult result = new TrainingRun(config, err::println).run();
      RunLogging.log(config, result, env, workDir.toAbsolutePath(), err::println);
      err.println(
          "trainer: done: "
              + result.epochs()
              + " epochs; metrics in "
              + config.outputDir().resolve("metrics.json"));
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("trainer: error: " + e.getMessage());
      return 2;
    } catch (TrainingRun.TrainingFailedException e) {
      err.println("trainer: training failed: " + e.getMessage());
      return 1;
    } catch (io.jenkins.plugins.mlops.tracking.MlflowException e) {
      err.println(
          "trainer: trained, but MLflow refused the results: "
              + e.getMessage()
              + " (the model and metrics.json are in the output directory)");
      return 1;
    }
  }
}
