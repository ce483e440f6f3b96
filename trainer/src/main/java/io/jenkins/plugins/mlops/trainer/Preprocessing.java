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

  /** One input column. */
  public record Feature(
      String name, String kind, Double mean, Double std, List<String> categories) {

    /** Network inputs this column takes: 1, or one per category. */
    public int width() {
      return "numeric".equals(kind) ? 1 : categories.size();
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

  /** The number of network inputs. */
  public int inputWidth() {
    return features.stream().mapToInt(Feature::width).sum();
  }

  /** The number of network outputs: one per class, or 1 for regression. */
  public int outputWidth() {
    return classification() ? classes.size() : 1;
  }
}
