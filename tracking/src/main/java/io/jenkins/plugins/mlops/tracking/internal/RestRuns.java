package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.tracking.DatasetInput;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunQuery;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import io.jenkins.plugins.mlops.tracking.Runs;
import io.jenkins.plugins.mlops.tracking.RunsPage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link Runs} over MLflow's REST API. */
final class RestRuns implements Runs {

  private static final int HISTORY_PAGE = 25_000;

  private final RestTransport rest;
  private final Spool spool;
  private final BatchSender sender;

  RestRuns(RestTransport rest, Spool spool, BatchSender sender) {
    this.rest = rest;
    this.spool = spool;
    this.sender = sender;
  }

  @Override
  public Run create(NewRun run) {
    Map<String, String> tags = run.effectiveTags();
    tags.forEach(RestRuns::checkTag);
    ObjectNode body = Json.object();
    body.put("experiment_id", run.experimentId());
    if (!run.runName().isEmpty()) {
      body.put("run_name", run.runName());
    }
    body.put("start_time", run.startTime());
    ArrayNode tagList = body.putArray("tags");
    tags.forEach((k, v) -> tagList.add(BatchSplitter.keyValue(k, v)));
    return RunJson.run(rest.post("runs/create", body).path("run"));
  }

  @Override
  public Run get(String runId) {
    requireRunId(runId);
    return RunJson.run(rest.get("runs/get", Map.of("run_id", runId)).path("run"));
  }

  @Override
  public void terminate(String runId, RunStatus status, long endTime) {
    requireRunId(runId);
    if (!status.isTerminal()) {
      throw new IllegalArgumentException(
          "status (" + status + ") must be a final one: FINISHED, FAILED or KILLED");
    }
    // The final status follows the data: what waits in the spool is delivered first. If the server
    // is still unreachable, this throws and the run keeps its status, and the spool its requests.
    if (spool.pending(runId) > 0) {
      spool.drain(runId, sender::send);
    }
    ObjectNode body = Json.object();
    body.put("run_id", runId);
    body.put("status", status.name());
    body.put("end_time", endTime);
    rest.post("runs/update", body);
  }

  @Override
  public RunsPage search(RunQuery query) {
    ObjectNode body = Json.object();
    ArrayNode ids = body.putArray("experiment_ids");
    query.experimentIds().forEach(ids::add);
    if (!query.filter().isEmpty()) {
      body.put("filter", query.filter());
    }
    body.put("max_results", query.maxResults());
    ArrayNode order = body.putArray("order_by");
    query.orderBy().forEach(order::add);
    if (!query.pageToken().isEmpty()) {
      body.put("page_token", query.pageToken());
    }
    JsonNode answer = rest.post("runs/search", body);
    List<Run> runs = new ArrayList<>();
    for (JsonNode run : answer.path("runs")) {
      runs.add(RunJson.run(run));
    }
    return new RunsPage(runs, Json.text(answer, "next_page_token"));
  }

  @Override
  public void logParam(String runId, String key, String value) {
    requireRunId(runId);
    checkParam(key, value);
    rest.post("runs/log-parameter", keyValueBody(runId, key, value));
  }

  @Override
  public void setTag(String runId, String key, String value) {
    requireRunId(runId);
    checkTag(key, value);
    rest.post("runs/set-tag", keyValueBody(runId, key, value));
  }

  @Override
  public void deleteTag(String runId, String key) {
    requireRunId(runId);
    Keys.require("tag", key);
    ObjectNode body = Json.object();
    body.put("run_id", runId);
    body.put("key", key);
    try {
      rest.post("runs/delete-tag", body);
    } catch (MlflowException e) {
      // MLflow answers RESOURCE_DOES_NOT_EXIST ("No tag with name ...") for a tag that is not set;
      // the run itself was checked by requireRunId's caller or is reported the same way.
      if (!e.isNotFound() || !e.getMessage().contains("tag")) {
        throw e;
      }
    }
  }

  @Override
  public void logMetric(String runId, Metric metric) {
    logBatch(runId, List.of(metric), Map.of(), Map.of());
  }

  @Override
  public void logBatch(
      String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {
    checkBatch(runId, metrics, params, tags);
    for (ObjectNode body :
        BatchSplitter.split(
            runId, metrics, new LinkedHashMap<>(params), new LinkedHashMap<>(tags))) {
      rest.post("runs/log-batch", body);
    }
  }

  @Override
  public void logInputs(String runId, List<DatasetInput> datasets) {
    requireRunId(runId);
    ObjectNode body = Json.object();
    body.put("run_id", runId);
    ArrayNode list = body.putArray("datasets");
    for (DatasetInput input : datasets) {
      ObjectNode entry = list.addObject();
      ArrayNode tags = entry.putArray("tags");
      if (!input.context().isEmpty()) {
        tags.add(BatchSplitter.keyValue(RunJson.CONTEXT_TAG, input.context()));
      }
      ObjectNode dataset = entry.putObject("dataset");
      dataset.put("name", input.name());
      dataset.put("digest", input.digest());
      dataset.put("source_type", input.sourceType());
      dataset.put("source", input.source());
      if (!input.schema().isEmpty()) {
        dataset.put("schema", input.schema());
      }
      if (!input.profile().isEmpty()) {
        dataset.put("profile", input.profile());
      }
    }
    rest.post("runs/log-inputs", body);
  }

  @Override
  public List<Metric> metricHistory(String runId, String key) {
    requireRunId(runId);
    Keys.require("metric", key);
    List<Metric> points = new ArrayList<>();
    String token = "";
    do {
      Map<String, String> query = new LinkedHashMap<>();
      query.put("run_id", runId);
      query.put("metric_key", key);
      query.put("max_results", Integer.toString(HISTORY_PAGE));
      if (!token.isEmpty()) {
        query.put("page_token", token);
      }
      JsonNode answer = rest.get("metrics/get-history", query);
      for (JsonNode metric : answer.path("metrics")) {
        points.add(RunJson.metric(metric));
      }
      token = Json.text(answer, "next_page_token");
    } while (!token.isEmpty());
    return points;
  }

  /** The body of {@code log-parameter} and {@code set-tag}: {@code {run_id, key, value}}. */
  static ObjectNode keyValueBody(String runId, String key, String value) {
    ObjectNode body = BatchSplitter.keyValue(key, value);
    body.put("run_id", runId);
    return body;
  }

  /** Checks every key and value of a batch before anything is sent or written. */
  static void checkBatch(
      String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {
    requireRunId(runId);
    metrics.forEach(m -> Keys.require("metric", m.key()));
    params.forEach(RestRuns::checkParam);
    tags.forEach(RestRuns::checkTag);
  }

  static void requireRunId(String runId) {
    if (runId == null || runId.isBlank()) {
      throw new IllegalArgumentException("run id may not be blank");
    }
  }

  static void checkParam(String key, String value) {
    Keys.require("param", key);
    checkValue("param", key, value, Keys.MAX_PARAM_VALUE_LENGTH);
  }

  static void checkTag(String key, String value) {
    Keys.require("tag", key);
    checkValue("tag", key, value, Keys.MAX_TAG_VALUE_LENGTH);
  }

  private static void checkValue(String kind, String key, String value, int limit) {
    if (value == null) {
      throw new IllegalArgumentException(kind + " '" + key + "' has no value");
    }
    if (value.length() > limit) {
      throw new IllegalArgumentException(
          kind
              + " '"
              + key
              + "' has a value of "
              + value.length()
              + " characters; MLflow allows at most "
              + limit);
    }
  }
}
