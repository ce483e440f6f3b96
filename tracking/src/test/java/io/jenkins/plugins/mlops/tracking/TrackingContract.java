package io.jenkins.plugins.mlops.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.PythonPeers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link TrackingClient} keeps, run against each backend (the real MLflow
 * server, the file store): every operation read back by us and by the Python MLflow client.
 */
abstract class TrackingContract {

  private static final long T0 = 1_700_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private TrackingClient client;
  private Experiment experiment;
  private Run run;

  /** The tracking URI of the backend under test, as Python MLflow is given it. */
  abstract String trackingUri();

  /** How the backend's run artifact URIs begin. */
  abstract String artifactUriPrefix();

  @BeforeEach
  void open() {
    client = TrackingClient.open(TrackingConfig.parse(trackingUri(), work), line -> {});
    experiment = client.experiments().getOrCreate("contract-" + UUID.randomUUID());
    run = client.runs().create(NewRun.of(experiment.id(), "with-files"));
  }

  @AfterEach
  void close() {
    client.close();
  }

  private Run newRun(String name) {
    return client.runs().create(new NewRun(experiment.id(), name, T0, Map.of(), ""));
  }

  @Test
  void getOrCreateReturnsTheSameExperiment() {
    Experiment again = client.experiments().getOrCreate(experiment.name());

    assertEquals(experiment.id(), again.id());
    assertEquals(experiment, client.experiments().get(experiment.id()));
    assertTrue(client.experiments().findByName("no-such-" + UUID.randomUUID()).isEmpty());
  }

  @Test
  void createsNamedNestedRunsWithStandardTags() {
    Run parent = newRun("sweep");
    Map<String, String> tags =
        new LinkedHashMap<>(StandardTags.forJob("ci/digits", "abc123", "jenkins"));
    tags.putAll(StandardTags.forBuild("https://ci.example/job/digits/7/", "digits", "7"));

    Run child =
        client
            .runs()
            .create(new NewRun(experiment.id(), "trial-1", T0, tags, "").withParent(parent.id()));

    Run read = client.runs().get(child.id());
    assertEquals("trial-1", read.info().runName());
    assertEquals(RunStatus.RUNNING, read.info().status());
    assertEquals(T0, read.info().startTime());
    assertEquals(parent.id(), read.tags().get(StandardTags.PARENT_RUN_ID));
    assertEquals("JOB", read.tags().get(StandardTags.SOURCE_TYPE));
    assertEquals("abc123", read.tags().get(StandardTags.GIT_COMMIT));
    assertEquals("https://ci.example/job/digits/7/", read.tags().get(StandardTags.BUILD_URL));
    assertTrue(
        read.info().artifactUri().startsWith(artifactUriPrefix()), read.info().artifactUri());
  }

  @Test
  void logsEverythingAndPythonReadsTheSameValues() throws Exception {
    Run run = newRun("logged");
    client.runs().logParam(run.id(), "lr", "0.001");
    client.runs().logParam(run.id(), "lr", "0.001"); // the same value again is accepted
    client.runs().setTag(run.id(), "team", "vision");
    client.runs().logMetric(run.id(), new Metric("loss", 0.5, T0 + 1, 1));
    client.runs().logMetric(run.id(), new Metric("odd", Double.NaN, T0 + 2, 1));
    List<Metric> many = new ArrayList<>();
    for (int step = 0; step < 2_500; step++) {
      many.add(new Metric("train/epoch_loss", 1.0 / (step + 1), T0 + step, step));
    }
    Map<String, String> params = new LinkedHashMap<>();
    Map<String, String> tags = new LinkedHashMap<>();
    for (int i = 0; i < 150; i++) {
      params.put("p" + i, Integer.toString(i));
      tags.put("t" + i, "v" + i);
    }
    client.runs().logBatch(run.id(), many, params, tags);
    client.runs().terminate(run.id(), RunStatus.FINISHED, T0 + 60_000);

    Run read = client.runs().get(run.id());
    assertEquals(RunStatus.FINISHED, read.info().status());
    assertEquals(T0 + 60_000, read.info().endTime());
    assertEquals(151, read.params().size());
    assertEquals("vision", read.tags().get("team"));
    assertEquals("v149", read.tags().get("t149"));
    assertEquals(1.0 / 2_500, read.latest("train/epoch_loss").orElseThrow(), 0.0);
    assertTrue(Double.isNaN(read.latest("odd").orElseThrow()));
    List<Metric> history = client.runs().metricHistory(run.id(), "train/epoch_loss");
    assertEquals(many.size(), history.size());
    assertEquals(
        Set.copyOf(many), Set.copyOf(history), "every point back exactly, with its time and step");

    JsonNode python = new ObjectMapper().readTree(PythonPeers.readRun(trackingUri(), run.id()));
    assertEquals("FINISHED", python.get("status").asText());
    assertEquals("0.001", python.get("params").get("lr").asText());
    assertEquals("149", python.get("params").get("p149").asText());
    assertEquals("vision", python.get("tags").get("team").asText());
    assertEquals("NaN", python.get("metrics").get("odd").asText());
    JsonNode pyHistory = python.get("history").get("train/epoch_loss");
    assertEquals(2_500, pyHistory.size());
    for (int step = 0; step < 2_500; step += 499) {
      assertEquals(step, pyHistory.get(step).get("step").asLong());
      assertEquals(1.0 / (step + 1), pyHistory.get(step).get("value").asDouble(), 0.0);
      assertEquals(T0 + step, pyHistory.get(step).get("timestamp").asLong());
    }
  }

  @Test
  void searchesByFilterAcrossPages() throws Exception {
    Experiment own = client.experiments().getOrCreate("search-it-" + UUID.randomUUID());
    for (int i = 0; i < 5; i++) {
      Run run = client.runs().create(new NewRun(own.id(), "r" + i, T0 + i, Map.of(), ""));
      client.runs().logMetric(run.id(), new Metric("acc", i / 10.0, T0, 0));
      client.runs().logParam(run.id(), "kind", i % 2 == 0 ? "even" : "odd");
    }

    RunQuery query =
        new RunQuery(List.of(own.id()), "params.kind = 'even'", List.of("metrics.acc DESC"), 1, "");
    List<Run> found = client.runs().searchAll(query);

    assertEquals(
        List.of("r4", "r2", "r0"),
        found.stream().map(r -> r.info().runName()).collect(Collectors.toList()));
    assertTrue(client.runs().search(query).hasNext());
    JsonNode python =
        JSON.readTree(
            PythonPeers.searchRuns(
                trackingUri(), own.id(), "params.kind = 'even'", "metrics.acc DESC"));
    assertEquals("[\"r4\",\"r2\",\"r0\"]", python.get("run_names").toString());
  }

  @Test
  void deletesTagsAndADeletedTagIsGone() throws Exception {
    client.runs().setTag(run.id(), "mlops.gate.status", "passed");
    client.runs().setTag(run.id(), "kept", "yes");
    client.runs().deleteTag(run.id(), "mlops.gate.status");
    client.runs().deleteTag(run.id(), "mlops.gate.status");
    client.runs().deleteTag(run.id(), "never.set");

    Map<String, String> tags = client.runs().get(run.id()).tags();
    assertFalse(tags.containsKey("mlops.gate.status"), tags.toString());
    assertEquals("yes", tags.get("kept"));
    JsonNode python = JSON.readTree(PythonPeers.readRun(trackingUri(), run.id()));
    assertFalse(python.path("tags").has("mlops.gate.status"), python.toString());
  }

  @Test
  void unknownRunIsAClearNotFound() {
    MlflowException e =
        assertThrows(
            MlflowException.class, () -> client.runs().get("0123456789abcdef0123456789abcdef"));

    assertTrue(e.isNotFound(), e.getMessage());
    assertEquals("RESOURCE_DOES_NOT_EXIST", e.errorCode());
    assertTrue(e.getMessage().contains("0123456789abcdef0123456789abcdef"), e.getMessage());
  }

  @Test
  void changingAParamIsRefusedByTheServerWithItsReason() {
    Run run = newRun("immutable");
    client.runs().logParam(run.id(), "lr", "0.1");

    MlflowException e =
        assertThrows(MlflowException.class, () -> client.runs().logParam(run.id(), "lr", "0.2"));

    assertEquals(400, e.status());
    assertEquals("INVALID_PARAMETER_VALUE", e.errorCode());
    assertTrue(e.getMessage().contains("lr"), e.getMessage());
    assertFalse(e.isTransient());
  }

  @Test
  void badKeysAndLongValuesAreRefusedBeforeAnythingIsSent() {
    Run run = newRun("bad-input");

    IllegalArgumentException key =
        assertThrows(
            IllegalArgumentException.class,
            () -> client.runs().logMetric(run.id(), new Metric("acc@top1", 1, T0, 0)));
    IllegalArgumentException value =
        assertThrows(
            IllegalArgumentException.class,
            () -> client.runs().logParam(run.id(), "notes", "x".repeat(6_001)));

    assertTrue(key.getMessage().contains("'acc@top1'"), key.getMessage());
    assertTrue(value.getMessage().contains("6001 characters"), value.getMessage());
    assertTrue(client.runs().get(run.id()).metrics().isEmpty());
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
        JSON.readTree(PythonPeers.downloadArtifacts(trackingUri(), run.id(), work.resolve("py")));
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
        JSON.readTree(PythonPeers.modelVersionByAlias(trackingUri(), name, "champion"));
    assertEquals("2", python.get("version").asText());
    assertEquals(second.id(), python.get("run_id").asText());

    RegisteredModel model = registry.getModel(name).orElseThrow();
    assertEquals(Map.of("champion", "2", "previous-champion", "1"), model.aliases());
    assertTrue(registry.getModel("no-such-model-" + UUID.randomUUID()).isEmpty());
    assertTrue(registry.modelNames().contains(name), registry.modelNames().toString());

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

    // The order of inputs is the store's own (the file store lists folders named by hashes).
    assertEquals(Set.copyOf(inputs), Set.copyOf(client.runs().get(run.id()).inputs()));
    JsonNode python = JSON.readTree(PythonPeers.readRun(trackingUri(), run.id()));
    Map<String, String> contexts = new java.util.TreeMap<>();
    python
        .get("inputs")
        .forEach(i -> contexts.put(i.get("name").asText(), i.get("context").asText()));
    assertEquals(Map.of("digits-train", "training", "digits-test", "test"), contexts);
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
