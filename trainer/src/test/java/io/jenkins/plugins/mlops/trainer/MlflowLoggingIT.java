package io.jenkins.plugins.mlops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.PythonPeers;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The trainer inside an MLflow run of the real server, read back by MLflow's Python client. */
class MlflowLoggingIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  @TempDir Path work;

  @Test
  void paramsFinalMetricsAndTheModelGoIntoTheRun() throws Exception {
    Path data = work.resolve("data");
    Files.createDirectories(data);
    for (String split : List.of("train", "test")) {
      List<String> lines = new ArrayList<>(List.of("a,b,label"));
      for (int i = 0; i < 400; i++) {
        lines.add(i % 7 + "," + (i % 5) * 0.5 + "," + (i % 7 < 3 ? "low" : "high"));
      }
      Files.write(data.resolve(split + ".csv"), lines);
    }
    String runId;
    try (TrackingClient client =
        TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), line -> {})) {
      Experiment e = client.experiments().getOrCreate("trainer-" + UUID.randomUUID());
      Run run = client.runs().create(NewRun.of(e.id(), "djl"));
      runId = run.id();
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        TrainerMain.run(
            List.of("--label", "label", "--epochs", "5", "--hidden", "16"),
            Map.of(
                "MLOPS_DATA_DIR", data.toString(),
                "MLOPS_OUTPUT_DIR", work.resolve("out").toString(),
                "MLOPS_PARAM_LEARNING_RATE", "0.01",
                "MLFLOW_TRACKING_URI", mlflow.trackingUri(),
                "MLFLOW_RUN_ID", runId),
            work,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));

    JsonNode run = new ObjectMapper().readTree(PythonPeers.readRun(mlflow.trackingUri(), runId));
    assertEquals("0.01", run.get("params").get("learning_rate").asText());
    assertEquals("16", run.get("params").get("hidden").asText());
    JsonNode metrics = new ObjectMapper().readTree(work.resolve("out/metrics.json").toFile());
    assertEquals(
        metrics.get("test_accuracy").asDouble(),
        run.get("metrics").get("test_accuracy").asDouble(),
        1e-9);
    assertTrue(run.get("metrics").get("test_accuracy").asDouble() > 0.9, "a separable task");
    Path downloaded = work.resolve("downloaded");
    PythonPeers.downloadArtifacts(mlflow.trackingUri(), runId, downloaded);
    assertTrue(
        Files.isRegularFile(downloaded.resolve("model/model-card.json")),
        "the model directory is the artifact model/");
  }
}
