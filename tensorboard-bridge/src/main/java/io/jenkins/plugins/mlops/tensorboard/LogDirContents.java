package io.jenkins.plugins.mlops.tensorboard;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Everything a log directory shows in TensorBoard, in memory: scalar points, histograms, images and
 * text, with points orphaned by restarts dropped by TensorBoard's rule ({@link OrphanedSteps}). For
 * tests, exports and small directories: a million points take about 50 MB; {@link LogDirReader}
 * streams instead.
 */
public final class LogDirContents implements EventVisitor, OrphanedSteps.Sink {

  /** A non-scalar value with its position. */
  public record Entry<T>(String run, String tag, long step, double wallTime, T value) {}

  private final List<ScalarPoint> scalars = new ArrayList<>();
  private final List<Entry<Histogram>> histograms = new ArrayList<>();
  private final List<Entry<Image>> images = new ArrayList<>();
  private final List<Entry<String>> texts = new ArrayList<>();
  private final OrphanedSteps orphans = new OrphanedSteps();
  private ReadStats.Snapshot stats;

  private LogDirContents() {}

  /** Reads all of {@code logdir}; warnings about corrupt records go to {@code console}. */
  public static LogDirContents load(Path logdir, Consumer<String> console) {
    LogDirContents contents = new LogDirContents();
    contents.stats = LogDirReader.readAll(logdir, contents, console);
    return contents;
  }

  /** Scalar points, in file order. */
  public List<ScalarPoint> scalars() {
    return List.copyOf(scalars);
  }

  /** Histograms, in file order. */
  public List<Entry<Histogram>> histograms() {
    return List.copyOf(histograms);
  }

  /** Images, in file order. */
  public List<Entry<Image>> images() {
    return List.copyOf(images);
  }

  /** Text summaries, in file order. */
  public List<Entry<String>> texts() {
    return List.copyOf(texts);
  }

  /** What the reader counted (orphaned points included). */
  public ReadStats.Snapshot stats() {
    return stats;
  }

  @Override
  public void scalar(String run, String tag, long step, double wallTime, double value) {
    orphans.value(run, tag, step, wallTime, this);
    scalars.add(new ScalarPoint(run, tag, step, wallTime, value));
  }

  @Override
  public void histogram(String run, String tag, long step, double wallTime, Histogram histogram) {
    orphans.value(run, tag, step, wallTime, this);
    histograms.add(new Entry<>(run, tag, step, wallTime, histogram));
  }

  @Override
  public void image(String run, String tag, long step, double wallTime, Image image) {
    orphans.value(run, tag, step, wallTime, this);
    images.add(new Entry<>(run, tag, step, wallTime, image));
  }

  @Override
  public void text(String run, String tag, long step, double wallTime, String text) {
    orphans.value(run, tag, step, wallTime, this);
    texts.add(new Entry<>(run, tag, step, wallTime, text));
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
    scalars.removeIf(
        orphaned(run, tag, fromStep, ScalarPoint::run, ScalarPoint::tag, ScalarPoint::step));
    histograms.removeIf(orphaned(run, tag, fromStep, Entry::run, Entry::tag, Entry::step));
    images.removeIf(orphaned(run, tag, fromStep, Entry::run, Entry::tag, Entry::step));
    texts.removeIf(orphaned(run, tag, fromStep, Entry::run, Entry::tag, Entry::step));
  }

  private static <T> Predicate<T> orphaned(
      String run,
      String tag,
      long fromStep,
      java.util.function.Function<T, String> runOf,
      java.util.function.Function<T, String> tagOf,
      java.util.function.ToLongFunction<T> stepOf) {
    return x ->
        runOf.apply(x).equals(run)
            && (tag == null || tagOf.apply(x).equals(tag))
            && stepOf.applyAsLong(x) >= fromStep;
  }
}
