package io.jenkins.plugins.mlops.trainer;

import java.util.List;

/**
 * How raw columns become the network's inputs and outputs, computed on the training split only and
 * saved with the model: numeric features standardised with the training mean and standard deviation
 * (nulls become the mean), categorical ones one-hot over the training split's values (a value not
 * seen in training is all zeros), class labels as indexes into {@code classes}, regression targets
 * standardised with {@code labelMean} and {@code labelStd}.
 */
public record Preprocessing(
    String label,
    String task,
    List<String> classes,
    Double labelMean,
    Double labelStd,
    List<Feature> features) {

  /**
   * One input column.
   *
   * @param kind {@code numeric}, {@code categorical} (one-hot) or {@code embedding} (an index into
   *     a learned table of {@code embeddingDim}-wide vectors; the last row stands for values
   *     training never saw)
   */
  public record Feature(
      String name,
      String kind,
      Double mean,
      Double std,
      List<String> categories,
      Integer embeddingDim) {

    /** Columns this feature takes in the encoded input: 1, or one per category for one-hot. */
    public int width() {
      return "categorical".equals(kind) ? categories.size() : 1;
    }

    boolean embedded() {
      return "embedding".equals(kind);
    }
  }

  public Preprocessing {
    classes = classes == null ? List.of() : List.copyOf(classes);
    features = List.copyOf(features);
  }

  /** Whether the task is classification. */
  public boolean classification() {
    return "classification".equals(task);
  }

  /**
   * The width of the encoded input: the numeric and one-hot columns first ({@link #denseWidth()}),
   * then one index column per embedded feature, in {@link #embedded()} order.
   */
  public int inputWidth() {
    return features.stream().mapToInt(Feature::width).sum();
  }

  /** The numeric and one-hot columns, which come first in the encoded input. */
  public int denseWidth() {
    return features.stream().filter(f -> !f.embedded()).mapToInt(Feature::width).sum();
  }

  /** The embedded features, in the order of their index columns. */
  public List<Feature> embedded() {
    return features.stream().filter(Feature::embedded).toList();
  }

  /** The number of network outputs: one per class, or 1 for regression. */
  public int outputWidth() {
    return classification() ? classes.size() : 1;
  }
}
