package io.jenkins.plugins.mlops.steps.training.local;

import io.jenkins.plugins.mlops.steps.training.JobRun;
import io.jenkins.plugins.mlops.steps.training.Launchers;
import io.jenkins.plugins.mlops.steps.training.Launchers.RankLaunch;
import io.jenkins.plugins.mlops.steps.training.TrainingContext;
import io.jenkins.plugins.mlops.steps.training.TrainingHandle;
import io.jenkins.plugins.mlops.steps.training.TrainingJobSpec;
import io.jenkins.plugins.mlops.steps.training.TrainingResult;
import io.jenkins.plugins.mlops.steps.training.TrainingResult.Outcome;
import io.jenkins.plugins.mlops.steps.training.TrainingResult.RankResult;
import io.jenkins.plugins.mlops.tensorboard.SyncOptions;
import io.jenkins.plugins.mlops.tensorboard.SyncReport;
import io.jenkins.plugins.mlops.tensorboard.TensorBoardSync;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One running local job: starts the workers, watches them, syncs the logdir, stops every tree when
 * one worker fails, on cancel and on a timeout, retries as the spec allows, and ends in a {@link
 * TrainingResult} written to {@code result.json}.
 */
final class LocalJob implements TrainingHandle {

  private static final String LOOPBACK = "127.0.0.1";

  private final TrainingJobSpec spec;
  private final TrainingContext context;
  private final String name;
  private final Path dir;
  private final LocalBackend.Options options;
  private final Runnable onEnd;
  private final Consumer<String> console;
  private final CompletableFuture<TrainingResult> result = new CompletableFuture<>();
  private final Thread shutdownHook;
  private final String cookie = java.util.UUID.randomUUID().toString();
  private volatile String cancelReason;
  private volatile List<RankProcess> ranks = List.of();
  private JobRun run;
  private long startTime;

  LocalJob(
      TrainingJobSpec spec,
      TrainingContext context,
      String name,
      Path dir,
      LocalBackend.Options options,
      Runnable onEnd) {
    this.spec = spec;
    this.context = context;
    this.name = name;
    this.dir = dir;
    this.options = options;
    this.onEnd = onEnd;
    Consumer<String> sink = context.console();
    this.console =
        line -> {
          synchronized (sink) {
            sink.accept(line);
          }
        };
    this.shutdownHook =
        new Thread(
            () -> {
              // SIGTERM or Ctrl-C of the process that runs the job: stop the workers the normal
              // way (the result says so and the run ends KILLED), and kill them if that hangs.
              if (!result.isDone()) {
                cancel("the process running the job is shutting down (SIGTERM or SIGINT)");
                try {
                  // The watcher's bounds: the grace, the output drains, the sync's final pass.
                  result.get(
                      options.gracePeriod().toMillis() + 5_000L * spec.workers() + 150_000,
                      TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                  // Killed below.
                }
                if (!result.isDone()) {
                  stopAll(Duration.ofSeconds(1));
                }
              }
            },
            "mlops-" + name + "-shutdown");
  }

  /** Makes the directories and the run, starts the workers and the watcher. */
  void start() {
    startTime = System.currentTimeMillis();
    try {
      for (String sub : List.of("logs", "tensorboard", "output", "checkpoints")) {
        Files.createDirectories(dir.resolve(sub));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make the job directory " + dir, e);
    }
    run =
        JobRun.open(
            spec,
            context,
            name,
            "local",
            LocalBackend.digest(spec, context, options),
            dir.resolve("run-id"),
            console);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    Thread watcher = new Thread(this::watch, "mlops-" + name);
    watcher.setDaemon(false);
    watcher.start();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String runId() {
    return run.runId();
  }

  @Override
  public boolean isDone() {
    return result.isDone();
  }

  @Override
  public TrainingResult await() throws InterruptedException {
    try {
      return result.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("training job " + name + " broke", e.getCause());
    }
  }

  @Override
  public Optional<TrainingResult> await(Duration timeout) throws InterruptedException {
    try {
      return Optional.of(result.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException("training job " + name + " broke", e.getCause());
    }
  }

  @Override
  public void cancel(String reason) {
    if (!result.isDone() && cancelReason == null) {
      cancelReason = reason == null || reason.isBlank() ? "cancelled" : reason;
      console.accept("training job " + name + ": cancelling (" + cancelReason + ")");
    }
  }

  /** The processes of the workers as they run now (for tests and diagnostics). */
  List<ProcessHandle> processes() {
    return ranks.stream().map(r -> r.process.toHandle()).toList();
  }

  private void watch() {
    Outcome outcome = Outcome.FAILED;
    String reason = "the job broke before it ended";
    RankProcess failed = null;
    int attempt = 0;
    boolean[] stopped = new boolean[spec.workers()];
    TensorBoardSyncThread sync = new TensorBoardSyncThread();
    try {
      sync.start();
      attempts:
      while (true) {
        attempt++;
        java.util.Arrays.fill(stopped, false);
        try {
          ranks = startWorkers(attempt);
        } catch (IOException e) {
          reason = "a worker could not be started: " + e.getMessage();
          break;
        }
        long attemptStart = System.nanoTime();
        while (true) {
          // One look at every worker decides: a failure, or success only if all exited 0.
          List<Integer> codes = ranks.stream().map(RankProcess::exitCode).toList();
          RankProcess first = firstFailure(codes);
          if (first != null) {
            markRunning(stopped);
            stopAll(options.gracePeriod());
            String what =
                "worker " + first.worker + " exited with code " + first.exitCode() + signal(first);
            if (attempt <= spec.retries()) {
              console.accept(
                  "training job "
                      + name
                      + ": "
                      + what
                      + "; starting every worker again (attempt "
                      + (attempt + 1)
                      + " of "
                      + (spec.retries() + 1)
                      + ")");
              continue attempts;
            }
            failed = first;
            reason =
                what
                    + (spec.workers() > 1 ? "; the other workers were stopped" : "")
                    + (attempt > 1 ? " (attempt " + attempt + ")" : "")
                    + "; its log: "
                    + first.log;
            break attempts;
          }
          if (codes.stream().allMatch(code -> code != null && code == 0)) {
            outcome = Outcome.SUCCEEDED;
            reason =
                spec.workers() == 1
                    ? "the worker exited 0"
                    : "all " + spec.workers() + " workers exited 0";
            break attempts;
          }
          if (cancelReason != null) {
            int running = markRunning(stopped);
            stopAll(options.gracePeriod());
            outcome = Outcome.CANCELLED;
            reason =
                cancelReason + "; stopped " + running + " running worker(s) and their processes";
            break attempts;
          }
          long elapsed = System.currentTimeMillis() - startTime;
          if (spec.deadline() != null && elapsed > spec.deadline().toMillis()) {
            int running = markRunning(stopped);
            stopAll(options.gracePeriod());
            outcome = Outcome.TIMED_OUT;
            reason =
                "the deadline ("
                    + human(spec.deadline())
                    + ") passed with "
                    + running
                    + " of "
                    + spec.workers()
                    + " worker(s) still running; all were stopped";
            break attempts;
          }
          if (spec.startupTimeout() != null
              && System.nanoTime() - attemptStart > spec.startupTimeout().toNanos()) {
            Optional<RankProcess> silent =
                ranks.stream().filter(r -> !r.printed() && r.process.isAlive()).findFirst();
            if (silent.isPresent()) {
              markRunning(stopped);
              stopAll(options.gracePeriod());
              outcome = Outcome.TIMED_OUT;
              reason =
                  "worker "
                      + silent.get().worker
                      + " printed nothing within the startup timeout ("
                      + human(spec.startupTimeout())
                      + "); all workers were stopped";
              break attempts;
            }
          }
          Thread.sleep(options.pollInterval().toMillis());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopAll(options.gracePeriod());
      outcome = Outcome.CANCELLED;
      reason = "the watcher was interrupted; every worker was stopped";
    } catch (RuntimeException e) {
      stopAll(options.gracePeriod());
      outcome = Outcome.FAILED;
      reason = "the job broke: " + e;
    } finally {
      for (RankProcess r : ranks) {
        try {
          r.drain(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    String synced = sync.finish();
    finish(outcome, reason, failed, attempt, stopped, synced);
  }

  private void finish(
      Outcome outcome,
      String reason,
      RankProcess failed,
      int attempts,
      boolean[] stopped,
      String synced) {
    TrainingResult done;
    try {
      JobRun.Ended ended = run.finish(context.tracking(), outcome, dir.resolve("output"), console);
      Map<String, Double> metrics = ended.metrics();
      if (ended.reason() != null) {
        outcome = ended.outcome();
        reason = ended.reason();
      }
      List<RankResult> rankResults = new ArrayList<>();
      for (RankProcess r : ranks) {
        rankResults.add(
            new RankResult(
                r.worker,
                r.process.pid(),
                r.exitCode(),
                stopped[r.worker],
                r.log.toString(),
                r.tail()));
      }
      done =
          new TrainingResult(
              name,
              "local",
              spec.launcher().id(),
              outcome,
              reason,
              run.runId(),
              run.experimentId(),
              trackingUri(),
              spec.workers(),
              attempts,
              startTime,
              System.currentTimeMillis(),
              failed == null ? null : failed.worker,
              failed == null ? null : failed.exitCode(),
              failed == null ? List.of() : failed.tail(),
              metrics,
              rankResults,
              dir.resolve("tensorboard").toString(),
              dir.resolve("output").toString(),
              synced);
      writeResult(done);
      done.describe().forEach(console);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      cleanUp();
      return;
    }
    result.complete(done);
    cleanUp();
  }

  private void cleanUp() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down; the hook runs (and finds the job done).
    }
    try {
      Files.deleteIfExists(dir.resolve("pids"));
    } catch (IOException e) {
      console.accept("training job " + name + ": cannot remove " + dir.resolve("pids"));
    }
    onEnd.run();
  }

  private void writeResult(TrainingResult done) {
    Path file = dir.resolve("result.json");
    Path tmp = dir.resolve("result.json.tmp");
    try {
      Files.writeString(tmp, done.toJson(), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private List<RankProcess> startWorkers(int attempt) throws IOException {
    List<Integer> ports = FreePorts.loopback(spec.workers());
    Launchers.Topology topology =
        new Launchers.Topology(Collections.nCopies(spec.workers(), LOOPBACK), ports);
    Path output = dir.resolve("output");
    Launchers.Contract contract =
        new Launchers.Contract(
            trackingUri(),
            run.runId(),
            run.experimentId(),
            spec.datasetManifest() == null
                ? null
                : spec.datasetManifest().toAbsolutePath().getParent().toString(),
            dir.resolve("tensorboard").toString(),
            output.toString(),
            dir.resolve("checkpoints").toString(),
            options.trainerCommand(),
            context.tracking().childEnvironment());
    List<RankLaunch> plan = Launchers.plan(spec, topology, contract);
    console.accept(
        "training job "
            + name
            + ": starting "
            + spec.workers()
            + " worker(s) with the "
            + spec.launcher().id()
            + " launcher"
            + (spec.workers() > 1 ? " on 127.0.0.1 ports " + ports : "")
            + (attempt > 1 ? " (attempt " + attempt + ")" : "")
            + "; logs in "
            + dir.resolve("logs"));
    List<RankProcess> started = new ArrayList<>();
    for (RankLaunch launch : plan) {
      Map<String, String> base = new LinkedHashMap<>(context.environment());
      gpuSlice(base, launch.worker());
      base.put(ProcessTree.COOKIE, cookie);
      try {
        started.add(
            RankProcess.start(
                launch,
                base,
                context.workDir(),
                dir.resolve("logs").resolve("worker-" + launch.worker() + ".log"),
                attempt,
                console));
      } catch (IOException e) {
        ranks = started;
        stopAll(options.gracePeriod());
        throw new IOException(
            "worker "
                + launch.worker()
                + " ("
                + String.join(" ", launch.argv())
                + "): "
                + e.getMessage()
                + " (is "
                + launch.argv().get(0)
                + " installed and on the PATH?)",
            e);
      }
    }
    ranks = List.copyOf(started); // so that a failure from here on stops them
    writePids(started);
    return ranks;
  }

  /** The tracking URI as MLflow's clients write it (no trailing slash). */
  private String trackingUri() {
    String uri = context.tracking().trackingUri().toString();
    return uri.endsWith("/") && !uri.endsWith(":///") ? uri.substring(0, uri.length() - 1) : uri;
  }

  /**
   * Worker {@code i} of a GPU job sees its own GPUs: its slice of the caller's {@code
   * CUDA_VISIBLE_DEVICES} (checked at submit to be long enough), or of 0, 1, ... without one.
   */
  private void gpuSlice(Map<String, String> env, int worker) {
    int g = spec.gpusPerWorker();
    if (g <= 0) {
      return;
    }
    List<String> visible = LocalBackend.visibleGpus(env);
    List<String> mine = new ArrayList<>();
    for (int i = worker * g; i < worker * g + g; i++) {
      mine.add(visible.isEmpty() ? Integer.toString(i) : visible.get(i));
    }
    env.put("CUDA_VISIBLE_DEVICES", String.join(",", mine));
  }

  /** The worker that failed first (by exit time) among {@code codes} (one per worker), or null. */
  private RankProcess firstFailure(List<Integer> codes) {
    RankProcess first = null;
    for (RankProcess r : ranks) {
      Integer code = codes.get(r.worker);
      if (code != null && code != 0) {
        if (first == null || r.exitedNanos() < first.exitedNanos()) {
          first = r;
        }
      }
    }
    return first;
  }

  private int markRunning(boolean[] stopped) {
    int count = 0;
    for (RankProcess r : ranks) {
      if (r.process.isAlive()) {
        stopped[r.worker] = true;
        count++;
      }
    }
    return count;
  }

  private void stopAll(Duration grace) {
    // Even with no worker left to start from, the cookie finds what the job started.
    List<ProcessHandle> roots = ranks.stream().map(r -> r.process.toHandle()).toList();
    int killed = ProcessTree.stop(roots, cookie, grace);
    if (killed > 0) {
      console.accept(
          "training job "
              + name
              + ": "
              + killed
              + " process(es) ignored SIGTERM for "
              + human(grace)
              + " and were killed");
    }
  }

  private static String signal(RankProcess r) {
    Integer code = r.exitCode();
    if (code == null || code <= 128 || code > 128 + 64) {
      return "";
    }
    int signal = code - 128;
    String nameOf =
        switch (signal) {
          case 9 -> "SIGKILL (out of memory, or killed from outside)";
          case 15 -> "SIGTERM";
          case 11 -> "SIGSEGV (a crash in native code)";
          case 6 -> "SIGABRT";
          case 2 -> "SIGINT";
          default -> "signal " + signal;
        };
    return " (ended by " + nameOf + ")";
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 120 && d.toMillisPart() != 0) {
      return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
    return s < 120 ? s + " s" : s < 7200 ? (s / 60) + " min" : (s / 3600) + " h";
  }

  /** The pids of the workers, so that another process can tell that this job runs. */
  private void writePids(List<RankProcess> started) {
    StringBuilder text = new StringBuilder();
    for (RankProcess r : started) {
      ProcessHandle h = r.process.toHandle();
      text.append(h.pid())
          .append(' ')
          .append(h.info().startInstant().map(Object::toString).orElse("-"))
          .append('\n');
    }
    try {
      Files.writeString(dir.resolve("pids"), text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve("pids"), e);
    }
  }

  /** The processes of the {@code pids} file under {@code dir} that still run (same start time). */
  static List<Long> livePids(Path dir) {
    Path file = dir.resolve("pids");
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    List<Long> alive = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] parts = line.strip().split(" ", 2);
        if (parts.length < 2 || parts[0].isEmpty()) {
          continue;
        }
        long pid = Long.parseLong(parts[0]);
        ProcessHandle.of(pid)
            .filter(ProcessTree::running)
            .filter(h -> h.info().startInstant().map(Object::toString).orElse("-").equals(parts[1]))
            .ifPresent(h -> alive.add(pid));
      }
    } catch (IOException | NumberFormatException e) {
      return List.of();
    }
    return alive;
  }

  /** Follows the logdir into the run while the job runs, then makes a final pass. */
  private final class TensorBoardSyncThread {
    private volatile boolean stop;
    private volatile String report = "not started";
    private final Thread thread = new Thread(this::follow, "mlops-" + name + "-tensorboard-sync");

    void start() {
      thread.setDaemon(true);
      thread.start();
    }

    private void follow() {
      try {
        SyncOptions syncOptions =
            SyncOptions.DEFAULTS
                .withInterval(options.syncInterval())
                .withUploadInterval(options.uploadInterval())
                .withStateFile(dir.resolve("tensorboard-sync.json"));
        SyncReport r =
            new TensorBoardSync(
                    context.tracking(),
                    run.runId(),
                    dir.resolve("tensorboard"),
                    syncOptions,
                    console)
                .follow(() -> stop);
        report = r.describe();
      } catch (RuntimeException e) {
        report = "failed: " + e.getMessage();
        console.accept("training job " + name + ": TensorBoard sync failed: " + e.getMessage());
      }
    }

    /** Stops following and waits for the final pass (at most two minutes). */
    String finish() {
      stop = true;
      try {
        thread.join(Duration.ofMinutes(2).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return thread.isAlive() ? "still sending after 2 minutes; left running" : report;
    }
  }
}
