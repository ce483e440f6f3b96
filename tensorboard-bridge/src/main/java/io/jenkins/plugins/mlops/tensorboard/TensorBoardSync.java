package io.jenkins.plugins.mlops.tensorboard;

import io.jenkins.plugins.mlops.tensorboard.internal.RecordReader;
import io.jenkins.plugins.mlops.tensorboard.internal.SyncBatch;
import io.jenkins.plugins.mlops.tensorboard.internal.SyncState;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.RunLogger;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Syncs a TensorBoard log directory into one MLflow run: scalars become metrics named {@code
 * <run>/<tag>} ({@code train/epoch_loss}; a tag of the root run keeps its name), sanitised to
 * MLflow's rules, with the step and the wall time in milliseconds; histograms become {@code
 * <run>/<tag>/min|max|mean|count}; images and the event files themselves become artifacts ({@code
 * tensorboard-images/…} and {@code tensorboard/<run>/…}, ready to download and open in
 * TensorBoard).
 *
 * <p>Incremental and idempotent: after every batch the server has taken it saves the reader's
 * positions to a state file, so a re-run or a process restarted after a crash sends only what is
 * new. A point counts as sent only once the server has it: while requests wait in the spool (the
 * server unreachable), the saved positions stay before them, so a re-run from any directory sends
 * them again, and a sync that ends with requests still spooled fails, naming the spool, instead of
 * reporting them synced. (A crash between the send and the save re-sends that one batch; MLflow
 * servers with a database keep a metric point once however often it is logged.) Points a restarted
 * writer made obsolete are dropped by TensorBoard's rule when they have not been sent yet.
 *
 * <p>{@link #sync()} catches up once; {@link #follow} keeps syncing until told to stop, then makes
 * a final pass. One thread uses an instance; the stop condition may come from any thread.
 */
public final class TensorBoardSync {

  private final TrackingClient client;
  private final String runId;
  private final Path logdir;
  private final SyncOptions options;
  private final Consumer<String> console;
  private final Path stateFile;
  private final LogDirReader reader;
  private final OrphanedSteps orphans;
  private final Map<String, Long> uploaded;
  private final Set<String> notEventFiles = new HashSet<>();
  private final SyncBatch.Totals totals;
  private final long started = System.nanoTime();
  private long passes;
  private long lastUpload = System.nanoTime();

  /**
   * Prepares a sync of {@code logdir} into {@code runId}, resuming from the state file when one
   * exists.
   *
   * @param console receives progress lines and warnings
   * @throws IllegalArgumentException when the state file belongs to another run
   */
  public TensorBoardSync(
      TrackingClient client,
      String runId,
      Path logdir,
      SyncOptions options,
      Consumer<String> console) {
    this.client = Objects.requireNonNull(client, "client");
    if (runId == null || runId.isBlank()) {
      throw new IllegalArgumentException("runId (" + runId + ") may not be empty");
    }
    this.runId = runId;
    this.logdir = logdir;
    this.options = options;
    this.console = console;
    this.stateFile =
        options.stateFile() != null ? options.stateFile() : defaultStateFile(logdir, runId);
    SyncState saved = SyncState.load(stateFile);
    if (saved != null && !saved.runId().equals(runId)) {
      throw new IllegalArgumentException(
          "the sync state "
              + stateFile
              + " belongs to run "
              + saved.runId()
              + ", not "
              + runId
              + "; give another state file or delete it");
    }
    SyncState state = saved != null ? saved : SyncState.fresh(runId);
    if (saved != null) {
      console.accept(
          "tensorboard sync: resuming from "
              + stateFile
              + " ("
              + String.format(Locale.ROOT, "%,d", saved.points())
              + " points sent before)");
    }
    this.reader = new LogDirReader(logdir, state.reader(), console);
    this.orphans = new OrphanedSteps(state.orphans());
    this.uploaded = new HashMap<>(state.uploaded());
    this.totals = new SyncBatch.Totals(state);
  }

  /** Where a sync of {@code logdir} into {@code runId} keeps its state by default. */
  public static Path defaultStateFile(Path logdir, String runId) {
    return logdir.resolve(".mlops-sync").resolve(runId + ".json");
  }

  /** The state file this sync saves to. */
  public Path stateFile() {
    return stateFile;
  }

  /** Sends everything new once and uploads the event files that changed. */
  public SyncReport sync() {
    replaySpool();
    try (RunLogger logger = client.logger(runId)) {
      pass(logger, true);
      requireDelivered(logger);
    }
    warnIfNoEventFiles();
    return report();
  }

  /**
   * Syncs every {@link SyncOptions#interval()} until {@code stop} says so, then makes a final pass
   * that sends everything and uploads every changed file. A pass that fails for a reason that may
   * pass (an unreadable file, an unreachable server) is reported and retried on the next one.
   *
   * @throws MlflowException when MLflow refuses the data for good (e.g. the run was deleted)
   */
  public SyncReport follow(BooleanSupplier stop) {
    console.accept(
        "tensorboard sync: following "
            + logdir
            + " into run "
            + runId
            + " every "
            + options.interval().toMillis() / 1000.0
            + " s");
    replaySpool();
    try (RunLogger logger = client.logger(runId)) {
      while (!stop.getAsBoolean()) {
        boolean uploadDue = System.nanoTime() - lastUpload >= options.uploadInterval().toNanos();
        try {
          pass(logger, uploadDue);
        } catch (UncheckedIOException e) {
          console.accept("WARNING: tensorboard sync: " + e.getMessage() + "; retrying");
        }
        sleep(stop);
      }
      pass(logger, true);
      requireDelivered(logger);
    }
    warnIfNoEventFiles();
    SyncReport report = report();
    console.accept("tensorboard sync: done: " + report.describe());
    return report;
  }

  private void pass(RunLogger logger, boolean uploadFiles) {
    passes++;
    long before = totals.points();
    boolean more = true;
    while (more) {
      SyncBatch batch = new SyncBatch(orphans, options, totals, console);
      ReadStats.Snapshot seen = reader.stats().snapshot();
      more = reader.read(batch, options.batchRecords());
      ReadStats.Snapshot now = reader.stats().snapshot();
      if (now.records() == seen.records() && now.deadFiles() == seen.deadFiles()) {
        break; // nothing new: nothing to send, no position moved
      }
      batch.send(logger, client.artifacts(), runId);
      logger.flush();
      saveStateIfDelivered(logger);
    }
    if (totals.points() > before) {
      int waiting = logger.spooled();
      console.accept(
          waiting == 0
              ? String.format(
                  Locale.ROOT,
                  "tensorboard sync: +%,d points into run %s (%,d in all)",
                  totals.points() - before,
                  runId,
                  totals.points())
              : String.format(
                  Locale.ROOT,
                  "tensorboard sync: +%,d points of run %s read, not sent: %,d request(s) wait"
                      + " in the spool %s",
                  totals.points() - before,
                  runId,
                  waiting,
                  logger.spoolDir()));
    }
    if (uploadFiles && options.uploadFiles()) {
      uploadEventFiles();
      saveStateIfDelivered(logger);
    }
  }

  /**
   * Saves the positions only when nothing of this run waits in the spool: a saved position means
   * "the server has everything before it", whichever directory the next sync runs from.
   */
  private void saveStateIfDelivered(RunLogger logger) {
    if (logger.spooled() == 0) {
      saveState();
    }
  }

  /** A sync is done only when the server has every point it read. */
  private void requireDelivered(RunLogger logger) {
    logger.flush();
    int waiting = logger.spooled();
    if (waiting == 0) {
      saveState();
      return;
    }
    throw new MlflowException(
        waiting
            + " request(s) of run "
            + runId
            + " did not reach the server; they wait in the spool "
            + logger.spoolDir()
            + ", and the saved position ("
            + stateFile
            + ") stays before them. Once the server answers, sync "
            + logdir
            + " into run "
            + runId
            + " again (mlops sync --logdir "
            + logdir
            + " --run-id "
            + runId
            + "): it replays the spool and re-sends from that position",
        0,
        "SPOOLED",
        "sync again once the server answers",
        null);
  }

  private void uploadEventFiles() {
    lastUpload = System.nanoTime();
    for (LogDir.EventFile file : LogDir.scan(logdir)) {
      try {
        long size = Files.size(file.path());
        Long done = uploaded.get(file.key());
        if (done != null && done == size || !startsWithARecord(file)) {
          continue;
        }
        // A snapshot: the writer may append while we upload.
        Path snapshotDir = Files.createTempDirectory("mlops-tb-upload");
        Path snapshot = snapshotDir.resolve(file.path().getFileName());
        try {
          Files.copy(file.path(), snapshot, StandardCopyOption.REPLACE_EXISTING);
          String dir = file.run().equals(".") ? "tensorboard" : "tensorboard/" + file.run();
          client.artifacts().upload(runId, snapshot, dir);
          uploaded.put(file.key(), Files.size(snapshot));
          totals.fileUploaded();
        } finally {
          Files.deleteIfExists(snapshot);
          Files.deleteIfExists(snapshotDir);
        }
      } catch (IOException | MlflowException e) {
        console.accept(
            "WARNING: tensorboard sync: could not upload "
                + file.key()
                + " ("
                + e.getMessage()
                + "); will try again");
      }
    }
  }

  /** Whether {@code file} starts as an event file does; warns once about one that does not. */
  private boolean startsWithARecord(LogDir.EventFile file) throws IOException {
    RecordReader.Outcome first = RecordReader.firstRecord(file.path());
    if (first != RecordReader.Outcome.RECORD
        && first != RecordReader.Outcome.END
        && notEventFiles.add(file.key())) {
      console.accept(
          "WARNING: tensorboard sync: "
              + file.key()
              + " is named like an event file but is not one (its first record's "
              + (first == RecordReader.Outcome.BAD_LENGTH ? "length" : "data")
              + " checksum is wrong); not uploaded");
    }
    return first == RecordReader.Outcome.RECORD;
  }

  private void warnIfNoEventFiles() {
    if (LogDir.scan(logdir).isEmpty()) {
      console.accept(
          "WARNING: tensorboard sync: no event files found in "
              + logdir
              + (Files.isDirectory(logdir)
                  ? " (files whose name contains 'tfevents', in it or below it)"
                  : " (it does not exist)")
              + "; nothing was synced");
    }
  }

  private void saveState() {
    totals.toState(runId, reader.state(), orphans.state(), uploaded).save(stateFile);
  }

  private void replaySpool() {
    try {
      int replayed = client.replaySpool();
      if (replayed > 0) {
        console.accept("tensorboard sync: replayed " + replayed + " spooled requests");
      }
    } catch (MlflowException e) {
      console.accept(
          "WARNING: tensorboard sync: the spool could not be replayed yet ("
              + e.getMessage()
              + ")");
    }
  }

  private void sleep(BooleanSupplier stop) {
    long until = System.nanoTime() + options.interval().toNanos();
    try {
      while (System.nanoTime() < until && !stop.getAsBoolean()) {
        Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("tensorboard sync interrupted", e);
    }
  }

  private SyncReport report() {
    return new SyncReport(
        runId,
        totals.points(),
        totals.histograms(),
        totals.images(),
        totals.orphaned(),
        totals.orphanedAlreadySent(),
        totals.filesUploaded(),
        passes,
        reader.stats().snapshot(),
        Duration.ofNanos(System.nanoTime() - started));
  }
}
