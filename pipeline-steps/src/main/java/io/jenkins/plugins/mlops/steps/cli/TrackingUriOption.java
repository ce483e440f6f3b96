package io.jenkins.plugins.mlops.steps.cli;

import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --tracking-uri}, the same for every subcommand that talks to MLflow. */
final class TrackingUriOption {

  @Option(
      names = "--tracking-uri",
      paramLabel = "URI",
      description =
          "The MLflow server or file store (default: MLFLOW_TRACKING_URI, else ./mlruns).")
  String uri;

  /** The process environment with {@code --tracking-uri} (when given) as MLFLOW_TRACKING_URI. */
  Map<String, String> environment() {
    return CliTracking.environment(uri);
  }
}
