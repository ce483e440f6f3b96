package io.jenkins.plugins.mlops.steps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.steps.gate.EvaluationGate;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The defects of issue #13 that let a worse model replace the champion, through the command line
 * against the real server: a misspelt baseline, a stale "passed" verdict, a champion that moved, a
 * NaN metric. Each scenario ends with the champion unchanged.
 */
class GateFailsClosedIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  @TempDir Path work;
  private TrackingClient client;
  private Experiment experiment;
  private String model;

  private record Outcome(int status, String out, String err) {}

  @BeforeEach
  void setUp() throws Exception {
    client = TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), line -> {});
    experiment = client.experiments().getOrCreate("fail-closed-" + UUID.randomUUID());
    model = "wine-" + UUID.randomUUID().toString().substring(0, 8);
    String champion = run("champion", 0.926);
    assertEquals(
        0, cli("gate", "--run-id", champion, "--condition", "test_accuracy >= 0.5").status());
    assertEquals(0, cli("promote", "--name", model, "--run-id", champion).status());
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  private Outcome cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--tracking-uri");
    all.add(mlflow.trackingUri());
    int status =
        MlopsCli.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
    return new Outcome(status, out.toString(), err.toString());
  }

  private String run(String name, double accuracy) throws Exception {
    String id = client.runs().create(NewRun.of(experiment.id(), name)).id();
    client
        .runs()
        .logMetric(id, new Metric("test_accuracy", accuracy, System.currentTimeMillis(), 0));
    Path file = Files.createDirectories(work.resolve(name)).resolve("model.bin");
    Files.writeString(file, "weights of " + name);
    client.artifacts().upload(id, file, "model");
    return id;
  }

  private String championVersion() {
    return client.registry().getByAlias(model, "champion").orElseThrow().version();
  }

  private Outcome gate(String runId, String baseline, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "gate",
                "--run-id",
                runId,
                "--condition",
                "test_accuracy >= 0.5",
                "--condition",
                "test_accuracy >= baseline",
                "--baseline",
                baseline));
    args.addAll(List.of(extra));
    return cli(args.toArray(String[]::new));
  }

  @Test
  void aMisspeltAliasIsAnErrorListingTheAliasesTheModelHas() throws Exception {
    String worse = run("worse", 0.556);
    Outcome typo = gate(worse, "models:/" + model + "@champoin", "--no-baseline", "skip");
    assertEquals(2, typo.status(), typo.err());
    assertTrue(
        typo.err()
            .contains(
                "model "
                    + model
                    + " has no alias 'champoin' (did you mean 'champion'?); its aliases:"
                    + " @champion (version 1)"),
        typo.err());
    assertEquals(null, client.runs().get(worse).tags().get(EvaluationGate.TAG_STATUS));
    assertEquals(1, cli("promote", "--name", model, "--run-id", worse).status());
    assertEquals("1", championVersion());
  }

  @Test
  void aMisspeltModelFailsTheGateByDefaultAndCannotReplaceTheChampionWhenSkipped()
      throws Exception {
    String worse = run("worse", 0.556);
    String misspelt = "models:/" + model + "x@champion";
    Outcome strict = gate(worse, misspelt);
    assertEquals(1, strict.status(), strict.err());
    assertTrue(strict.out().startsWith("NOT_BLESSED"), strict.out());
    assertTrue(strict.err().contains("(did you mean " + model + "?)"), strict.err());

    Outcome skipped = gate(worse, misspelt, "--no-baseline", "skip");
    assertEquals(0, skipped.status(), "a first run allowed on purpose: " + skipped.err());
    assertTrue(skipped.err().contains("gate: warning: baseline " + misspelt), skipped.err());
    Outcome promote = cli("promote", "--name", model, "--run-id", worse);
    assertEquals(1, promote.status(), promote.err());
    assertTrue(promote.err().contains("judged it as a first run"), promote.err());
    assertEquals("1", championVersion());
  }

  @Test
  void aVerdictIsStaleOnceTheMetricsItJudgedChange() throws Exception {
    String candidate = run("candidate", 0.95);
    String champion = "models:/" + model + "@champion";
    assertEquals(0, gate(candidate, champion).status());
    // A new value after the verdict: the old "passed" must not promote it.
    client
        .runs()
        .logMetric(candidate, new Metric("test_accuracy", 0.40, System.currentTimeMillis(), 1));
    Outcome stale = cli("promote", "--name", model, "--run-id", candidate);
    assertEquals(1, stale.status(), stale.err());
    assertTrue(stale.err().contains("changed after the gate ran"), stale.err());

    // Gated again on a NaN value: a verdict (exit 1, a report row), and no "passed" left over.
    client
        .runs()
        .logMetric(
            candidate, new Metric("test_accuracy", Double.NaN, System.currentTimeMillis(), 2));
    Outcome nan = gate(candidate, champion, "--json");
    assertEquals(1, nan.status(), nan.err());
    JsonNode report = new ObjectMapper().readTree(nan.out());
    assertEquals("NOT_BLESSED", report.get("verdict").asText());
    assertTrue(report.get("rows").get(0).get("reason").asText().contains("is NaN"));
    assertEquals("failed", client.runs().get(candidate).tags().get(EvaluationGate.TAG_STATUS));
    assertEquals(1, cli("promote", "--name", model, "--run-id", candidate).status());
    assertEquals("1", championVersion());
  }

  @Test
  void aGateThatStopsWithoutAVerdictLeavesNoPassedTag() throws Exception {
    String candidate = run("candidate", 0.95);
    assertEquals(0, gate(candidate, "models:/" + model + "@champion").status());
    assertEquals("passed", client.runs().get(candidate).tags().get(EvaluationGate.TAG_STATUS));
    Outcome stopped = gate(candidate, "models:/" + model + "/99");
    assertEquals(2, stopped.status(), stopped.err());
    assertTrue(stopped.err().contains("has no version 99"), stopped.err());
    assertFalse(
        client.runs().get(candidate).tags().keySet().stream()
            .anyMatch(k -> k.startsWith(EvaluationGate.TAG_PREFIX)),
        client.runs().get(candidate).tags().toString());
    assertEquals(1, cli("promote", "--name", model, "--run-id", candidate).status());
  }

  @Test
  void aChampionThatMovedAfterTheGateMakesItsVerdictStale() throws Exception {
    String slow = run("slow", 0.95);
    String fast = run("fast", 0.97);
    String champion = "models:/" + model + "@champion";
    assertEquals(0, gate(slow, champion).status());
    assertEquals(0, gate(fast, champion).status());
    assertEquals(0, cli("promote", "--name", model, "--run-id", fast).status());
    Outcome late = cli("promote", "--name", model, "--run-id", slow);
    assertEquals(1, late.status(), late.err());
    assertTrue(
        late.err().contains("@champion of " + model + " has moved since the gate"), late.err());
    assertEquals("2", championVersion());
  }
}
