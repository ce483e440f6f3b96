package io.jenkins.plugins.mlops.steps.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.steps.gate.Condition.Kind;
import io.jenkins.plugins.mlops.steps.gate.Condition.Op;
import io.jenkins.plugins.mlops.steps.gate.GateRow.Status;
import io.jenkins.plugins.mlops.steps.gate.MetricSelector.Aggregate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The condition language, its errors, and verdicts of the expression forms. */
class ConditionsTest {

  private static String error(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void absoluteConditionsInEveryForm() {
    Condition c = Conditions.parse("test_accuracy >= 0.95");
    assertEquals(Kind.ABSOLUTE, c.kind());
    assertEquals(Op.GE, c.op());
    assertEquals(0.95, c.value());
    assertEquals(MetricSelector.last("test_accuracy"), c.metric());

    assertEquals(Op.LT, Conditions.parse("val_loss<0.3").op());
    assertEquals(1e-3, Conditions.parse("train/epoch_loss > 1e-3").value());
    assertEquals("train/epoch_loss", Conditions.parse("train/epoch_loss > 1e-3").metric().name());
    Condition eq = Conditions.parse("f1 == 0.9 ± 0.01");
    assertEquals(0.01, eq.tolerance());
    assertEquals(0.02, Conditions.parse("f1 == 0.9 +- 0.02").tolerance());
    assertEquals(Conditions.DEFAULT_TOLERANCE, Conditions.parse("f1 == 0.9").tolerance());
    assertEquals(
        new MetricSelector("val_loss", Aggregate.MIN, 0),
        Conditions.parse("min(val_loss) <= 0.2").metric());
    assertEquals(
        new MetricSelector("val_accuracy", Aggregate.STEP, 9),
        Conditions.parse("val_accuracy@9 >= 0.9").metric());
  }

  @Test
  void baselineExpressions() {
    Condition plus = Conditions.parse("test_accuracy >= baseline + 0.005");
    assertEquals(Kind.BASELINE, plus.kind());
    assertEquals('+', plus.baselineOp());
    assertEquals(0.005, plus.value());
    Condition times = Conditions.parse("test_loss <= baseline * 0.98");
    assertEquals('*', times.baselineOp());
    assertTrue(times.needsBaseline());
    Condition plain = Conditions.parse("test_accuracy >= baseline");
    assertNull(plain.value());

    GateRow ok = GateEvaluator.evaluate(plus, 0.956, 0.95, true);
    assertEquals(Status.PASS, ok.status());
    assertEquals(0.955, ok.threshold(), 1e-12);
    assertTrue(
        ok.reason().startsWith("test_accuracy = 0.956 is >= baseline 0.95 + 0.005 = 0.955"),
        ok.reason());
    GateRow no = GateEvaluator.evaluate(times, 0.3, 0.3, true);
    assertEquals(Status.FAIL, no.status());
    assertTrue(no.reason().contains("is not <= baseline 0.3 * 0.98 = 0.294"), no.reason());
    assertEquals(Status.NO_BASELINE, GateEvaluator.evaluate(plus, 0.9, null, false).status());
    assertEquals(Status.FAIL, GateEvaluator.evaluate(plus, 0.9, null, true).status());
    assertEquals(Status.FAIL, GateEvaluator.evaluate(plus, null, 0.9, true).status());
  }

  @Test
  void badConditionsSayWhatIsWrongAndWhatIsAllowed() {
    assertEquals(
        "condition 'accuracy 0.9': it has no comparison (>=, >, <=, < or ==)",
        error(() -> Conditions.parse("accuracy 0.9")));
    assertTrue(
        error(() -> Conditions.parse("accuracy >= high"))
            .contains("the right side (high) must be a number"));
    assertTrue(
        error(() -> Conditions.parse("accuracy >= 0.9 ± 0.1"))
            .contains("a tolerance (± 0.1) only goes with =="));
    assertTrue(
        error(() -> Conditions.parse("avg(loss) <= 1"))
            .contains("must be a metric name, min(name), max(name), last(name) or name@step"));
    assertTrue(
        error(() -> Conditions.parse("loss <= baseline * -1"))
            .contains("must multiply by a positive number"));
    assertTrue(error(() -> Conditions.parse("loss <= 1e999")).contains("not a finite number"));
  }

  @Test
  void mlflowMapsAreCheckedAsMlflowChecksThem() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("metric", "test_accuracy");
    map.put("threshold", 0.9);
    map.put("minAbsoluteChange", 0.01);
    map.put("greaterIsBetter", true);
    Condition c = Conditions.fromMap(map);
    assertEquals(Kind.MLFLOW, c.kind());
    assertEquals(
        "test_accuracy {threshold: 0.9, minAbsoluteChange: 0.01, greaterIsBetter: true}", c.text());

    assertTrue(
        error(() -> Conditions.fromMap(Map.of("metric", "a", "threshold", 1)))
            .contains("greaterIsBetter (null) is required"));
    assertTrue(
        error(() -> Conditions.fromMap(Map.of("metric", "a", "greaterIsBetter", true)))
            .contains("give at least one of threshold"));
    assertTrue(
        error(
                () ->
                    Conditions.fromMap(
                        Map.of("metric", "a", "greaterIsBetter", true, "minAbsoluteChange", 0)))
            .contains("minAbsoluteChange (0.0) must be a positive number"));
    assertTrue(
        error(
                () ->
                    Conditions.fromMap(
                        Map.of("metric", "a", "greaterIsBetter", true, "minRelativeChange", 1.5)))
            .contains("minRelativeChange (1.5) must be between 0 and 1"));
    assertTrue(
        error(
                () ->
                    Conditions.fromMap(
                        Map.of("metric", "a", "greaterIsBetter", true, "treshold", 1)))
            .contains("key 'treshold' is not known (did you mean 'threshold'?)"));
    assertTrue(
        error(
                () ->
                    Conditions.fromMap(
                        Map.of("metric", "a", "greaterIsBetter", true, "threshold", "NaN")))
            .contains("must be a finite number"));
  }

  @Test
  void baselineReferences() {
    assertEquals(
        new Baselines.Ref("alias", "digits", "champion", null),
        Baselines.parse("models:/digits@champion"));
    assertEquals(
        new Baselines.Ref("version", "digits", "3", null), Baselines.parse("models:/digits/3"));
    assertEquals(
        new Baselines.Ref("best", "exp", "val_loss", "min"),
        Baselines.parse("best:exp:val_loss:min"));
    assertEquals(
        new Baselines.Ref("best", "team:exp", "acc", "max"), Baselines.parse("best:team:exp:acc"));
    assertEquals(
        new Baselines.Ref("run", "0123456789abcdef", null, null),
        Baselines.parse("run:0123456789abcdef"));
    assertTrue(
        error(() -> Baselines.parse("models:/digits"))
            .startsWith("baseline (models:/digits) must be models:/<name>@<alias>"));
  }

  @Test
  void conflictingThresholdsAreRefusedBeforeAnythingIsEvaluated() {
    assertEquals(
        "conflicting thresholds: 'acc >= 0.9' and 'acc < 0.9' cannot both hold",
        error(
            () ->
                Conditions.checkTogether(
                    List.of(Conditions.parse("acc >= 0.9"), Conditions.parse("acc < 0.9")))));
    assertTrue(
        error(
                () ->
                    Conditions.checkTogether(
                        List.of(
                            Conditions.parse("loss <= 0.2"),
                            Conditions.parse("loss == 0.5 ± 0.1"))))
            .contains("cannot both hold"));
    assertTrue(
        error(
                () ->
                    Conditions.checkTogether(
                        List.of(
                            Conditions.fromMap(
                                Map.of("metric", "a", "threshold", 1, "greaterIsBetter", true)),
                            Conditions.fromMap(
                                Map.of("metric", "a", "threshold", 2, "greaterIsBetter", false)))))
            .contains("disagree on greaterIsBetter"));
    assertTrue(error(() -> Conditions.checkTogether(List.of())).contains("at least one condition"));
    // Bounds that meet are fine: acc == 0.9 exactly.
    Conditions.checkTogether(
        List.of(Conditions.parse("acc >= 0.9"), Conditions.parse("acc <= 0.9")));
  }
}
