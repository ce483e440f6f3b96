package io.jenkins.plugins.mlops.steps.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The article's data set: scikit-learn's handwritten digits (shipped with scikit-learn, exported by
 * the harness's Python), prepared as the article does (80/10/10, seed 42) but stratified.
 */
class DigitsPreparationIT {

  @TempDir Path work;

  @Test
  void digitsSplitStratifiedWithEveryClassInEverySplit() {
    Path csv = work.resolve("digits.csv");
    PythonEnvironment.shared()
        .runPython(
            Duration.ofMinutes(3),
            "-c",
            "import sys; from sklearn.datasets import load_digits;"
                + " d = load_digits(as_frame=True).frame.rename(columns={'target': 'digit'});"
                + " d.to_csv(sys.argv[1], index=False)",
            csv.toString())
        .requireSuccess();

    DatasetManifest m =
        DatasetPreparer.prepare(
            PrepareSpec.builder()
                .addInput(csv.toString())
                .setOutput(work.resolve("out"))
                .optLabel("digit")
                .optStratify(true)
                .optSeed(42)
                .setSplits(Split.parse("train=0.8,validation=0.1,test=0.1"))
                .optChecks(
                    DataChecks.NONE.withExpectedClasses(
                        List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")))
                .build(),
            work,
            line -> {});

    assertEquals(1797, m.inputRows());
    assertEquals(65, m.schema().size());
    Map<String, Long> perClass = new HashMap<>();
    m.labelDistribution()
        .values()
        .forEach(d -> d.forEach((c, n) -> perClass.merge(c, n, Long::sum)));
    double[] fractions = {0.8, 0.1, 0.1};
    int i = 0;
    for (Map<String, Long> split : m.labelDistribution().values()) {
      assertEquals(10, split.size(), "every digit in every split");
      for (Map.Entry<String, Long> c : split.entrySet()) {
        assertTrue(
            Math.abs(c.getValue() - perClass.get(c.getKey()) * fractions[i]) <= 1.0, c.toString());
      }
      i++;
    }
  }
}
