package io.jenkins.plugins.mlops.steps.cli;

import io.jenkins.plugins.mlops.steps.MlflowLookup;
import io.jenkins.plugins.mlops.steps.sync.SyncRequest;
import io.jenkins.plugins.mlops.steps.sync.TensorBoardSyncService;
import io.jenkins.plugins.mlops.steps.training.SpecFile;
import io.jenkins.plugins.mlops.tensorboard.SyncReport;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mlops sync}: syncs a TensorBoard log directory (scalars, histogram summaries, images and
 * the event files) into an MLflow run, once or following it; what runs as a sidecar next to
 * training pods.
 */
@Command(
    name = "sync",
    mixinStandardHelpOptions = true,
    description = {
      "Sync a TensorBoard logdir (scalars and event files) into an MLflow run, once or following it.",
      "Metrics are named <run>/<tag> (train/epoch_loss); event files go to the artifacts under"
          + " tensorboard/. Positions are saved, so a re-run sends only what is new.",
      "The server comes from MLFLOW_TRACKING_URI (and MLFLOW_TRACKING_TOKEN, ...); without one,"
          + " ./mlruns."
    })
final class SyncCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--logdir",
      required = true,
      paramLabel = "DIR",
      description = "The TensorBoard log directory to read.")
  Path logdir;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description = "The run to sync into (default: MLFLOW_RUN_ID).")
  String runId;

  @Option(
      names = "--experiment",
      paramLabel = "NAME",
      description =
          "Make a run in this experiment instead (the same one again when this logdir is synced"
              + " into it later); it is ended FINISHED when the sync ends.")
  String experiment;

  @Option(
      names = "--run-name",
      paramLabel = "NAME",
      description = "Name of a run made with --experiment (default: tensorboard-<logdir name>).")
  String runName;

  @Option(
      names = "--follow",
      description = "Keep syncing until stopped (SIGTERM, Ctrl-C, --until-pid, --until-file).")
  boolean follow;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "5s",
      description =
          "How long between looks for new data when following: 5s, 500ms, 2m, PT10S; a plain"
              + " number is seconds (default: ${DEFAULT-VALUE}).")
  String interval;

  @Option(
      names = "--upload-interval",
      paramLabel = "DURATION",
      defaultValue = "60s",
      description =
          "How long between uploads of grown event files when following, as --interval"
              + " (default: ${DEFAULT-VALUE}); the final pass always uploads.")
  String uploadInterval;

  @Option(names = "--no-files", description = "Do not upload the event files as artifacts.")
  boolean noFiles;

  @Option(
      names = "--state",
      paramLabel = "FILE",
      description = "Where positions are kept (default: <logdir>/.mlops-sync/<run id>.json).")
  Path state;

  @Option(
      names = "--until-pid",
      paramLabel = "PID",
      description = "With --follow: stop once this process (the training) has ended.")
  Long untilPid;

  @Option(
      names = "--until-file",
      paramLabel = "FILE",
      description = "With --follow: stop once this file exists (e.g. written by the training).")
  Path untilFile;

  @Mixin TrackingUriOption store;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> env = store.environment();
    String run = runId;
    if ((run == null || run.isBlank()) && (experiment == null || experiment.isBlank())) {
      run = env.get("MLFLOW_RUN_ID");
    }
    SyncRequest request;
    try {
      request =
          new SyncRequest(
              logdir,
              run,
              experiment,
              runName,
              follow,
              duration("--interval", interval),
              duration("--upload-interval", uploadInterval),
              !noFiles,
              state,
              untilPid,
              untilFile);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(),
          e.getMessage()
              .replace("a run id (or MLFLOW_RUN_ID)", "--run-id (or MLFLOW_RUN_ID)")
              .replace("an experiment", "--experiment")
              .replace(
                  "untilPid and untilFile only apply", "--until-pid and --until-file only apply"));
    }
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Thread onSignal =
        new Thread(
            () -> {
              // SIGTERM (a pod stopping) or Ctrl-C: stop following, make the final pass, then exit.
              stop.set(true);
              try {
                finished.await(2, TimeUnit.MINUTES);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "mlops-sync-shutdown");
    if (follow) {
      Runtime.getRuntime().addShutdownHook(onSignal);
    }
    TrackingConfig config = CliTracking.config(env);
    String spoolDir = env.get("MLOPS_SPOOL_DIR");
    if (spoolDir == null || spoolDir.isBlank()) {
      // The spool lives with the positions it belongs to, whatever directory a re-run starts in.
      config = config.withSpoolDir(syncSpool(logdir, state));
    }
    try (TrackingClient client = TrackingClient.open(config, CliTracking.console(err))) {
      SyncReport report =
          TensorBoardSyncService.run(client, request, stop::get, CliTracking.console(err));
      spec.commandLine().getOut().println("synced " + logdir + ": " + report.describe());
      MlflowLookup.fileStoreHint(client.trackingUri().toString())
          .ifPresent(hint -> err.println("sync: " + hint));
      return ExitCodes.OK;
    } finally {
      finished.countDown();
      if (follow && !stop.get()) {
        Runtime.getRuntime().removeShutdownHook(onSignal);
      }
    }
  }

  /** {@code <logdir>/.mlops-sync/spool}, or {@code spool} next to a {@code --state} file. */
  static Path syncSpool(Path logdir, Path state) {
    Path dir =
        state != null
            ? state.toAbsolutePath().normalize().getParent()
            : logdir.toAbsolutePath().normalize().resolve(".mlops-sync");
    return dir.resolve("spool");
  }

  /** The same durations as {@code train --sync-interval}: a plain number is seconds. */
  private Duration duration(String option, String text) {
    try {
      Duration d = SpecFile.duration(option, text);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(option + " (" + text + ") must be positive");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
