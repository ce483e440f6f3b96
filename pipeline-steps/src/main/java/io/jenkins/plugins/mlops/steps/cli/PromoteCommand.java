package io.jenkins.plugins.mlops.steps.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jenkins.plugins.mlops.steps.gate.ModelPromotion;
import io.jenkins.plugins.mlops.tracking.Redaction;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mlops promote}: registers a run's model and moves an alias to it, or rolls back. */
@Command(
    name = "promote",
    mixinStandardHelpOptions = true,
    description = {
      "Register a run's model and move an alias (e.g. champion) to it, or roll back.",
      "The alias's previous holder becomes @previous-<alias>; --rollback swaps them back. A run"
          + " whose gate did not pass (tag mlops.gate.status) is refused unless --force.",
      "Exit status: 0 done, 1 refused (gate not passed, nothing to roll back to), 2 usage, 4 could"
          + " not run."
    })
final class PromoteCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--name",
      required = true,
      paramLabel = "MODEL",
      description = "The registered model.")
  String name;

  @Option(names = "--run-id", paramLabel = "ID", description = "The run whose model to register.")
  String runId;

  @Option(
      names = "--artifact-path",
      paramLabel = "PATH",
      defaultValue = "model",
      description = "The model's artifact path in the run (default: ${DEFAULT-VALUE}).")
  String artifactPath;

  @Option(
      names = "--alias",
      paramLabel = "ALIAS",
      defaultValue = "champion",
      description = "The alias to move (default: ${DEFAULT-VALUE}).")
  String alias;

  @Option(names = "--force", description = "Promote even when the run's gate did not pass.")
  boolean force;

  @Option(
      names = "--rollback",
      description =
          "Move the alias back to @previous-<alias>, which then holds the version it left: one"
              + " step back, so a second rollback returns to where the first started.")
  boolean rollback;

  @Mixin TrackingUriOption store;

  @Option(names = "--json", description = "Print the result as JSON on standard output.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (rollback == (runId != null)) {
      throw new ParameterException(
          spec.commandLine(),
          rollback ? "--rollback takes no --run-id" : "give --run-id (or --rollback)");
    }
    PrintWriter err = spec.commandLine().getErr();
    try (TrackingClient client = CliTracking.open(store.environment(), err)) {
      ModelPromotion.Result result;
      try {
        result =
            rollback
                ? ModelPromotion.rollback(client, name, alias, err::println)
                : ModelPromotion.promote(
                    client, name, runId, artifactPath, alias, force, err::println);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      } catch (IllegalStateException e) {
        err.println("mlops promote: " + Redaction.uris(e.getMessage()));
        return ExitCodes.FAILURE;
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          json
              ? new ObjectMapper()
                  .enable(SerializationFeature.INDENT_OUTPUT)
                  .writeValueAsString(result)
              : "models:/"
                  + result.name()
                  + "@"
                  + result.alias()
                  + " -> version "
                  + result.version());
      return ExitCodes.OK;
    }
  }
}
