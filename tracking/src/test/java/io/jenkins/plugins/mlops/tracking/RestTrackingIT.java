package io.jenkins.plugins.mlops.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.PythonPeers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every REST operation against the real MLflow server, read back by us and by Python MLflow. */
class RestTrackingIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  private static final long T0 = 1_700_000_000_000L;
  private static TrackingClient client;
  private static Experiment experiment;

  @BeforeAll
  static void open() {
    client =
        TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), Path.of(".")), line -> {});
    experiment = client.experiments().getOrCreate("rest-it-" + UUID.randomUUID());
  }

  @AfterAll
  static void close() {
    client.close();
  }

  private static Run newRun(String name) {
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
        read.info().artifactUri().startsWith("mlflow-artifacts:/"), read.info().artifactUri());
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

    JsonNode python =
        new ObjectMapper().readTree(PythonPeers.readRun(mlflow.trackingUri(), run.id()));
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
  void searchesByFilterAcrossPages() {
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
}
