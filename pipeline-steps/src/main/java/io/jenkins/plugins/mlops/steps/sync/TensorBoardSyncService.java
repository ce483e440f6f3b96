package io.jenkins.plugins.mlops.steps.sync;

import io.jenkins.plugins.mlops.steps.MlflowLookup;
import io.jenkins.plugins.mlops.steps.RunPointer;
import io.jenkins.plugins.mlops.tensorboard.SyncOptions;
import io.jenkins.plugins.mlops.tensorboard.SyncReport;
import io.jenkins.plugins.mlops.tensorboard.TensorBoardSync;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs a {@link SyncRequest}: resolves the run, syncs once or follows until stopped, and ends a run
 * it made itself (FINISHED). Following stops when {@code stop} says so, when the process {@link
 * SyncRequest#untilPid()} has ended, or when {@link SyncRequest#untilFile()} exists; a final pass
 * always follows.
 */
public final class TensorBoardSyncService {

  private TensorBoardSyncService() {}

  /**
   * Syncs as {@code request} says.
   *
   * @param stop an outside stop (e.g. the step was cancelled, the process got SIGTERM)
   * @param console progress lines and warnings
   * @throws IllegalArgumentException when the log directory does not exist and no follow was asked
   *     for, or the run cannot be used
   */
  public static SyncReport run(
      TrackingClient client, SyncRequest request, BooleanSupplier stop, Consumer<String> console) {
    if (!request.follow() && !Files.isDirectory(request.logdir())) {
      throw new IllegalArgumentException(
          "the log directory "
              + request.logdir()
              + " does not exist (nothing to sync; use --follow to wait for it)");
    }
    boolean madeHere = request.runId() == null || request.runId().isBlank();
    String runId = madeHere ? runInExperiment(client, request, console) : request.runId();
    Run run = client.runs().get(runId);
    if ("deleted".equals(run.info().lifecycleStage())) {
      throw new IllegalArgumentException("the run " + runId + " is deleted; restore it first");
    }
    SyncOptions options =
        SyncOptions.DEFAULTS
            .withInterval(request.interval())
            .withUploadInterval(request.uploadInterval())
            .withUploadFiles(request.uploadFiles())
            .withStateFile(request.stateFile());
    TensorBoardSync sync = new TensorBoardSync(client, runId, request.logdir(), options, console);
    SyncReport report =
        request.follow()
            ? sync.follow(
                () ->
                    stop.getAsBoolean()
                        || ended(request.untilPid())
                        || appeared(request.untilFile()))
            : sync.sync();
    if (madeHere) {
      client.runs().terminate(runId, RunStatus.FINISHED, System.currentTimeMillis());
    }
    return report;
  }

  private static boolean ended(Long pid) {
    return pid != null && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
  }

  private static boolean appeared(Path file) {
    return file != null && Files.exists(file);
  }

  /** The run this log directory synced into in this experiment before, or a new one. */
  private static String runInExperiment(
      TrackingClient client, SyncRequest request, Consumer<String> console) {
    Experiment experiment = client.experiments().getOrCreate(request.experiment());
    Path pointer =
        request.logdir().resolve(".mlops-sync").resolve("experiment-" + experiment.id() + ".run");
    Optional<String> earlier =
        RunPointer.read(pointer).filter(id -> MlflowLookup.liveRun(client, id).isPresent());
    if (earlier.isPresent()) {
      console.accept(
          "tensorboard sync: continuing run "
              + earlier.get()
              + " in experiment "
              + experiment.name());
      return earlier.get();
    }
    String name =
        request.runName() != null && !request.runName().isBlank()
            ? request.runName()
            : "tensorboard-" + dirName(request.logdir());
    Run run =
        client
            .runs()
            .create(
                NewRun.of(experiment.id(), name)
                    .withTags(Map.of("mlops.source", "tensorboard-sync")));
    RunPointer.write(pointer, run.id());
    console.accept(
        "tensorboard sync: made run "
            + run.id()
            + " ("
            + name
            + ") in experiment "
            + experiment.name());
    return run.id();
  }

  private static String dirName(Path logdir) {
    Path name = logdir.toAbsolutePath().normalize().getFileName();
    return name == null ? "logs" : name.toString();
  }
}
