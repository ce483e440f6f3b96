package io.jenkins.plugins.mlops.steps.data;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A preparation recorded in the real MLflow server, read back by MLflow's Python client. */
class DatasetLoggingIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  @TempDir Path work;

  @Test
  void splitsBecomeDatasetInputsWithContextsAndTheManifestAnArtifact() throws Exception {
    List<String> lines = new ArrayList<>(List.of("a,b,label"));
    for (int i = 0; i < 1_000; i++) {
      lines.add(i + "," + (i * 0.5) + "," + (i % 3));
    }
    Files.write(work.resolve("data.csv"), lines);
    DatasetManifest m =
        DatasetPreparer.prepare(
            PrepareSpec.builder()
                .addInput("data.csv")
                .setOutput(Path.of("out"))
                .optLabel("label")
                .setSplits(Split.parse("train=0.8,validation=0.1,test=0.1"))
                .build(),
            work,
            line -> {});

    try (TrackingClient client =
        TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), line -> {})) {
      Experiment e = client.experiments().getOrCreate("prepare-" + UUID.randomUUID());
      Run run = client.runs().create(NewRun.of(e.id(), "prepare"));
      DatasetLogging.log(client, run.id(), m, work.resolve("out"), "digits");

      JsonNode python =
          new ObjectMapper().readTree(PythonPeers.readRun(mlflow.trackingUri(), run.id()));
      Map<String, String> contexts = new TreeMap<>();
      Set<String> digests = new HashSet<>();
      for (JsonNode input : python.get("inputs")) {
        contexts.put(input.get("name").asText(), input.get("context").asText());
        String split = input.get("name").asText().substring("digits-".length());
        assertEquals(
            m.splitFingerprints().get(split).substring(7, 39), input.get("digest").asText());
        digests.add(input.get("digest").asText());
        assertTrue(input.get("source").asText().contains("out/"), input.toString());
      }
      assertEquals(
          Map.of(
              "digits-test", "test", "digits-train", "training", "digits-validation", "validation"),
          contexts);
      assertEquals(3, digests.size(), "each split its own digest: " + digests);
      assertEquals(1, client.artifacts().list(run.id(), "datasets/digits").size());
    }
  }
}
