package io.jenkins.plugins.mlops.tensorboard.internal;

import io.jenkins.plugins.mlops.tensorboard.EventVisitor;
import io.jenkins.plugins.mlops.tensorboard.Histogram;
import io.jenkins.plugins.mlops.tensorboard.Image;
import io.jenkins.plugins.mlops.tensorboard.OrphanedSteps;
import io.jenkins.plugins.mlops.tensorboard.ReaderState;
import io.jenkins.plugins.mlops.tensorboard.SyncOptions;
import io.jenkins.plugins.mlops.tracking.Artifacts;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.MlflowKeys;
import io.jenkins.plugins.mlops.tracking.RunLogger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One batch of a sync: collects what the reader delivers as MLflow metric points and images,
 * applies TensorBoard's restart rule to what has not been sent yet, then hands everything to a
 * {@link RunLogger} (and images to the artifact store). Not thread-safe.
 */
public final class SyncBatch implements EventVisitor, OrphanedSteps.Sink {

  /** Running totals of a sync, and the metric keys it has made. */
  public static final class Totals {
    private long points;
    private long histograms;
    private long images;
    private long orphaned;
    private long orphanedAlreadySent;
    private long filesUploaded;
    private final Map<String, Long> maxSentStep;
    private final Map<String, Map<String, String>> keys = new HashMap<>();
    private final Map<String, String[]> owners = new HashMap<>();

    public Totals(SyncState state) {
      points = state.points();
      histograms = state.histograms();
      images = state.images();
      orphaned = state.orphaned();
      orphanedAlreadySent = state.orphanedAlreadySent();
      filesUploaded = state.filesUploaded();
      maxSentStep = new HashMap<>(state.maxSentStep());
      state
          .metricKeys()
          .forEach(
              (run, tags) ->
                  tags.forEach(
                      (tag, key) -> {
                        keys.computeIfAbsent(run, r -> new HashMap<>()).put(tag, key);
                        owners.put(key, new String[] {run, tag});
                      }));
    }

    public SyncState toState(
        String runId,
        ReaderState reader,
        Map<String, OrphanedSteps.RunState> orphans,
        Map<String, Long> uploaded) {
      return new SyncState(
          SyncState.VERSION,
          runId,
          reader,
          orphans,
          uploaded,
          maxSentStep,
          points,
          histograms,
          images,
          orphaned,
          orphanedAlreadySent,
          filesUploaded,
          keys);
    }

    public long points() {
      return points;
    }

    public long histograms() {
      return histograms;
    }

    public long images() {
      return images;
    }

    public long orphaned() {
      return orphaned;
    }

    public long orphanedAlreadySent() {
      return orphanedAlreadySent;
    }

    public long filesUploaded() {
      return filesUploaded;
    }

    public void fileUploaded() {
      filesUploaded++;
    }

    /**
     * The metric key of a tag: {@code <run>/<tag>}, or the tag for the root run, sanitised. A
     * series whose key another series already has (two names sanitised alike, or the root's {@code
     * train/loss} and run {@code train}'s {@code loss}) gets a suffix made from its own name, with
     * one warning naming both; the keys are kept in the state, so a resumed sync uses the same.
     */
    String key(String run, String tag, Consumer<String> console) {
      Map<String, String> ofRun = keys.computeIfAbsent(run, r -> new HashMap<>());
      String known = ofRun.get(tag);
      if (known != null) {
        return known;
      }
      String wanted = MlflowKeys.sanitise(run.equals(".") ? tag : run + "/" + tag);
      String key = wanted;
      for (int round = 0; owners.containsKey(key); round++) {
        key = suffixed(wanted, run + "\u0000" + tag + (round == 0 ? "" : "\u0000" + round));
      }
      if (!key.equals(wanted)) {
        String[] other = owners.get(wanted);
        console.accept(
            "WARNING: tensorboard sync: "
                + describe(other[0], other[1])
                + " and "
                + describe(run, tag)
                + " both become the MLflow metric '"
                + wanted
                + "'; the second is logged as '"
                + key
                + "'");
      }
      ofRun.put(tag, key);
      owners.put(key, new String[] {run, tag});
      return key;
    }

    private static String describe(String run, String tag) {
      return run.equals(".")
          ? "the tag '" + tag + "' of the root run"
          : "the tag '" + tag + "' of run '" + run + "'";
    }

    private static String suffixed(String key, String series) {
      String hash;
      try {
        byte[] digest =
            MessageDigest.getInstance("SHA-256").digest(series.getBytes(StandardCharsets.UTF_8));
        hash = HexFormat.of().formatHex(digest, 0, 4);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
      }
      int room = 250 - hash.length() - 1;
      String base =
          key.codePointCount(0, key.length()) > room
              ? key.substring(0, key.offsetByCodePoints(0, room))
              : key;
      return MlflowKeys.sanitise(base + "_" + hash);
    }
  }

  private enum Kind {
    SCALAR,
    HISTOGRAM_COUNT,
    HISTOGRAM_MOMENT
  }

  private record Pending(String run, String tag, long step, Kind kind, Metric metric) {}

  private record PendingImage(String run, String tag, long step, Image image) {}

  private final OrphanedSteps orphans;
  private final SyncOptions options;
  private final Totals totals;
  private final Consumer<String> console;
  private final List<Pending> metrics = new ArrayList<>();
  private final List<PendingImage> images = new ArrayList<>();

  public SyncBatch(
      OrphanedSteps orphans, SyncOptions options, Totals totals, Consumer<String> console) {
    this.orphans = orphans;
    this.options = options;
    this.totals = totals;
    this.console = console;
  }

  @Override
  public void scalar(String run, String tag, long step, double wallTime, double value) {
    orphans.value(run, tag, step, wallTime, this);
    metrics.add(
        new Pending(
            run,
            tag,
            step,
            Kind.SCALAR,
            new Metric(totals.key(run, tag, console), value, millis(wallTime), step)));
  }

  @Override
  public void histogram(String run, String tag, long step, double wallTime, Histogram h) {
    orphans.value(run, tag, step, wallTime, this);
    if (!options.histograms()) {
      return;
    }
    String key = totals.key(run, tag, console);
    long time = millis(wallTime);
    metrics.add(
        new Pending(
            run,
            tag,
            step,
            Kind.HISTOGRAM_COUNT,
            new Metric(key + "/count", h.count(), time, step)));
    if (h.count() > 0) {
      metrics.add(
          new Pending(
              run,
              tag,
              step,
              Kind.HISTOGRAM_MOMENT,
              new Metric(key + "/min", h.min(), time, step)));
      metrics.add(
          new Pending(
              run,
              tag,
              step,
              Kind.HISTOGRAM_MOMENT,
              new Metric(key + "/max", h.max(), time, step)));
      metrics.add(
          new Pending(
              run,
              tag,
              step,
              Kind.HISTOGRAM_MOMENT,
              new Metric(key + "/mean", h.mean(), time, step)));
    }
  }

  @Override
  public void image(String run, String tag, long step, double wallTime, Image image) {
    orphans.value(run, tag, step, wallTime, this);
    if (options.images()) {
      images.add(new PendingImage(run, tag, step, image));
    }
  }

  @Override
  public void text(String run, String tag, long step, double wallTime, String text) {
    orphans.value(run, tag, step, wallTime, this);
  }

  @Override
  public void sessionStart(String run, long step, double wallTime) {
    orphans.sessionStart(run, step, this);
  }

  @Override
  public void fileVersion(String run, String version) {
    orphans.fileVersion(run, version);
  }

  @Override
  public void purge(String run, String tag, long fromStep) {
    int before = metrics.size();
    metrics.removeIf(p -> orphaned(p.run(), p.tag(), p.step(), run, tag, fromStep));
    images.removeIf(p -> orphaned(p.run(), p.tag(), p.step(), run, tag, fromStep));
    totals.orphaned += before - metrics.size();
    Long sent = totals.maxSentStep.get(run);
    if (sent != null && sent >= fromStep) {
      totals.orphanedAlreadySent++;
      console.accept(
          "WARNING: tensorboard sync: run '"
              + run
              + "' restarted at step "
              + fromStep
              + " after points up to step "
              + sent
              + " were sent; MLflow keeps those earlier points"
              + " next to the new ones");
    }
  }

  private static boolean orphaned(
      String run, String tag, long step, String purgeRun, String purgeTag, long fromStep) {
    return run.equals(purgeRun) && (purgeTag == null || tag.equals(purgeTag)) && step >= fromStep;
  }

  /** Hands the batch to MLflow: metrics to {@code logger} (not flushed), images uploaded. */
  public void send(RunLogger logger, Artifacts artifacts, String runId) {
    for (Pending p : metrics) {
      logger.logMetric(p.metric());
      switch (p.kind()) {
        case SCALAR -> totals.points++;
        case HISTOGRAM_COUNT -> totals.histograms++;
        default -> {}
      }
      totals.maxSentStep.merge(p.run(), p.step(), Math::max);
    }
    for (PendingImage i : images) {
      upload(i, artifacts, runId);
    }
  }

  private void upload(PendingImage i, Artifacts artifacts, String runId) {
    String name =
        i.step()
            + (i.image().index() > 0 ? "-" + i.image().index() : "")
            + "."
            + i.image().extension();
    String dir = "tensorboard-images/" + pathSafe(i.run()) + "/" + pathSafe(i.tag());
    try {
      Path tmpDir = Files.createTempDirectory("mlops-tb-image");
      Path file = tmpDir.resolve(name);
      try {
        Files.write(file, i.image().encoded());
        artifacts.upload(runId, file, dir);
        totals.images++;
      } finally {
        Files.deleteIfExists(file);
        Files.deleteIfExists(tmpDir);
      }
    } catch (IOException | MlflowException e) {
      console.accept(
          "WARNING: tensorboard sync: could not upload the image "
              + dir
              + "/"
              + name
              + " ("
              + e.getMessage()
              + "); it stays in the event file");
    }
  }

  private static String pathSafe(String name) {
    String cleaned = name.replaceAll("[^A-Za-z0-9_.\\-/]", "_").replaceAll("/+", "/");
    StringBuilder out = new StringBuilder();
    for (String part : cleaned.split("/")) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        continue;
      }
      out.append(out.length() == 0 ? "" : "/").append(part);
    }
    return out.length() == 0 ? "_" : out.toString();
  }

  private static long millis(double wallTimeSeconds) {
    return Math.round(wallTimeSeconds * 1000);
  }
}
