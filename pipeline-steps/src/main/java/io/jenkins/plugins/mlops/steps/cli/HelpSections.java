package io.jenkins.plugins.mlops.steps.cli;

import io.jenkins.plugins.mlops.steps.ShortProcess;
import io.jenkins.plugins.mlops.steps.training.local.LocalBackend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Help that is the same for several subcommands or that comes from elsewhere: the MLflow
 * environment variables every subcommand honours, and the built-in trainer's settings, which {@code
 * mlops train --help} asks the trainer for, so that the list never drifts from what it accepts.
 */
final class HelpSections {

  private static final String ENVIRONMENT = "mlflowEnvironment";
  private static final String TRAINER = "trainerSettings";

  /** The variables {@code TrackingConfig.fromEnvironment} reads, as MLflow's own clients do. */
  static final List<String> VARIABLES =
      List.of(
          "  MLFLOW_TRACKING_URI               the server or file store (--tracking-uri wins)",
          "  MLFLOW_TRACKING_USERNAME/PASSWORD basic credentials (never put them in arguments)",
          "  MLFLOW_TRACKING_TOKEN             a bearer token",
          "  MLFLOW_TRACKING_SERVER_CERT_PATH  a CA file for https",
          "  MLFLOW_TRACKING_INSECURE_TLS      true: do not verify the server's certificate",
          "  MLFLOW_HTTP_REQUEST_TIMEOUT       seconds per request (default 120)",
          "  MLFLOW_HTTP_REQUEST_MAX_RETRIES   retries of a transient failure (default 7; a server"
              + " that never answered is retried for 3 s only)",
          "  MLFLOW_RUN_ID                     the run (prepare, sync, gate) when --run-id is not"
              + " given",
          "  MLOPS_SPOOL_DIR                   where writes wait while the server is unreachable",
          "  MLOPS_SPOOL_REPLAY_OTHERS         true: also replay what another user, token or server"
              + " address spooled, as this one");

  private HelpSections() {}

  /** Adds the sections to every subcommand of {@code mlops}. */
  static void install(CommandLine mlops) {
    install(mlops, true);
  }

  /**
   * Adds the sections; {@code withTrainer} false leaves out the trainer's settings, which depend on
   * the trainer.jar found at run time (the generated CLI reference points to them instead).
   */
  static void install(CommandLine mlops, boolean withTrainer) {
    for (Map.Entry<String, CommandLine> e : mlops.getSubcommands().entrySet()) {
      if (e.getKey().equals("help")) {
        continue;
      }
      CommandLine sub = e.getValue();
      sub.getHelpSectionMap()
          .put(
              ENVIRONMENT,
              help ->
                  String.format("%nEnvironment (MLflow's own variables):%n")
                      + String.join(System.lineSeparator(), VARIABLES)
                      + System.lineSeparator());
      List<String> sections = new ArrayList<>(List.of(ENVIRONMENT));
      if (withTrainer && e.getKey().equals("train")) {
        sub.getHelpSectionMap().put(TRAINER, help -> trainerSettings(System.getenv()));
        sections.add(0, TRAINER);
      }
      List<String> keys = new ArrayList<>(sub.getHelpSectionKeys());
      keys.addAll(keys.indexOf(UsageMessageSpec.SECTION_KEY_FOOTER_HEADING), sections);
      sub.setHelpSectionKeys(keys);
    }
  }

  /**
   * The settings of the built-in trainer ({@code --launcher djl}), as {@code trainer.jar --help}
   * lists them, or why they cannot be listed.
   */
  static String trainerSettings(Map<String, String> environment) {
    String heading =
        String.format(
            "%nBuilt-in trainer (--launcher djl), given as --param name=value (or after --):%n");
    List<String> trainer = LocalBackend.findTrainer(environment);
    if (trainer.isEmpty()) {
      return heading
          + "  (trainer.jar is not built here, so its settings cannot be listed: ./mlops builds"
          + " it, or set MLOPS_TRAINER_JAR)"
          + System.lineSeparator();
    }
    List<String> argv = new ArrayList<>(trainer);
    argv.add("--help");
    try {
      ShortProcess.Result r =
          ShortProcess.run(new ProcessBuilder(argv), java.time.Duration.ofSeconds(60));
      if (r.exitCode() != 0) {
        return heading + "  (trainer.jar --help did not answer)" + System.lineSeparator();
      }
      String text = r.output();
      StringBuilder out = new StringBuilder(heading);
      text.lines()
          .filter(l -> l.startsWith("  --"))
          .forEach(l -> out.append("  ").append(l.substring(4)).append(System.lineSeparator()));
      return out.toString();
    } catch (IOException e) {
      return heading
          + "  (cannot run trainer.jar: "
          + e.getMessage()
          + ")"
          + System.lineSeparator();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return heading;
    }
  }
}
