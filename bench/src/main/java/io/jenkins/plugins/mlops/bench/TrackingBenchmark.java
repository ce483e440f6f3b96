package io.jenkins.plugins.mlops.bench;

import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import io.jenkins.plugins.mlops.harness.internal.MlflowServerProcess;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunLogger;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Logs KEYS x STEPS metric points (default 100 x 10,000 = 1,000,000) into one run of a real MLflow
 * server three ways, against the same server in one run: our {@link RunLogger}, the Python MLflow
 * client's {@code log_batch} in 1000-metric chunks, and its per-point {@code log_metric} on a
 * sample (extrapolated). Prints ours, theirs and the ratios.
 *
 * <p>Usage: {@code bench/tracking/run [KEYS STEPS SAMPLE [python-first]]}.
 */
public final class TrackingBenchmark {

  private TrackingBenchmark() {}

  public static void main(String[] args) throws Exception {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int sample = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    long points = (long) keys * steps;
    System.out.printf(
        Locale.ROOT,
        "tracking benchmark: %,d points (%d keys x %,d steps) per client%n",
        points,
        keys,
        steps);
    PythonEnvironment python = PythonEnvironment.shared();
    try (MlflowServerProcess server = MlflowServer.startStandalone(List.of());
        TrackingClient client =
            TrackingClient.open(
                TrackingConfig.parse(server.uri().toString(), Files.createTempDirectory("bench")),
                System.out::println)) {
      Experiment experiment = client.experiments().getOrCreate("tracking-benchmark");

      // Whoever goes second writes into a table that already holds the first one's million rows:
      // "python-first" (4th argument) puts that cost on us instead of on the peer.
      boolean pythonFirst = args.length > 3 && args[3].equals("python-first");
      String json =
          pythonFirst
              ? python(python, server.uri().toString(), experiment, args3(keys, steps, sample))
              : null;
      double ours = ours(client, experiment, keys, steps);
      if (!pythonFirst) {
        json = python(python, server.uri().toString(), experiment, args3(keys, steps, sample));
      }
      System.out.println(
          "order: " + (pythonFirst ? "python first, then ours" : "ours first, then python"));
      double batched = PythonScripts.number(json, "batched_s");
      double perPoint = PythonScripts.number(json, "sample_s") / sample * points;

      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "%-42s %12s %14s%n",
          "client (same server, same data)",
          "seconds",
          "points/s");
      row("ours: RunLogger (log-batch, 1000 a request)", ours, points);
      row("python: MlflowClient.log_batch, 1000 a call", batched, points);
      row("python: MlflowClient.log_metric (extrapolated)", perPoint, points);
      System.out.printf(Locale.ROOT, "ratio python log_batch / ours:  %.2fx%n", batched / ours);
      System.out.printf(Locale.ROOT, "ratio python log_metric / ours: %.1fx%n", perPoint / ours);
    }
  }

  private static String[] args3(int keys, int steps, int sample) {
    return new String[] {Integer.toString(keys), Integer.toString(steps), Integer.toString(sample)};
  }

  /** Our RunLogger logging every point; returns the seconds from the first point to FINISHED. */
  private static double ours(TrackingClient client, Experiment experiment, int keys, int steps) {
    System.out.println("ours: RunLogger ...");
    Run run = client.runs().create(NewRun.of(experiment.id(), "mlops-run-logger"));
    long start = System.nanoTime();
    try (RunLogger logger = client.logger(run.id(), Duration.ofSeconds(1))) {
      for (int step = 0; step < steps; step++) {
        for (int key = 0; key < keys; key++) {
          logger.logMetric(String.format(Locale.ROOT, "metric_%03d", key), 1.0 / (step + 1), step);
        }
        if (step % Math.max(1, steps / 10) == 0) {
          System.out.printf(Locale.ROOT, "  step %,d of %,d%n", step, steps);
        }
      }
      logger.finish(RunStatus.FINISHED);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int stored = client.runs().metricHistory(run.id(), "metric_000").size();
    if (stored != steps) {
      throw new IllegalStateException(
          "ours stored " + stored + " points of metric_000, not " + steps);
    }
    return seconds;
  }

  /** The Python client's side; returns its one line of JSON timings. */
  private static String python(
      PythonEnvironment python, String uri, Experiment experiment, String[] sizes) {
    System.out.println("python: log_batch in 1000-metric chunks, then log_metric on a sample ...");
    try {
      String answer =
          python
              .runPython(
                  Duration.ofHours(2),
                  PythonScripts.extract("python_tracking_bench.py").toString(),
                  uri,
                  experiment.id(),
                  sizes[0],
                  sizes[1],
                  sizes[2])
              .requireSuccess()
              .stdout()
              .strip();
      return answer.substring(answer.lastIndexOf('\n') + 1);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void row(String name, double seconds, long points) {
    System.out.printf(Locale.ROOT, "%-42s %12.1f %,14.0f%n", name, seconds, points / seconds);
  }
}
