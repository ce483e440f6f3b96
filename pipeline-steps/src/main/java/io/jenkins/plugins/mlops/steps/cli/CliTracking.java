package io.jenkins.plugins.mlops.steps.cli;

import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where the subcommands find MLflow: MLflow's environment variables, and {@code --tracking-uri}.
 */
final class CliTracking {

  private CliTracking() {}

  /** The process environment with {@code --tracking-uri} (when given) as MLFLOW_TRACKING_URI. */
  static Map<String, String> environment(String trackingUri) {
    Map<String, String> env = new HashMap<>(System.getenv());
    if (trackingUri != null) {
      env.put("MLFLOW_TRACKING_URI", trackingUri);
    }
    return env;
  }

  /** Prints each line and flushes, so that progress shows while the work runs. */
  static Consumer<String> console(PrintWriter err) {
    return line -> {
      err.println(line);
      err.flush();
    };
  }

  /** A client of the server or store {@code env} names; its warnings go to {@code err}. */
  static TrackingClient open(Map<String, String> env, PrintWriter err) {
    return TrackingClient.open(config(env), console(err));
  }

  /**
   * The configuration {@code env} describes, with its spool next to the job's own state in {@code
   * workDir} ({@code <workDir>/.mlops-spool}) unless {@code MLOPS_SPOOL_DIR} names one: a re-run
   * from another directory with the same work directory finds what waits.
   */
  static TrackingConfig config(Map<String, String> env, Path workDir) {
    TrackingConfig config = config(env);
    String spool = env.get("MLOPS_SPOOL_DIR");
    return spool == null || spool.isBlank()
        ? config.withSpoolDir(workDir.resolve(".mlops-spool"))
        : config;
  }

  /** The tracking configuration {@code env} describes, relative to the working directory. */
  static TrackingConfig config(Map<String, String> env) {
    return TrackingConfig.fromEnvironment(env, Path.of("").toAbsolutePath());
  }
}
