package io.jenkins.plugins.mlops.steps.data;

import java.util.List;
import java.util.Map;

/**
 * What a preparation produced, written as {@code manifest.json} next to the splits: the record that
 * training, gates and retraining decisions rely on. JSON-serializable; maps keep their order.
 *
 * @param version the manifest format version
 * @param sources the input files read
 * @param format the input format
 * @param schema column name to DuckDB type, in column order
 * @param inputRows rows read
 * @param cleaning rows removed by each cleaning step, in order
 * @param rows rows per split, in split order
 * @param files file name per split
 * @param columns statistics per column over all prepared rows
 * @param labelDistribution split to class to rows ({@code null} label column: empty)
 * @param label the label column, or null
 * @param seed the split seed
 * @param options the options used (split method, fractions, cleaning), as text
 * @param fingerprint SHA-256 of the prepared data: independent of file layout and row order
 * @param profiles decile profile of each numeric column, for a later drift check
 * @param drift the comparison with the previous manifest, or null when none was given
 * @param splitFingerprints SHA-256 of each split's rows (as {@code fingerprint}, for one split):
 *     the digest of the split's MLflow dataset input
 * @param fileDigests SHA-256 of each split file's bytes, by file name: readers check that the file
 *     they read is the one this manifest describes
 * @param name the data set's name ({@code --dataset-name}, else the output directory's name): the
 *     name of its MLflow dataset inputs and the default experiment of a training job on it; null in
 *     manifests written before it was recorded
 */
public record DatasetManifest(
    int version,
    List<String> sources,
    String format,
    Map<String, String> schema,
    long inputRows,
    Map<String, Long> cleaning,
    Map<String, Long> rows,
    Map<String, String> files,
    Map<String, ColumnStats> columns,
    Map<String, Map<String, Long>> labelDistribution,
    String label,
    long seed,
    Map<String, String> options,
    String fingerprint,
    Map<String, Profile> profiles,
    DriftReport drift,
    Map<String, String> splitFingerprints,
    Map<String, String> fileDigests,
    String name) {

  /** The current {@link #version()}. */
  public static final int VERSION = 1;

  /**
   * Statistics of one column.
   *
   * @param nulls rows without a value
   * @param min the smallest value as text (null when all are null)
   * @param max the largest value as text
   * @param mean the mean of a numeric column, else null
   * @param distinct an estimate of the distinct values (HyperLogLog)
   */
  public record ColumnStats(long nulls, String min, String max, Double mean, long distinct) {}

  /**
   * Where a numeric column's values fall: the deciles' edges, and the fraction of non-null values
   * in each of the bins they make ({@code <= e1}, {@code (e1, e2]}, …, {@code > e_last}).
   */
  public record Profile(List<Double> edges, List<Double> fractions) {}

  /** Total rows over all splits. */
  public long totalRows() {
    return rows.values().stream().mapToLong(Long::longValue).sum();
  }
}
