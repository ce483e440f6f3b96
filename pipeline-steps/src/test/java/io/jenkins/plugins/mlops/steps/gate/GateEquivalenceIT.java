package io.jenkins.plugins.mlops.steps.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import io.jenkins.plugins.mlops.steps.gate.GateRow.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our gate and MLflow's {@code mlflow.validate_evaluation_results} (the pinned MLflow, in the
 * harness's Python) give the same verdict on the same candidate and baseline values, for a table of
 * edge cases and 400 random ones whose values collide often.
 */
class GateEquivalenceIT {

  @TempDir Path work;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One case: thresholds per metric, the candidate's metrics, the baseline's (null for none). */
  private record Case(
      String name,
      Map<String, Map<String, Object>> thresholds,
      Map<String, Double> candidate,
      Map<String, Double> baseline) {}

  private static Map<String, Object> t(Double threshold, Double abs, Double rel, boolean greater) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (threshold != null) {
      m.put("threshold", threshold);
    }
    if (abs != null) {
      m.put("minAbsoluteChange", abs);
    }
    if (rel != null) {
      m.put("minRelativeChange", rel);
    }
    m.put("greaterIsBetter", greater);
    return m;
  }

  private static Case one(String name, Map<String, Object> threshold, Double cand, Double base) {
    Map<String, Double> c = new LinkedHashMap<>();
    if (cand != null) {
      c.put("m", cand);
    }
    Map<String, Double> b = null;
    if (base != null) {
      b = new LinkedHashMap<>();
      b.put("m", base);
    }
    return new Case(name, Map.of("m", threshold), c, b);
  }

  private static List<Case> table() {
    List<Case> cases = new ArrayList<>();
    cases.add(one("threshold equal, higher better", t(0.9, null, null, true), 0.9, null));
    cases.add(one("threshold just below", t(0.9, null, null, true), 0.8999999, null));
    cases.add(one("threshold equal, lower better", t(0.3, null, null, false), 0.3, null));
    cases.add(one("threshold above, lower better", t(0.3, null, null, false), 0.31, null));
    cases.add(one("absolute change, float edge", t(null, 0.05, null, true), 0.9, 0.85));
    cases.add(one("absolute change met", t(null, 0.05, null, true), 0.91, 0.85));
    cases.add(one("absolute change, lower better", t(null, 0.05, null, false), 0.3, 0.35));
    cases.add(one("relative change, float edge", t(null, null, 0.05, true), 0.84, 0.8));
    cases.add(one("relative change met", t(null, null, 0.05, true), 0.85, 0.8));
    cases.add(one("relative change lower better", t(null, null, 0.1, false), 0.25, 0.3));
    cases.add(one("baseline 0, barely better", t(null, null, 0.1, true), 1e-11, 0.0));
    cases.add(one("baseline 0, better", t(null, null, 0.1, true), 2e-10, 0.0));
    cases.add(one("baseline 0, equal", t(null, null, 0.1, true), 0.0, 0.0));
    cases.add(one("baseline 0, lower better", t(null, null, 0.1, false), -1e-9, 0.0));
    cases.add(one("negative baseline, exactly 10%", t(null, null, 0.1, true), -0.45, -0.5));
    cases.add(one("negative baseline, short", t(null, null, 0.1, true), -0.46, -0.5));
    cases.add(one("negative baseline, lower better", t(null, null, 0.2, false), -2.5, -2.0));
    cases.add(one("negative baseline, absolute", t(null, 0.1, null, true), -0.4, -0.5));
    cases.add(one("relative 0: equal passes", t(null, null, 0.0, true), 0.5, 0.5));
    cases.add(one("relative 0: worse fails", t(null, null, 0.0, true), 0.49, 0.5));
    cases.add(one("relative 0, no baseline model", t(null, null, 0.0, true), 0.49, null));
    cases.add(
        new Case(
            "relative 0, baseline lacks the metric",
            Map.of("m", t(null, null, 0.0, false)),
            Map.of("m", 0.3),
            Map.of("other", 1.0)));
    cases.add(one("relative 1", t(null, null, 1.0, true), 2.0, 1.0));
    cases.add(one("all three", t(0.8, 0.01, 0.01, true), 0.92, 0.9));
    cases.add(one("all three, threshold fails", t(0.95, 0.01, 0.01, true), 0.92, 0.9));
    cases.add(one("large values", t(null, 1.0, null, true), 1_000_001.0, 1_000_000.0));
    cases.add(one("missing candidate metric", t(0.5, null, null, true), null, null));
    cases.add(one("missing candidate, with baseline", t(null, 0.1, null, true), null, 0.5));
    cases.add(one("no baseline model, threshold only", t(0.5, null, null, true), 0.6, null));
    cases.add(one("no baseline model, change asked", t(0.5, 0.1, null, true), 0.6, null));
    Map<String, Double> otherBaseline = new LinkedHashMap<>(Map.of("other", 1.0));
    cases.add(
        new Case(
            "baseline lacks the metric",
            Map.of("m", t(null, 0.1, null, true)),
            Map.of("m", 0.9),
            otherBaseline));
    Map<String, Map<String, Object>> two = new LinkedHashMap<>();
    two.put("acc", t(0.9, null, null, true));
    two.put("loss", t(0.3, null, null, false));
    cases.add(new Case("two metrics, one fails", two, Map.of("acc", 0.95, "loss", 0.35), null));
    cases.add(new Case("two metrics, both pass", two, Map.of("acc", 0.95, "loss", 0.25), null));

    // MLflow raises on an absolute change from a NaN baseline (decimal.InvalidOperation), and we
    // fail it; with a relative change it passes, and we fail it (see deliberateDifferences).
    cases.add(one("NaN baseline, absolute change", t(null, 0.05, null, false), 0.3, Double.NaN));
    Random random = new Random(7);
    for (int i = 0; i < 400; i++) {
      boolean greater = random.nextBoolean();
      Double threshold = random.nextInt(3) == 0 ? null : pick(random);
      Double abs = random.nextInt(3) == 0 ? null : (1 + random.nextInt(20)) / 100.0;
      Double rel = random.nextInt(3) == 0 ? null : random.nextInt(21) / 20.0;
      if (threshold == null && abs == null && rel == null) {
        threshold = pick(random);
      }
      Double base = random.nextInt(8) == 0 ? null : pick(random);
      cases.add(one("random " + i, t(threshold, abs, rel, greater), pick(random), base));
    }
    return cases;
  }

  /** Values on a coarse grid, negatives and zero included, so that equalities happen. */
  private static double pick(Random random) {
    return (random.nextInt(41) - 10) / 20.0;
  }

  /**
   * Cases where we fail and MLflow passes, on purpose: a NaN baseline value makes every one of
   * MLflow's change checks compare with NaN, which is false, and it only fails a check that
   * compares true as "worse".
   */
  private static List<Case> deliberateDifferences() {
    return List.of(
        one("NaN baseline, relative change", t(null, null, 0.1, true), 0.5, Double.NaN),
        one("NaN baseline, relative, lower better", t(0.9, null, 0.2, false), 0.3, Double.NaN));
  }

  /** Our verdict, with a missing baseline failing as MLflow does. */
  private static boolean ours(Case c) {
    boolean passed = true;
    for (Map.Entry<String, Map<String, Object>> e : c.thresholds().entrySet()) {
      Map<String, Object> map = new LinkedHashMap<>(e.getValue());
      map.put("metric", e.getKey());
      Condition condition = Conditions.fromMap(map);
      GateRow row =
          GateEvaluator.evaluate(
              condition,
              c.candidate().get(e.getKey()),
              c.baseline() == null ? null : c.baseline().get(e.getKey()),
              c.baseline() != null);
      passed &= row.status() == Status.PASS;
    }
    return passed;
  }

  @Test
  void ourVerdictsAreMlflowsOnTheSameValues() throws Exception {
    List<Case> cases = new ArrayList<>(table());
    List<Case> deliberate = deliberateDifferences();
    cases.addAll(deliberate);
    ArrayNode input = JSON.createArrayNode();
    for (Case c : cases) {
      ObjectNode node = input.addObject();
      node.set("thresholds", JSON.valueToTree(c.thresholds()));
      node.set("candidate", JSON.valueToTree(c.candidate()));
      node.set("baseline", c.baseline() == null ? null : JSON.valueToTree(c.baseline()));
    }
    Path cases_ = work.resolve("cases.json");
    Files.writeString(cases_, JSON.writeValueAsString(input));
    Path script = work.resolve("validate.py");
    Files.write(
        script,
        List.of(
            "import decimal, json, sys, types, logging",
            "logging.disable(logging.WARNING)",
            "import mlflow",
            "from mlflow.models import MetricThreshold",
            "from mlflow.models.evaluation.validation import ModelValidationFailedException",
            "out = []",
            "for case in json.load(open(sys.argv[1])):",
            "    thresholds = {m: MetricThreshold(threshold=t.get('threshold'),",
            "                  min_absolute_change=t.get('minAbsoluteChange'),",
            "                  min_relative_change=None if t.get('minRelativeChange') is None",
            "                  else float(t['minRelativeChange']),",
            "                  greater_is_better=t['greaterIsBetter'])",
            "                  for m, t in case['thresholds'].items()}",
            "    num = lambda d: {k: float(v) for k, v in d.items()}  # 'NaN' arrives as text",
            "    cand = types.SimpleNamespace(metrics=num(case['candidate']))",
            "    base = None if case['baseline'] is None else"
                + " types.SimpleNamespace(metrics=num(case['baseline']))",
            "    try:",
            "        mlflow.validate_evaluation_results(thresholds, cand, base)",
            "        out.append({'passed': True, 'message': ''})",
            "    except ModelValidationFailedException as e:",
            "        out.append({'passed': False, 'message': e.message})",
            "    except (KeyError, TypeError, decimal.InvalidOperation) as e:",
            "        # MLflow 3.17 reads baseline_metrics[name] before its missing-baseline check, and",
            "        # skips that check for a zero relative change: a missing baseline value then",
            "        # raises instead of failing. Not a pass either.",
            "        out.append({'passed': False, 'message': 'raised ' + repr(e)})",
            "print(json.dumps(out))"));
    String stdout =
        PythonEnvironment.shared()
            .runPython(Duration.ofMinutes(3), script.toString(), cases_.toString())
            .requireSuccess()
            .stdout();
    String last = stdout.strip().lines().reduce((a, b) -> b).orElseThrow();
    JsonNode mlflow = JSON.readTree(last);

    assertEquals(cases.size(), mlflow.size());
    int table = cases.size() - deliberate.size();
    for (int i = table; i < cases.size(); i++) {
      assertTrue(mlflow.get(i).get("passed").asBoolean(), "MLflow passes " + cases.get(i));
      assertFalse(ours(cases.get(i)), "we fail " + cases.get(i));
    }
    List<String> different = new ArrayList<>();
    int passes = 0;
    for (int i = 0; i < table; i++) {
      boolean theirs = mlflow.get(i).get("passed").asBoolean();
      passes += theirs ? 1 : 0;
      if (ours(cases.get(i)) != theirs) {
        different.add(
            cases.get(i).name()
                + ": MLflow "
                + (theirs ? "passes" : "fails")
                + " "
                + mlflow.get(i).get("message").asText()
                + " "
                + cases.get(i));
      }
    }
    assertEquals(List.of(), different);
    // The table is not one-sided.
    assertTrue(passes > table / 5 && passes < table * 4 / 5, passes + " passed");
  }
}
