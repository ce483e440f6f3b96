package io.jenkins.plugins.mlops.steps.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Rules the prepared data must satisfy, and the drift check against an earlier manifest. A rule
 * that fails stops the preparation before any output is published ({@link DataCheckException}).
 *
 * @param minRows the fewest prepared rows accepted (0: any)
 * @param maxNullFraction the largest fraction of nulls any column may have (1: any)
 * @param expectedClasses label classes that must all be present, and no others (empty: any)
 * @param previousManifest the manifest of the last good preparation, to compare with; null for none
 * @param psiWarn population stability index of a numeric column from which drift is reported
 * @param psiFail population stability index from which drift fails the preparation (NaN: never)
 * @param labelShiftWarn total variation distance of the label distribution reported as drift
 * @param labelShiftFail total variation distance that fails the preparation (NaN: never)
 * @param everyClassIn splits that must hold a row of every label class (empty: none must; a class
 *     missing from a split is then a warning)
 */
public record DataChecks(
    long minRows,
    double maxNullFraction,
    List<String> expectedClasses,
    Path previousManifest,
    double psiWarn,
    double psiFail,
    double labelShiftWarn,
    double labelShiftFail,
    List<String> everyClassIn) {

  /** No rules; drift, when a previous manifest is given, warns at PSI 0.1 and shift 0.05. */
  public static final DataChecks NONE =
      new DataChecks(0, 1.0, List.of(), null, 0.1, Double.NaN, 0.05, Double.NaN, List.of());

  public DataChecks {
    expectedClasses = List.copyOf(expectedClasses);
    everyClassIn = List.copyOf(everyClassIn);
    if (minRows < 0) {
      throw new IllegalArgumentException("min rows (" + minRows + ") may not be negative");
    }
    if (!(maxNullFraction >= 0 && maxNullFraction <= 1)) {
      throw new IllegalArgumentException(
          "max null fraction (" + maxNullFraction + ") must be in [0, 1]");
    }
    if (!Double.isNaN(psiFail) && psiFail < psiWarn) {
      throw new IllegalArgumentException(
          "the failing PSI ("
              + psiFail
              + ") is below the warning PSI ("
              + psiWarn
              + "); make it at least as large");
    }
  }

  public DataChecks withMinRows(long value) {
    return new DataChecks(
        value,
        maxNullFraction,
        expectedClasses,
        previousManifest,
        psiWarn,
        psiFail,
        labelShiftWarn,
        labelShiftFail,
        everyClassIn);
  }

  public DataChecks withMaxNullFraction(double value) {
    return new DataChecks(
        minRows,
        value,
        expectedClasses,
        previousManifest,
        psiWarn,
        psiFail,
        labelShiftWarn,
        labelShiftFail,
        everyClassIn);
  }

  public DataChecks withExpectedClasses(List<String> value) {
    return new DataChecks(
        minRows,
        maxNullFraction,
        value,
        previousManifest,
        psiWarn,
        psiFail,
        labelShiftWarn,
        labelShiftFail,
        everyClassIn);
  }

  public DataChecks withPreviousManifest(Path value) {
    return new DataChecks(
        minRows,
        maxNullFraction,
        expectedClasses,
        value,
        psiWarn,
        psiFail,
        labelShiftWarn,
        labelShiftFail,
        everyClassIn);
  }

  public DataChecks withPsi(double warn, double fail) {
    return new DataChecks(
        minRows,
        maxNullFraction,
        expectedClasses,
        previousManifest,
        warn,
        fail,
        labelShiftWarn,
        labelShiftFail,
        everyClassIn);
  }

  public DataChecks withLabelShift(double warn, double fail) {
    return new DataChecks(
        minRows,
        maxNullFraction,
        expectedClasses,
        previousManifest,
        psiWarn,
        psiFail,
        warn,
        fail,
        everyClassIn);
  }

  /** Requires a row of every class in each of {@code splits}. */
  public DataChecks withEveryClassIn(List<String> splits) {
    return new DataChecks(
        minRows,
        maxNullFraction,
        expectedClasses,
        previousManifest,
        psiWarn,
        psiFail,
        labelShiftWarn,
        labelShiftFail,
        splits);
  }
}
