package io.jenkins.plugins.mlops.trainer;

import java.util.LinkedHashMap;
import java.util.Map;

/** Evaluation metrics computed from labels and predictions (Keras and scikit-learn definitions). */
final class Metrics {

  private Metrics() {}

  /**
   * Accuracy, and macro precision, recall and F1 (a class never predicted has precision 0, as
   * scikit-learn's {@code zero_division=0}; classes absent from {@code truth} and never predicted
   * are left out of the macro averages).
   */
  static Map<String, Double> classification(int[] truth, int[] predicted, int classes) {
    long[][] confusion = confusion(truth, predicted, classes);
    long correct = 0;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    int present = 0;
    for (int c = 0; c < classes; c++) {
      correct += confusion[c][c];
      long actual = 0;
      long predictedAs = 0;
      for (int k = 0; k < classes; k++) {
        actual += confusion[c][k];
        predictedAs += confusion[k][c];
      }
      if (actual == 0 && predictedAs == 0) {
        continue;
      }
      present++;
      double p = predictedAs == 0 ? 0 : confusion[c][c] / (double) predictedAs;
      double r = actual == 0 ? 0 : confusion[c][c] / (double) actual;
      precision += p;
      recall += r;
      f1 += p + r == 0 ? 0 : 2 * p * r / (p + r);
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("accuracy", truth.length == 0 ? 0 : correct / (double) truth.length);
    m.put("precision_macro", present == 0 ? 0 : precision / present);
    m.put("recall_macro", present == 0 ? 0 : recall / present);
    m.put("f1_macro", present == 0 ? 0 : f1 / present);
    return m;
  }

  /** Rows: the true class; columns: the predicted one. */
  static long[][] confusion(int[] truth, int[] predicted, int classes) {
    long[][] confusion = new long[classes][classes];
    for (int i = 0; i < truth.length; i++) {
      confusion[truth[i]][predicted[i]]++;
    }
    return confusion;
  }

  /** MAE, RMSE and R² (1 - residual / total sum of squares; 0 when the truth is constant). */
  static Map<String, Double> regression(double[] truth, double[] predicted) {
    double mean = 0;
    for (double t : truth) {
      mean += t;
    }
    mean /= Math.max(1, truth.length);
    double abs = 0;
    double squared = 0;
    double total = 0;
    for (int i = 0; i < truth.length; i++) {
      double e = predicted[i] - truth[i];
      abs += Math.abs(e);
      squared += e * e;
      total += (truth[i] - mean) * (truth[i] - mean);
    }
    int n = Math.max(1, truth.length);
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("mae", abs / n);
    m.put("rmse", Math.sqrt(squared / n));
    m.put("r2", total == 0 ? 0 : 1 - squared / total);
    return m;
  }
}
