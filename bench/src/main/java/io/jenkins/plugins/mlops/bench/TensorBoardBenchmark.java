package io.jenkins.plugins.mlops.bench;

import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import io.jenkins.plugins.mlops.harness.internal.MlflowServerProcess;
import io.jenkins.plugins.mlops.tensorboard.EventFileWriter;
import io.jenkins.plugins.mlops.tensorboard.LogDirReader;
import io.jenkins.plugins.mlops.tensorboard.ReadStats;
import io.jenkins.plugins.mlops.tensorboard.SyncOptions;
import io.jenkins.plugins.mlops.tensorboard.SyncReport;
import io.jenkins.plugins.mlops.tensorboard.TensorBoardSync;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads TensorBoard log directories of 1,000,000 and 10,000,000 scalar points (10 tags in {@code
 * train/} and {@code validation/}, TF2 encoding, wall times 0.5 s apart) fully to (run, tag, step,
 * value) rows three ways in one run: our {@link LogDirReader}, tbparse, and TensorBoard's Python
 * event loader; then syncs 1,000,000 points into a real MLflow server. Prints ours, theirs and the
 * ratios. The run script pins everything to one core. The first read of the first size runs in a
 * fresh JVM (its time includes the JIT compiling the reader); later sizes run in the same JVM.
 *
 * <p>Usage: {@code bench/tensorboard/run [POINTS...] [--no-sync]} (default 1000000 10000000).
 */
public final class TensorBoardBenchmark {

  private static final int TAGS = 10;

  private TensorBoardBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<Long> sizes = new ArrayList<>();
    boolean sync = true;
    for (String a : args) {
      if (a.equals("--no-sync")) {
        sync = false;
      } else {
        sizes.add(Long.parseLong(a));
      }
    }
    if (sizes.isEmpty()) {
      sizes = List.of(1_000_000L, 10_000_000L);
    }
    Path work = Files.createTempDirectory("tb-bench");
    PythonEnvironment python = PythonEnvironment.shared();
    List<String> table = new ArrayList<>();
    Path firstLogdir = null;
    for (long points : sizes) {
      Path logdir = work.resolve("points-" + points);
      generate(logdir, points);
      firstLogdir = firstLogdir == null ? logdir : firstLogdir;
      long bytes = size(logdir);
      System.out.printf(Locale.ROOT, "%n== %,d points, %,.1f MB ==%n", points, bytes / 1e6);
      double cold = 0;
      double best = Double.MAX_VALUE;
      for (int round = 0; round < 3; round++) {
        long start = System.nanoTime();
        long[] rows = {0};
        double[] checksum = {0};
        ReadStats.Snapshot stats =
            LogDirReader.readAll(
                logdir,
                (run, tag, step, wall, value) -> {
                  rows[0]++;
                  checksum[0] += value;
                },
                System.out::println);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (rows[0] != points || stats.scalars() != points) {
          throw new IllegalStateException("ours read " + rows[0] + " rows, not " + points);
        }
        cold = round == 0 ? seconds : cold;
        best = Math.min(best, seconds);
        System.out.printf(
            Locale.ROOT,
            "ours, read %d: %.3f s (checksum %.6e)%n",
            round + 1,
            seconds,
            checksum[0]);
      }
      System.out.println("python: TensorBoard's event loader, then tbparse ...");
      String json =
          python
              .runPython(
                  Duration.ofHours(2),
                  PythonScripts.extract("python_tensorboard_bench.py").toString(),
                  logdir.toString())
              .requireSuccess()
              .stdout()
              .strip();
      json = json.substring(json.lastIndexOf('\n') + 1);
      System.out.println("python: " + json);
      double loader = PythonScripts.number(json, "loader_s");
      double tbparse = PythonScripts.number(json, "tbparse_s");
      if (PythonScripts.number(json, "loader_rows") != points
          || PythonScripts.number(json, "tbparse_rows") != points) {
        throw new IllegalStateException("the Python readers did not read " + points + " rows");
      }
      table.add(
          row(
              points,
              bytes,
              table.isEmpty()
                  ? "ours: LogDirReader, 1st read, fresh JVM"
                  : "ours: LogDirReader, 1st read of these files",
              cold,
              cold,
              best));
      table.add(row(points, bytes, "ours: LogDirReader, best of 3", best, cold, best));
      table.add(row(points, bytes, "TensorBoard event loader (Python)", loader, cold, best));
      table.add(row(points, bytes, "tbparse", tbparse, cold, best));
    }
    System.out.printf(
        Locale.ROOT,
        "%n%-12s %-48s %10s %14s %10s %18s %16s%n",
        "points",
        "reader",
        "seconds",
        "events/s",
        "MB/s",
        "vs ours 1st read",
        "vs ours best");
    table.forEach(System.out::println);
    if (sync) {
      sync(work, firstLogdir, sizes.get(0));
    }
  }

  private static String row(
      long points, long bytes, String name, double seconds, double cold, double best) {
    return String.format(
        Locale.ROOT,
        "%-12s %-48s %10.3f %,14.0f %10.1f %17.1fx %15.1fx",
        String.format(Locale.ROOT, "%,d", points),
        name,
        seconds,
        points / seconds,
        bytes / seconds / 1e6,
        seconds / cold,
        seconds / best);
  }

  /** Writes {@code points} scalars: 10 tags split over train/ and validation/. */
  private static void generate(Path logdir, long points) {
    long steps = points / TAGS;
    long start = System.nanoTime();
    try (EventFileWriter train = EventFileWriter.open(logdir.resolve("train"));
        EventFileWriter validation = EventFileWriter.open(logdir.resolve("validation"))) {
      for (long step = 0; step < steps; step++) {
        double wall = 1.7e9 + step * 0.5;
        for (int tag = 0; tag < TAGS; tag++) {
          EventFileWriter w = tag < TAGS / 2 ? train : validation;
          w.scalar("epoch_metric_" + tag, step, wall + tag * 1e-4, Math.exp(-step * 1e-6) + tag);
        }
      }
    }
    System.out.printf(
        Locale.ROOT, "generated %,d points in %.1f s%n", points, (System.nanoTime() - start) / 1e9);
  }

  private static void sync(Path work, Path logdir, long points) throws IOException {
    System.out.printf(
        Locale.ROOT, "%n== sync of %,d points into a real MLflow server ==%n", points);
    try (MlflowServerProcess server = MlflowServer.startStandalone(List.of());
        TrackingClient client =
            TrackingClient.open(
                TrackingConfig.parse(server.uri().toString(), work), System.out::println)) {
      Experiment experiment = client.experiments().getOrCreate("tensorboard-benchmark");
      Run run = client.runs().create(NewRun.of(experiment.id(), "sync"));
      long start = System.nanoTime();
      SyncReport report =
          new TensorBoardSync(
                  client,
                  run.id(),
                  logdir,
                  SyncOptions.DEFAULTS.withStateFile(work.resolve("sync-state.json")),
                  System.out::println)
              .sync();
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "sync: %s%n", report.describe());
      System.out.printf(
          Locale.ROOT,
          "sync: %,d points in %.1f s = %,.0f points/s (event files" + " uploaded too)%n",
          report.points(),
          seconds,
          report.points() / seconds);
      int stored = client.runs().metricHistory(run.id(), "train/epoch_metric_0").size();
      if (stored != points / TAGS) {
        throw new IllegalStateException(
            "the server holds " + stored + " points of a tag, not " + points / TAGS);
      }
    }
  }

  private static long size(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
