package io.jenkins.plugins.mlops.tensorboard;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@link TensorBoardSync} works.
 *
 * @param interval how often {@code follow} looks for new data (default 5 s)
 * @param uploadInterval how often {@code follow} uploads event files that grew (default 60 s);
 *     every {@code sync} and the final pass of {@code follow} upload them regardless
 * @param uploadFiles whether event files are uploaded as artifacts under {@code tensorboard/}
 * @param histograms whether histogram summaries are logged as metrics ({@code <key>/min}, {@code
 *     /max}, {@code /mean}, {@code /count})
 * @param images whether images are uploaded as artifacts under {@code tensorboard-images/}
 * @param batchRecords records read before each hand-over to MLflow (bounds memory; default 20,000)
 * @param stateFile where positions are saved; null for {@code <logdir>/.mlops-sync/<run id>.json}
 */
public record SyncOptions(
    Duration interval,
    Duration uploadInterval,
    boolean uploadFiles,
    boolean histograms,
    boolean images,
    int batchRecords,
    Path stateFile) {

  /** Every 5 s, files every 60 s, histograms and images on, 20,000 records a batch. */
  public static final SyncOptions DEFAULTS =
      new SyncOptions(
          Duration.ofSeconds(5), Duration.ofSeconds(60), true, true, true, 20_000, null);

  public SyncOptions {
    if (interval == null || interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval (" + interval + ") must be positive");
    }
    if (uploadInterval == null || uploadInterval.isNegative()) {
      throw new IllegalArgumentException(
          "uploadInterval (" + uploadInterval + ") may not be negative");
    }
    if (batchRecords < 1) {
      throw new IllegalArgumentException("batchRecords (" + batchRecords + ") must be at least 1");
    }
  }

  public SyncOptions withInterval(Duration value) {
    return new SyncOptions(
        value, uploadInterval, uploadFiles, histograms, images, batchRecords, stateFile);
  }

  public SyncOptions withUploadInterval(Duration value) {
    return new SyncOptions(
        interval, value, uploadFiles, histograms, images, batchRecords, stateFile);
  }

  public SyncOptions withUploadFiles(boolean value) {
    return new SyncOptions(
        interval, uploadInterval, value, histograms, images, batchRecords, stateFile);
  }

  public SyncOptions withBatchRecords(int value) {
    return new SyncOptions(
        interval, uploadInterval, uploadFiles, histograms, images, value, stateFile);
  }

  public SyncOptions withStateFile(Path value) {
    return new SyncOptions(
        interval, uploadInterval, uploadFiles, histograms, images, batchRecords, value);
  }
}
