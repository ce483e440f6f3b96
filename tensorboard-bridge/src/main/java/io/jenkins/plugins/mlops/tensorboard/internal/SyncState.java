package io.jenkins.plugins.mlops.tensorboard.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.tensorboard.OrphanedSteps;
import io.jenkins.plugins.mlops.tensorboard.ReaderState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * What a sync saves after every hand-over to MLflow, so that a restarted sync sends nothing twice
 * and misses nothing: the reader's positions, the restart rule's memory, which event files were
 * uploaded at which size, the totals, and the MLflow key each series (run, tag) was given. Written
 * to a temporary file and renamed over the old one.
 */
public record SyncState(
    int version,
    String runId,
    ReaderState reader,
    Map<String, OrphanedSteps.RunState> orphans,
    Map<String, Long> uploaded,
    Map<String, Long> maxSentStep,
    long points,
    long histograms,
    long images,
    long orphaned,
    long orphanedAlreadySent,
    long filesUploaded,
    Map<String, Map<String, String>> metricKeys) {

  public static final int VERSION = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public SyncState {
    orphans = Map.copyOf(orphans);
    uploaded = Map.copyOf(uploaded);
    maxSentStep = Map.copyOf(maxSentStep);
    Map<String, Map<String, String>> keys = new HashMap<>();
    if (metricKeys != null) { // absent from the state files of earlier builds
      metricKeys.forEach((run, tags) -> keys.put(run, Map.copyOf(tags)));
    }
    metricKeys = Map.copyOf(keys);
  }

  /** A state for a sync that has done nothing yet. */
  public static SyncState fresh(String runId) {
    return new SyncState(
        VERSION,
        runId,
        ReaderState.EMPTY,
        Map.of(),
        Map.of(),
        Map.of(),
        0,
        0,
        0,
        0,
        0,
        0,
        Map.of());
  }

  /** Reads {@code file}, or null when it does not exist. */
  public static SyncState load(Path file) {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      SyncState state = JSON.readValue(file.toFile(), SyncState.class);
      if (state.version() != VERSION) {
        throw new IllegalStateException(
            "the sync state "
                + file
                + " has version "
                + state.version()
                + "; this build reads version "
                + VERSION);
      }
      return state;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the sync state " + file + " (delete it to sync everything again)", e);
    }
  }

  /** Writes this state to {@code file} atomically. */
  public void save(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), this);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the sync state " + file, e);
    }
  }
}
