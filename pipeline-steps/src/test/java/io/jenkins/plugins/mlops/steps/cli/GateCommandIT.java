package io.jenkins.plugins.mlops.steps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlops gate} and {@code mlops promote} against the real server: exit 0, 1 and 2. */
class GateCommandIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  @TempDir Path work;

  private record Outcome(int status, String out, String err) {}

  private Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--tracking-uri");
    all.add(mlflow.trackingUri());
    int status =
        MlopsCli.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
    return new Outcome(status, out.toString(), err.toString());
  }

  @Test
  void gateExitsZeroOnPassOneOnFailTwoOnBadConditionsAndPromoteFollows() throws Exception {
    String runId;
    String model = "cli-" + UUID.randomUUID().toString().substring(0, 8);
    try (TrackingClient client =
        TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), line -> {})) {
      Experiment e = client.experiments().getOrCreate("cli-gate-" + UUID.randomUUID());
      Run run = client.runs().create(NewRun.of(e.id(), "candidate"));
      runId = run.id();
      client
          .runs()
          .logMetric(runId, new Metric("test_accuracy", 0.93, System.currentTimeMillis(), 0));
      Path file = work.resolve("model.bin");
      Files.writeString(file, "weights");
      client.artifacts().upload(runId, file, "model");
    }
    Path conditions = work.resolve("gate.yaml");
    Files.write(
        conditions,
        List.of(
            "conditions:",
            "  - test_accuracy >= 0.9",
            "  - {metric: test_accuracy, minAbsoluteChange: 0.01, greaterIsBetter: true}"));

    Outcome fail = run("gate", "--run-id", runId, "--condition", "test_accuracy >= 0.95");
    assertEquals(1, fail.status(), fail.err());
    assertTrue(fail.out().startsWith("NOT_BLESSED: not passed: 1 of 1"), fail.out());
    Outcome refused = run("promote", "--name", model, "--run-id", runId);
    assertEquals(1, refused.status(), refused.err());
    assertTrue(refused.err().contains("did not pass its evaluation gate"), refused.err());

    Outcome typo = run("gate", "--run-id", runId, "--condition", "test_acuracy >= 0.9");
    assertEquals(1, typo.status(), typo.err());
    assertTrue(typo.out().startsWith("NOT_BLESSED"), typo.out());
    assertTrue(
        typo.err().contains("metric 'test_acuracy' is not in the candidate run")
            && typo.err().contains("(did you mean 'test_accuracy'?)"),
        typo.err());
    Outcome noSkip =
        run(
            "gate",
            "--run-id",
            runId,
            "--conditions-file",
            conditions.toString(),
            "--baseline",
            "models:/" + model + "@champion");
    assertEquals(1, noSkip.status(), "no baseline and no first run allowed: " + noSkip.err());

    Outcome pass =
        run(
            "gate",
            "--run-id",
            runId,
            "--conditions-file",
            conditions.toString(),
            "--baseline",
            "models:/" + model + "@champion",
            "--no-baseline",
            "skip",
            "--report-dir",
            work.resolve("report").toString(),
            "--json");
    assertEquals(0, pass.status(), pass.err());
    JsonNode report = new ObjectMapper().readTree(pass.out());
    assertEquals("BLESSED", report.get("verdict").asText());
    assertEquals("NO_BASELINE", report.get("rows").get(1).get("status").asText());
    assertTrue(Files.exists(work.resolve("report/BLESSED")));

    Outcome bad = run("gate", "--run-id", runId, "--condition", "test_accuracy => 0.9");
    assertEquals(2, bad.status());
    assertTrue(bad.err().contains("condition 'test_accuracy => 0.9'"), bad.err());

    Outcome promoted = run("promote", "--name", model, "--run-id", runId, "--json");
    assertEquals(0, promoted.status(), promoted.err());
    assertEquals("1", new ObjectMapper().readTree(promoted.out()).get("version").asText());
    Outcome nothing = run("promote", "--name", model, "--rollback");
    assertEquals(1, nothing.status());
    assertTrue(nothing.err().contains("has no @previous-champion to roll back to"), nothing.err());
  }
}
