package io.jenkins.plugins.mlops.steps.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.steps.gate.GateRow.Status;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Verdicts at the edges the MLflow equivalence table does not reach: {@code baseline * k} for
 * negative and zero baselines, NaN values, and sentences whose numbers are the ones compared.
 */
class GateEvaluatorTest {

  private static GateRow eval(String condition, Double candidate, Double baseline) {
    return GateEvaluator.evaluate(Conditions.parse(condition), candidate, baseline, true);
  }

  @Test
  void aFactorScalesTheBaselinesMagnitudeSoANegativeBaselineDoesNotInvert() {
    // Higher is better, 10 % better than -1.0 is -0.9; -1.05 is worse than -1.0 and must fail.
    GateRow worse = eval("m >= baseline * 1.1", -1.05, -1.0);
    assertEquals(Status.FAIL, worse.status(), worse.reason());
    assertEquals(-0.9, worse.threshold(), 1e-15);
    assertTrue(worse.reason().contains("taken over its magnitude"), worse.reason());
    assertEquals(Status.PASS, eval("m >= baseline * 1.1", -0.89, -1.0).status());
    assertEquals(Status.FAIL, eval("m >= baseline * 1.1", -0.95, -1.0).status());
    // Lower is better: 2 % below -2.0 is -2.04.
    assertEquals(Status.PASS, eval("loss <= baseline * 0.98", -2.04, -2.0).status());
    assertEquals(Status.FAIL, eval("loss <= baseline * 0.98", -2.0, -2.0).status());
    // The positive side is unchanged: 0.3 * 0.98 = 0.294.
    assertEquals(Status.PASS, eval("loss <= baseline * 0.98", 0.29, 0.3).status());
    assertEquals(Status.FAIL, eval("loss <= baseline * 0.98", 0.295, 0.3).status());
    assertEquals(Status.FAIL, eval("m >= baseline * 1.1", 1.05, 1.0).status());
    assertEquals(Status.PASS, eval("m >= baseline * 1.1", 1.1, 1.0).status());
  }

  @Test
  void aFactorAskingForBetterThanAZeroBaselineAsksForStrictlyBetter() {
    GateRow equal = eval("m >= baseline * 1.1", 0.0, 0.0);
    assertEquals(Status.FAIL, equal.status(), equal.reason());
    assertTrue(equal.reason().contains("strictly more than 0"), equal.reason());
    assertEquals(Status.PASS, eval("m >= baseline * 1.1", 0.001, 0.0).status());
    assertEquals(Status.FAIL, eval("loss <= baseline * 0.9", 0.0, 0.0).status());
    assertEquals(Status.PASS, eval("loss <= baseline * 0.9", -0.001, 0.0).status());
    // A factor that allows worse asks for nothing beyond the baseline itself.
    assertEquals(Status.PASS, eval("m >= baseline * 0.9", 0.0, 0.0).status());
  }

  @Test
  void nanCandidatesAndNanBaselinesFailWithTheirReason() {
    GateRow nanCandidate = eval("m >= 0.5", Double.NaN, null);
    assertEquals(Status.FAIL, nanCandidate.status());
    assertTrue(nanCandidate.reason().contains("is NaN"), nanCandidate.reason());
    // MLflow passes a relative change against a NaN baseline (no comparison with NaN "fails").
    GateRow nanBaseline =
        GateEvaluator.evaluate(
            Conditions.fromMap(
                Map.of("metric", "m", "minRelativeChange", 0.1, "greaterIsBetter", true)),
            0.9,
            Double.NaN,
            true);
    assertEquals(Status.FAIL, nanBaseline.status());
    assertTrue(
        nanBaseline.reason().contains("baseline's m is NaN, so the change cannot be checked"),
        nanBaseline.reason());
    assertEquals(Status.FAIL, eval("m >= baseline + 0.01", 0.9, Double.NaN).status());
    // An absolute condition does not need the baseline, so a NaN one does not matter.
    assertEquals(Status.PASS, eval("m >= 0.5", 0.9, Double.NaN).status());
  }

  @Test
  void sentencesPrintTheShortestDecimalThatReadsBackAsTheNumberCompared() {
    GateRow row = eval("test_accuracy >= 0.95", 0.9499999, null);
    assertEquals(Status.FAIL, row.status());
    assertTrue(row.reason().startsWith("test_accuracy = 0.9499999 is not >= 0.95"), row.reason());
    GateRow close = eval("test_accuracy >= 0.95", 0.94999999999999996, null);
    assertEquals(0.95, 0.94999999999999996); // the same double: passes, and says so
    assertEquals(Status.PASS, close.status());
    assertEquals("0.1", GateEvaluator.fmt(0.1));
    assertEquals("0.30000000000000004", GateEvaluator.fmt(0.1 + 0.2));
    assertEquals("1e-10", GateEvaluator.fmt(1e-10));
    assertEquals("123456789", GateEvaluator.fmt(123456789));
    assertEquals("-2.5", GateEvaluator.fmt(-2.5));
    assertEquals("1.0000000000000002e+20", GateEvaluator.fmt(1.0000000000000002e20));
    for (double d : new double[] {0.9499999, 1 / 3.0, 2.0 / 3, 1e-7, 6.02214076e23, -0.0001}) {
      assertEquals(d, Double.parseDouble(GateEvaluator.fmt(d)), "round trip of " + d);
    }
  }

  @Test
  void aRelativeChangeSentenceShowsTheChangeAndTheMinimumThatWereCompared() {
    // (0.84 - 0.8) / 0.8 is 0.049999999999999906, just short of 0.05: the sentence says so.
    GateRow edge =
        GateEvaluator.evaluate(
            Conditions.fromMap(
                Map.of("metric", "m", "minRelativeChange", 0.05, "greaterIsBetter", true)),
            0.84,
            0.8,
            true);
    assertEquals(Status.FAIL, edge.status());
    assertTrue(
        edge.reason()
            .contains(
                "relative change +0.049999999999999906 (+5.00%) from baseline 0.8"
                    + " is less than 0.05"),
        edge.reason());
    assertNull(edge.threshold(), "no value of the metric itself was compared");
  }
}
