package io.jenkins.plugins.mlops.steps.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.PythonPeers;
import io.jenkins.plugins.mlops.steps.gate.GateRow.Status;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gate and promotion end to end against the real MLflow server and registry: a first run passes on
 * its absolute condition and becomes the champion, a better one passes against it and replaces it,
 * a worse one fails and is refused, and a rollback restores the first; MLflow's Python client reads
 * the aliases back.
 */
class GateAndPromotionIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  @TempDir Path work;
  private TrackingClient client;
  private Experiment experiment;
  private String model;
  private final List<String> console = new ArrayList<>();

  @BeforeEach
  void setUp() {
    client = TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), line -> {});
    experiment = client.experiments().getOrCreate("gate-" + UUID.randomUUID());
    model = "digits-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  /** A finished run with a model artifact, its test metrics and a validation loss history. */
  private String trainedRun(String name, double accuracy, double loss, double... valLoss)
      throws Exception {
    Run run = client.runs().create(NewRun.of(experiment.id(), name));
    long now = System.currentTimeMillis();
    client.runs().logMetric(run.id(), new Metric("test_accuracy", accuracy, now, 0));
    client.runs().logMetric(run.id(), new Metric("test_loss", loss, now, 0));
    for (int step = 0; step < valLoss.length; step++) {
      client.runs().logMetric(run.id(), new Metric("val_loss", valLoss[step], now + step, step));
    }
    Path file = Files.createDirectories(work.resolve(name)).resolve("model.bin");
    Files.writeString(file, "weights of " + name);
    client.artifacts().upload(run.id(), file, "model");
    client.runs().terminate(run.id(), RunStatus.FINISHED, now + 1000);
    return run.id();
  }

  private GateReport gate(String runId, Path dir, String... conditions) {
    List<Condition> parsed = new ArrayList<>();
    for (String c : conditions) {
      parsed.add(Conditions.parse(c));
    }
    parsed.add(
        Conditions.fromMap(
            Map.of("metric", "test_loss", "minRelativeChange", 0.1, "greaterIsBetter", false)));
    return EvaluationGate.run(
        client,
        new GateSpec(runId, parsed, "models:/" + model + "@champion", true, dir),
        console::add);
  }

  private String aliasVersion(String alias) throws Exception {
    JsonNode v =
        new ObjectMapper()
            .readTree(PythonPeers.modelVersionByAlias(mlflow.trackingUri(), model, alias));
    return v.get("version").asText();
  }

  @Test
  void firstRunThenABetterOneThenAWorseOneThenARollback() throws Exception {
    String first = trainedRun("first", 0.90, 0.30, 0.5, 0.35, 0.31);
    GateReport r1 =
        gate(
            first,
            work.resolve("gate1"),
            "test_accuracy >= 0.85",
            "test_accuracy >= baseline + 0.01",
            "min(val_loss) <= 0.35");

    assertTrue(r1.passed(), r1.summary());
    assertEquals(null, r1.baselineRunId());
    assertEquals(Status.PASS, r1.rows().get(0).status());
    assertEquals(Status.NO_BASELINE, r1.rows().get(1).status());
    assertEquals(Status.PASS, r1.rows().get(2).status());
    assertEquals(0.31, r1.rows().get(2).candidate());
    assertEquals(Status.NO_BASELINE, r1.rows().get(3).status());
    assertTrue(
        r1.summary().startsWith("passed: 2 of 4 condition(s) hold with no baseline"), r1.summary());
    assertTrue(Files.exists(work.resolve("gate1/BLESSED")));
    ModelPromotion.Result p1 =
        ModelPromotion.promote(client, model, first, "model", "champion", false, console::add);
    assertEquals("1", p1.version());
    assertEquals(null, p1.previousVersion());

    String better = trainedRun("better", 0.93, 0.25, 0.4, 0.3, 0.28);
    Path dir = work.resolve("gate2");
    GateReport r2 =
        gate(
            better,
            dir,
            "test_accuracy >= 0.85",
            "test_accuracy >= baseline + 0.01",
            "min(val_loss) <= 0.35");
    assertTrue(r2.passed(), r2.summary());
    assertEquals(first, r2.baselineRunId());
    GateRow change = r2.rows().get(1);
    assertEquals(0.90, change.baseline());
    assertEquals(0.91, change.threshold(), 1e-12);
    assertEquals(0.03, change.delta(), 1e-12);
    GateRow relative = r2.rows().get(3);
    assertEquals(Status.PASS, relative.status(), relative.reason());
    assertTrue(
        relative.reason().contains("(+16.67%) from baseline 0.3 is at least 0.1"),
        relative.reason());
    Run tagged = client.runs().get(better);
    assertEquals("passed", tagged.tags().get(EvaluationGate.TAG_STATUS));
    assertEquals("BLESSED", tagged.tags().get(EvaluationGate.TAG_VERDICT));
    assertEquals(first, tagged.tags().get(EvaluationGate.TAG_BASELINE_RUN));
    assertEquals(r2, GateReport.fromJson(Files.readString(dir.resolve("gate-report.json"))));
    assertTrue(
        Files.readString(dir.resolve("gate-report.md"))
            .contains(
                "| `test_accuracy >= baseline + 0.01` | 0.93 | 0.9 | 0.91 | +0.030000000000000027"
                    + " | pass |"));
    assertTrue(Files.readString(dir.resolve("gate-report.html")).contains("<td class=\"PASS\">"));
    assertTrue(client.artifacts().list(better, "gate").size() >= 3, "the report is an artifact");
    ModelPromotion.Result p2 =
        ModelPromotion.promote(client, model, better, "model", "champion", false, console::add);
    assertEquals("2", p2.version());
    assertEquals("1", p2.previousVersion());
    assertEquals("2", aliasVersion("champion"));
    assertEquals("1", aliasVersion("previous-champion"));

    String worse = trainedRun("worse", 0.91, 0.27, 0.4, 0.36);
    GateReport r3 =
        gate(
            worse,
            dir,
            "test_accuracy >= 0.85",
            "test_accuracy >= baseline + 0.01",
            "min(val_loss) <= 0.35");
    assertFalse(r3.passed());
    assertEquals(better, r3.baselineRunId());
    assertEquals(
        List.of(Status.PASS, Status.FAIL, Status.FAIL, Status.FAIL),
        r3.rows().stream().map(GateRow::status).toList());
    assertTrue(
        r3.rows().get(1).reason().contains("is not >= baseline 0.93 + 0.01 = 0.94"),
        r3.rows().get(1).reason());
    assertTrue(Files.exists(dir.resolve("NOT_BLESSED")));
    assertFalse(Files.exists(dir.resolve("BLESSED")), "the earlier verdict's marker is gone");
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () ->
                ModelPromotion.promote(
                    client, model, worse, "model", "champion", false, console::add));
    assertTrue(
        refused.getMessage().contains("did not pass its evaluation gate (not passed: 3 of 4"),
        refused.getMessage());
    assertEquals("2", aliasVersion("champion"), "a refused promotion changes nothing");

    // The best finished run of the experiment by test_accuracy, the candidate aside: "better".
    GateReport best =
        EvaluationGate.run(
            client,
            new GateSpec(
                worse,
                List.of(Conditions.parse("test_accuracy >= baseline")),
                "best:" + experiment.name() + ":test_accuracy",
                false,
                null),
            console::add);
    assertEquals(better, best.baselineRunId());
    assertFalse(best.passed());

    ModelPromotion.Result back = ModelPromotion.rollback(client, model, "champion", console::add);
    assertEquals("1", back.version());
    assertEquals("1", aliasVersion("champion"));
    assertEquals("2", aliasVersion("previous-champion"));
  }

  @Test
  void anUnknownOrNanMetricFailsItsConditionWithTheReasonInTheReport() throws Exception {
    String run = trainedRun("typo", 0.9, 0.3, 0.4);
    client.runs().logMetric(run, new Metric("f1", Double.NaN, System.currentTimeMillis(), 0));
    Path dir = work.resolve("typo-gate");
    GateReport report =
        EvaluationGate.run(
            client,
            new GateSpec(
                run,
                List.of(
                    Conditions.parse("test_acuracy >= 0.9"),
                    Conditions.parse("f1 >= 0.9"),
                    Conditions.parse("test_accuracy >= 0.5")),
                null,
                false,
                dir),
            console::add);
    assertFalse(report.passed());
    assertEquals(GateReport.NOT_BLESSED, report.verdict());
    assertEquals(
        List.of(Status.FAIL, Status.FAIL, Status.PASS),
        report.rows().stream().map(GateRow::status).toList());
    assertTrue(
        report
            .rows()
            .get(0)
            .reason()
            .contains(
                "metric 'test_acuracy' is not in the candidate run "
                    + run
                    + " (did you mean 'test_accuracy'?)"),
        report.rows().get(0).reason());
    assertTrue(
        report.rows().get(1).reason().contains("f1 of the candidate run " + run + " is NaN"),
        report.rows().get(1).reason());
    assertTrue(Files.exists(dir.resolve("NOT_BLESSED")));
    assertEquals(report, GateReport.fromJson(Files.readString(dir.resolve("gate-report.json"))));
    assertEquals("failed", client.runs().get(run).tags().get(EvaluationGate.TAG_STATUS));
  }

  @Test
  void withoutABaselineChangeConditionsFailUnlessAFirstRunIsAllowed() throws Exception {
    String run = trainedRun("first", 0.9, 0.3, 0.4);
    String missing = "models:/" + model + "@champion";
    GateReport onlyChanges =
        EvaluationGate.run(
            client,
            new GateSpec(
                run, List.of(Conditions.parse("test_accuracy >= baseline")), missing, true, null),
            console::add);
    assertFalse(onlyChanges.passed(), "nothing checked is never a pass");
    assertTrue(onlyChanges.summary().startsWith("not passed: nothing was checked"));
    List<Condition> both =
        List.of(
            Conditions.parse("test_accuracy >= 0.5"),
            Conditions.parse("test_accuracy >= baseline"));
    GateReport strict =
        EvaluationGate.run(client, new GateSpec(run, both, missing, false, null), console::add);
    assertFalse(strict.passed(), "without a baseline, and no first run allowed, the gate fails");
    assertEquals(Status.FAIL, strict.rows().get(1).status());
    assertTrue(
        strict.rows().get(1).reason().contains("model " + model + " does not exist"),
        strict.rows().get(1).reason());
    assertTrue(strict.rows().get(1).reason().contains("--no-baseline skip"));
    GateReport first =
        EvaluationGate.run(client, new GateSpec(run, both, missing, true, null), console::add);
    assertTrue(first.passed(), first.summary());
    assertEquals(Status.NO_BASELINE, first.rows().get(1).status());
  }
}
