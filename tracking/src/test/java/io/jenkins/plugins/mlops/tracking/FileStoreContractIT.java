package io.jenkins.plugins.mlops.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import io.jenkins.plugins.mlops.harness.PythonPeers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracking contract against MLflow's file store in a temporary {@code mlruns}, read back by the
 * Python MLflow client (with {@code MLFLOW_ALLOW_FILE_STORE=true}); and the store moved to a
 * database by {@code mlflow migrate-filestore} without losing anything.
 */
class FileStoreContractIT extends TrackingContract {

  @TempDir static Path store;

  @Override
  String trackingUri() {
    return store.resolve("mlruns").toUri().toString();
  }

  @Override
  String artifactUriPrefix() {
    return "file:///";
  }

  @Test
  void readsWhatPythonMlflowWroteIntoTheSameStore() throws Exception {
    String name = "python-" + UUID.randomUUID();
    JsonNode written = new ObjectMapper().readTree(PythonPeers.writeRun(trackingUri(), name));

    try (TrackingClient local =
        TrackingClient.open(TrackingConfig.parse(trackingUri(), store), line -> {})) {
      Experiment experiment = local.experiments().findByName(name).orElseThrow();
      Run run = local.runs().get(written.get("run_id").asText());

      assertEquals(written.get("experiment_id").asText(), experiment.id());
      assertEquals("written-by-python", run.info().runName());
      assertEquals(RunStatus.FINISHED, run.info().status());
      assertEquals("adam", run.params().get("optimizer"));
      assertEquals("vision", run.tags().get("team"));
      assertEquals(
          List.of(1.0, 0.5, 1.0 / 3),
          local.runs().metricHistory(run.id(), "train/loss").stream().map(Metric::value).toList());
      assertEquals(
          List.of(run.id()),
          local.runs().searchAll(RunQuery.in(experiment.id(), "params.optimizer = 'adam'")).stream()
              .map(Run::id)
              .toList());
    }
  }

  @Test
  void mlflowMigratesTheStoreToADatabase(@TempDir Path work) throws Exception {
    Path root = work.resolve("project");
    String runId;
    try (TrackingClient local =
        TrackingClient.open(
            TrackingConfig.parse(root.resolve("mlruns").toString(), root), l -> {})) {
      Experiment experiment = local.experiments().getOrCreate("migrated-" + UUID.randomUUID());
      Run run = local.runs().create(NewRun.of(experiment.id(), "to-migrate"));
      runId = run.id();
      local
          .runs()
          .logBatch(
              runId,
              List.of(new Metric("loss", 0.5, 1_000, 0), new Metric("loss", 0.25, 2_000, 1)),
              Map.of("lr", "0.01"),
              Map.of("team", "vision"));
      local.runs().terminate(runId, RunStatus.FINISHED, 3_000);
    }
    String database = "sqlite:///" + work.resolve("migrated.db");

    PythonEnvironment.shared()
        .run(
            Duration.ofMinutes(3),
            List.of(
                "mlflow", "migrate-filestore", "--source", root.toString(), "--target", database))
        .requireSuccess();

    JsonNode run = new ObjectMapper().readTree(PythonPeers.readRun(database, runId));
    assertEquals("FINISHED", run.get("status").asText());
    assertEquals("to-migrate", run.get("run_name").asText());
    assertEquals("0.01", run.get("params").get("lr").asText());
    assertEquals("vision", run.get("tags").get("team").asText());
    assertEquals(2, run.get("history").get("loss").size());
    assertEquals(0.25, run.get("history").get("loss").get(1).get("value").asDouble(), 0.0);
  }
}
