package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.mlops.tracking.DatasetInput;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.ModelVersion;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunInfo;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads MLflow's JSON shapes of experiments, runs and metrics into this package's records. */
final class RunJson {

  /** The input tag that says what a dataset was used for. */
  static final String CONTEXT_TAG = "mlflow.data.context";

  private RunJson() {}

  static Experiment experiment(JsonNode node) {
    return new Experiment(
        Json.text(node, "experiment_id"),
        Json.text(node, "name"),
        Json.text(node, "artifact_location"),
        Json.text(node, "lifecycle_stage"),
        Json.keyValues(node.get("tags")));
  }

  static Run run(JsonNode node) {
    JsonNode info = node.path("info");
    String runId = Json.text(info, "run_id");
    RunInfo runInfo =
        new RunInfo(
            runId.isEmpty() ? Json.text(info, "run_uuid") : runId,
            Json.text(info, "experiment_id"),
            Json.text(info, "run_name"),
            status(Json.text(info, "status")),
            Json.number(info, "start_time"),
            Json.number(info, "end_time"),
            Json.text(info, "artifact_uri"),
            Json.text(info, "lifecycle_stage"),
            Json.text(info, "user_id"));
    JsonNode data = node.path("data");
    Map<String, Metric> metrics = new LinkedHashMap<>();
    for (JsonNode metric : data.path("metrics")) {
      Metric m = metric(metric);
      metrics.put(m.key(), m);
    }
    List<DatasetInput> inputs = new ArrayList<>();
    for (JsonNode input : node.path("inputs").path("dataset_inputs")) {
      JsonNode dataset = input.path("dataset");
      inputs.add(
          new DatasetInput(
              Json.text(dataset, "name"),
              Json.text(dataset, "digest"),
              Json.text(dataset, "source_type"),
              Json.text(dataset, "source"),
              Json.text(dataset, "schema"),
              Json.text(dataset, "profile"),
              Json.keyValues(input.get("tags")).getOrDefault(CONTEXT_TAG, "")));
    }
    return new Run(
        runInfo,
        Json.keyValues(data.get("params")),
        Json.keyValues(data.get("tags")),
        metrics,
        inputs);
  }

  static ModelVersion modelVersion(JsonNode node) {
    List<String> aliases = new ArrayList<>();
    node.path("aliases").forEach(alias -> aliases.add(alias.asText()));
    return new ModelVersion(
        Json.text(node, "name"),
        Json.text(node, "version"),
        Json.text(node, "source"),
        Json.text(node, "run_id"),
        Json.text(node, "status"),
        aliases,
        Json.number(node, "creation_timestamp"));
  }

  static Metric metric(JsonNode node) {
    JsonNode value = node.get("value");
    double v = value == null || value.isNull() ? Double.NaN : parseDouble(value);
    return new Metric(
        Json.text(node, "key"), v, Json.number(node, "timestamp"), Json.number(node, "step"));
  }

  private static double parseDouble(JsonNode value) {
    if (value.isNumber()) {
      return value.doubleValue();
    }
    return switch (value.asText()) {
      case "NaN" -> Double.NaN;
      case "Infinity" -> Double.POSITIVE_INFINITY;
      case "-Infinity" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(value.asText());
    };
  }

  private static RunStatus status(String text) {
    try {
      return text.isEmpty() ? RunStatus.RUNNING : RunStatus.valueOf(text);
    } catch (IllegalArgumentException unknown) {
      return RunStatus.RUNNING;
    }
  }
}
