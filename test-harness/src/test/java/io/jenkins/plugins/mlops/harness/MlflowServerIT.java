package io.jenkins.plugins.mlops.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;

/**
 * Proves the harness is real: the Java MLflow client writes a run into the harness's server, reads
 * it back, and the Python MLflow client of the harness environment reads the same values.
 */
class MlflowServerIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  private static final long START = 1_700_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String experimentId;
  private static String runId;

  @BeforeAll
  static void logOneRun() {
    try (MlflowClient client = new MlflowClient(mlflow.trackingUri())) {
      experimentId = client.createExperiment("harness-" + UUID.randomUUID());
      runId =
          client
              .createRun(
                  CreateRun.newBuilder()
                      .setExperimentId(experimentId)
                      .setRunName("harness-check")
                      .setStartTime(START)
                      .addTags(RunTag.newBuilder().setKey("mlops.origin").setValue("harness"))
                      .build())
              .getRunId();
      client.logParam(runId, "lr", "0.001");
      client.logParam(runId, "epochs", "10");
      client.setTag(runId, "team", "ml-platform");
      for (int step = 0; step < 3; step++) {
        client.logMetric(runId, "loss", 1.0 / (step + 1), START + step * 1000L, step);
      }
      client.logBatch(
          runId,
          List.of(metric("accuracy", 0.5, 0), metric("accuracy", 0.75, 1)),
          List.of(Param.newBuilder().setKey("batch_size").setValue("32").build()),
          List.of(RunTag.newBuilder().setKey("dataset").setValue("digits").build()));
      client.setTerminated(runId, RunStatus.FINISHED, START + 60_000L);
    }
  }

  @Test
  void javaClientReadsBackWhatItLogged() {
    try (MlflowClient client = new MlflowClient(mlflow.trackingUri())) {
      Run run = client.getRun(runId);

      assertEquals(RunStatus.FINISHED, run.getInfo().getStatus());
      assertEquals(experimentId, run.getInfo().getExperimentId());
      assertEquals("harness-check", run.getInfo().getRunName());
      assertEquals(START + 60_000L, run.getInfo().getEndTime());
      assertEquals(
          Map.of("lr", "0.001", "epochs", "10", "batch_size", "32"),
          run.getData().getParamsList().stream()
              .collect(Collectors.toMap(Param::getKey, Param::getValue)));
      Map<String, String> tags =
          run.getData().getTagsList().stream()
              .collect(Collectors.toMap(RunTag::getKey, RunTag::getValue));
      assertEquals("ml-platform", tags.get("team"));
      assertEquals("digits", tags.get("dataset"));
      assertEquals("harness", tags.get("mlops.origin"));
      assertEquals(
          List.of(1.0, 0.5, 1.0 / 3),
          client.getMetricHistory(runId, "loss").stream()
              .sorted(java.util.Comparator.comparingLong(Metric::getStep))
              .map(Metric::getValue)
              .toList());
      assertEquals(
          List.of(0L, 1L),
          client.getMetricHistory(runId, "accuracy").stream()
              .map(Metric::getStep)
              .sorted()
              .toList());
    }
  }

  @Test
  void pythonClientReadsTheSameRun() throws Exception {
    JsonNode run = JSON.readTree(PythonPeers.readRun(mlflow.trackingUri(), runId));

    assertEquals(runId, run.get("run_id").asText());
    assertEquals(experimentId, run.get("experiment_id").asText());
    assertEquals("harness-check", run.get("run_name").asText());
    assertEquals("FINISHED", run.get("status").asText());
    assertEquals(START + 60_000L, run.get("end_time").asLong());
    assertEquals(
        Map.of("lr", "0.001", "epochs", "10", "batch_size", "32"), strings(run.get("params")));
    assertEquals(
        Map.of("team", "ml-platform", "dataset", "digits", "mlops.origin", "harness"),
        strings(run.get("tags")));
    assertEquals(1.0 / 3, run.get("metrics").get("loss").asDouble(), 0.0);
    assertEquals(0.75, run.get("metrics").get("accuracy").asDouble(), 0.0);
    JsonNode loss = run.get("history").get("loss");
    assertEquals(3, loss.size());
    for (int step = 0; step < 3; step++) {
      assertEquals(step, loss.get(step).get("step").asLong());
      assertEquals(1.0 / (step + 1), loss.get(step).get("value").asDouble(), 0.0);
      assertEquals(START + step * 1000L, loss.get(step).get("timestamp").asLong());
    }
  }

  @Test
  void serverKeepsItsDataInItsOwnTemporaryFolder() {
    assertTrue(mlflow.dataDir().resolve("mlflow.db").toFile().isFile(), mlflow.output());
    assertTrue(mlflow.uri().toString().startsWith("http://127.0.0.1:"), mlflow.uri().toString());
  }

  private static Metric metric(String key, double value, long step) {
    return Metric.newBuilder()
        .setKey(key)
        .setValue(value)
        .setStep(step)
        .setTimestamp(START + step)
        .build();
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> map = new TreeMap<>();
    object.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }
}
