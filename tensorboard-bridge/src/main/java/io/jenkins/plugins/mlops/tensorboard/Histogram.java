package io.jenkins.plugins.mlops.tensorboard;

import java.util.List;

/**
 * One histogram summary: its buckets and the moments the writer recorded.
 *
 * <p>TF1-style histograms ({@code HistogramProto}, written by PyTorch and tensorboardX) carry exact
 * {@code min}, {@code max}, {@code count}, {@code sum} and {@code sumSquares}. TF2's {@code
 * histograms} tensors carry only buckets; then min and max are the outer edges of the non-empty
 * buckets, sum is estimated from bucket centres, and {@link #exactMoments()} is false.
 *
 * @param buckets left edge, right edge and count of each bucket, in order
 */
public record Histogram(
    double min,
    double max,
    double count,
    double sum,
    double sumSquares,
    boolean exactMoments,
    List<Bucket> buckets) {

  /** One bucket: values in {@code [left, right)} (the last one closed), {@code count} of them. */
  public record Bucket(double left, double right, double count) {}

  public Histogram {
    buckets = List.copyOf(buckets);
  }

  /** The mean value, or NaN for an empty histogram. */
  public double mean() {
    return count > 0 ? sum / count : Double.NaN;
  }

  /** Builds the moments of a TF2 histogram tensor from its buckets. */
  public static Histogram fromBuckets(List<Bucket> buckets) {
    double count = 0;
    double sum = 0;
    double sumSquares = 0;
    double min = Double.NaN;
    double max = Double.NaN;
    for (Bucket b : buckets) {
      if (b.count() <= 0) {
        continue;
      }
      double centre = (b.left() + b.right()) / 2;
      count += b.count();
      sum += centre * b.count();
      sumSquares += centre * centre * b.count();
      min = Double.isNaN(min) ? b.left() : Math.min(min, b.left());
      max = Double.isNaN(max) ? b.right() : Math.max(max, b.right());
    }
    return new Histogram(min, max, count, sum, sumSquares, false, buckets);
  }
}
