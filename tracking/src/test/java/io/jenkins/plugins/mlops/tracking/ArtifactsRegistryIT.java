package io.jenkins.plugins.mlops.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.PythonPeers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Artifacts through the proxy, the model registry with aliases, and dataset inputs. */
class ArtifactsRegistryIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private TrackingClient client;
  private Run run;

  @BeforeEach
  void newRun() {
    client = TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), line -> {});
    Experiment experiment = client.experiments().getOrCreate("artifacts-" + UUID.randomUUID());
    run = client.runs().create(NewRun.of(experiment.id(), "with-files"));
  }

  private Path modelTree() throws Exception {
    Path model = Files.createDirectories(work.resolve("model"));
    byte[] weights = new byte[5 * 1024 * 1024];
    new Random(7).nextBytes(weights);
    Files.write(model.resolve("weights.bin"), weights);
    Files.writeString(model.resolve("card.json"), "{\"classes\": 10}");
    Files.createDirectories(model.resolve("preprocessing"));
    Files.writeString(model.resolve("preprocessing/stats with space.json"), "{}");
    return model;
  }

  @Test
  void uploadsListsAndDownloadsTreesThatPythonReadsToo() throws Exception {
    Path model = modelTree();
    Path report = Files.writeString(work.resolve("report.md"), "# gate passed");

    client.artifacts().uploadDirectory(run.id(), model, "model");
    client.artifacts().upload(run.id(), report, "");

    assertEquals(
        List.of(new ArtifactInfo("model", true, 0), new ArtifactInfo("report.md", false, 13)),
        client.artifacts().list(run.id(), ""));
    assertEquals(
        List.of("model/card.json", "model/preprocessing", "model/weights.bin"),
        client.artifacts().list(run.id(), "model").stream()
            .map(ArtifactInfo::path)
            .sorted()
            .toList());

    Path back = client.artifacts().download(run.id(), "model", work.resolve("back"));
    assertArrayEquals(
        Files.readAllBytes(model.resolve("weights.bin")),
        Files.readAllBytes(back.resolve("weights.bin")));
    assertEquals("{}", Files.readString(back.resolve("preprocessing/stats with space.json")));
    Path single =
        client.artifacts().download(run.id(), "report.md", work.resolve("report-back.md"));
    assertEquals("# gate passed", Files.readString(single));
    try (var leftovers = Files.list(work)) {
      assertTrue(leftovers.noneMatch(p -> p.toString().endsWith(".partial")));
    }

    JsonNode python =
        JSON.readTree(
            PythonPeers.downloadArtifacts(mlflow.trackingUri(), run.id(), work.resolve("py")));
    assertEquals(5 * 1024 * 1024, python.get("files").get("model/weights.bin").asLong());
    assertEquals(13, python.get("files").get("report.md").asLong());
    assertEquals(2, python.get("files").get("model/preprocessing/stats with space.json").asLong());
  }

  @Test
  void refusesBadPathsAndExistingDestinations() throws Exception {
    Path report = Files.writeString(work.resolve("r.txt"), "x");
    client.artifacts().upload(run.id(), report, "");

    IllegalArgumentException up =
        assertThrows(
            IllegalArgumentException.class,
            () -> client.artifacts().upload(run.id(), report, "../x"));
    IllegalArgumentException down =
        assertThrows(
            IllegalArgumentException.class,
            () -> client.artifacts().download(run.id(), "r.txt", report));

    assertTrue(up.getMessage().contains("(../x)"), up.getMessage());
    assertTrue(down.getMessage().contains("already exists"), down.getMessage());
  }

  @Test
  void missingArtifactIsANotFound() {
    MlflowException e =
        assertThrows(
            MlflowException.class,
            () -> client.artifacts().download(run.id(), "nope.bin", work.resolve("nope")));

    assertEquals(404, e.status());
  }

  @Test
  void registersVersionsAndMovesAliases() throws Exception {
    String name = "digits-" + UUID.randomUUID();
    ModelRegistry registry = client.registry();
    registry.createIfMissing(name);
    registry.createIfMissing(name);
    Run second = client.runs().create(NewRun.of(run.info().experimentId(), "second"));

    ModelVersion v1 = registry.createVersion(name, "runs:/" + run.id() + "/model", run.id());
    ModelVersion v2 = registry.createVersion(name, "runs:/" + second.id() + "/model", second.id());
    registry.setAlias(name, "champion", v1.version());
    registry.setAlias(name, "champion", v2.version());
    registry.setAlias(name, "previous-champion", v1.version());

    assertEquals("1", v1.version());
    assertEquals("READY", v1.status());
    assertEquals(run.id(), registry.getVersion(name, "1").runId());
    ModelVersion champion = registry.getByAlias(name, "champion").orElseThrow();
    assertEquals("2", champion.version());
    assertEquals(List.of("champion"), champion.aliases());
    JsonNode python =
        JSON.readTree(PythonPeers.modelVersionByAlias(mlflow.trackingUri(), name, "champion"));
    assertEquals("2", python.get("version").asText());
    assertEquals(second.id(), python.get("run_id").asText());

    registry.deleteAlias(name, "champion");
    registry.deleteAlias(name, "champion");
    assertTrue(registry.getByAlias(name, "champion").isEmpty());
    assertTrue(registry.getByAlias("no-such-model-" + UUID.randomUUID(), "champion").isEmpty());
    IllegalArgumentException reserved =
        assertThrows(IllegalArgumentException.class, () -> registry.setAlias(name, "v3", "1"));
    assertTrue(reserved.getMessage().contains("reserved"), reserved.getMessage());
  }

  @Test
  void logsDatasetInputsWithTheirContext() throws Exception {
    List<DatasetInput> inputs =
        List.of(
            new DatasetInput(
                "digits-train",
                "3f2a9c",
                "local",
                "{\"uri\": \"data/train.parquet\"}",
                "{\"mlflow_colspec\": []}",
                "{\"num_rows\": 1437}",
                "training"),
            new DatasetInput(
                "digits-test",
                "77b1e0",
                "local",
                "{\"uri\": \"data/test.parquet\"}",
                "",
                "{\"num_rows\": 180}",
                "test"));

    client.runs().logInputs(run.id(), inputs);

    assertEquals(inputs, client.runs().get(run.id()).inputs());
    JsonNode python = JSON.readTree(PythonPeers.readRun(mlflow.trackingUri(), run.id()));
    assertEquals("digits-train", python.get("inputs").get(0).get("name").asText());
    assertEquals("training", python.get("inputs").get(0).get("context").asText());
    assertEquals("test", python.get("inputs").get(1).get("context").asText());
  }

  @Test
  void aDigestLongerThanMlflowAllowsIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new DatasetInput("d", "x".repeat(37), "local", "{}", "", "", "training"));

    assertTrue(e.getMessage().contains("at most 36"), e.getMessage());
  }
}
