package io.jenkins.plugins.mlops.tensorboard;

import java.util.ArrayList;
import java.util.List;

/** Builds histograms from raw values, for writers. */
final class Histograms {

  private Histograms() {}

  /**
   * Equal-width buckets from the smallest to the largest finite value; when all values are equal,
   * one bucket one unit wide around them. Non-finite values are left out.
   */
  static Histogram of(double[] values, int bucketCount) {
    if (bucketCount < 1) {
      throw new IllegalArgumentException("bucketCount (" + bucketCount + ") must be at least 1");
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double count = 0;
    double sum = 0;
    double sumSquares = 0;
    for (double v : values) {
      if (Double.isFinite(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
        count++;
        sum += v;
        sumSquares += v * v;
      }
    }
    List<Histogram.Bucket> buckets = new ArrayList<>();
    if (count == 0) {
      return new Histogram(Double.NaN, Double.NaN, 0, 0, 0, true, buckets);
    }
    if (min == max) {
      buckets.add(new Histogram.Bucket(min - 0.5, max + 0.5, count));
      return new Histogram(min, max, count, sum, sumSquares, true, buckets);
    }
    double width = (max - min) / bucketCount;
    double[] counts = new double[bucketCount];
    for (double v : values) {
      if (Double.isFinite(v)) {
        counts[Math.min(bucketCount - 1, (int) ((v - min) / width))]++;
      }
    }
    for (int i = 0; i < bucketCount; i++) {
      double left = min + i * width;
      double right = i == bucketCount - 1 ? max : min + (i + 1) * width;
      buckets.add(new Histogram.Bucket(left, right, counts[i]));
    }
    return new Histogram(min, max, count, sum, sumSquares, true, buckets);
  }
}
