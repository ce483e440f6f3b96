package io.jenkins.plugins.mlops.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Ready-made calls into the Python peers, for tests that check that the Python tools read what our
 * Java code wrote. Each returns what the peer printed: one JSON document.
 */
public final class PythonPeers {

  private PythonPeers() {}

  /**
   * One run as the Python MLflow client sees it: {@code run_id}, {@code experiment_id}, {@code
   * run_name}, {@code status}, {@code end_time}, {@code params}, {@code metrics} (latest), {@code
   * tags} (without MLflow's own {@code mlflow.*}), {@code all_tags}, {@code history} (every point
   * of every metric, by step) and {@code inputs} (datasets with their context).
   */
  public static String readRun(String trackingUri, String runId) {
    return lastLine(runScript("read_run.py", trackingUri, runId));
  }

  /**
   * Downloads every artifact of a run with {@code mlflow.artifacts.download_artifacts} into {@code
   * destination}: {@code {"files": {relative path: size}}}.
   */
  public static String downloadArtifacts(String trackingUri, String runId, Path destination) {
    return lastLine(
        runScript("mlflow_peer.py", trackingUri, "artifacts", runId, destination.toString()));
  }

  /** The version an alias points at: {@code {"version", "run_id", "source"}}. */
  public static String modelVersionByAlias(String trackingUri, String model, String alias) {
    return lastLine(runScript("mlflow_peer.py", trackingUri, "alias", model, alias));
  }

  /** {@code mlflow.search_runs} in one experiment: {@code {"run_names": [...]}}, in its order. */
  public static String searchRuns(
      String trackingUri, String experimentId, String filter, String orderBy) {
    return lastLine(
        runScript("mlflow_peer.py", trackingUri, "search", experimentId, filter, orderBy));
  }

  /**
   * Writes a run with the Python MLflow client (experiment {@code experimentName}, run {@code
   * written-by-python}, tag {@code team=vision}, param {@code optimizer=adam}, metric {@code
   * train/loss} at steps 0..2, FINISHED): {@code {"experiment_id", "run_id"}}.
   */
  public static String writeRun(String trackingUri, String experimentName) {
    return lastLine(runScript("mlflow_peer.py", trackingUri, "write", experimentName));
  }

  private static String runScript(String resource, String... args) {
    Path script = extract(resource);
    String[] command = new String[args.length + 1];
    command[0] = script.toString();
    System.arraycopy(args, 0, command, 1, args.length);
    try {
      return PythonEnvironment.shared()
          .runPython(Duration.ofMinutes(3), command)
          .requireSuccess()
          .stdout();
    } finally {
      try {
        Files.deleteIfExists(script);
      } catch (IOException ignored) {
        // a leftover temporary script is harmless
      }
    }
  }

  private static Path extract(String resource) {
    try (InputStream in = PythonPeers.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the harness jar lacks " + resource);
      }
      Path script = Files.createTempFile("mlops-peer-", "-" + resource);
      Files.write(script, in.readAllBytes());
      return script;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines[lines.length - 1];
  }
}
