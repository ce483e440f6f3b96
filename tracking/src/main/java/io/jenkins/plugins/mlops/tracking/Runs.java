package io.jenkins.plugins.mlops.tracking;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MLflow runs and what is logged into them. Direct calls here are synchronous and validate their
 * input first (a bad key or an over-long value is an {@link IllegalArgumentException} naming it);
 * {@link #logBatch} splits its input into requests within every server limit.
 */
public interface Runs {

  /** Creates a run (see {@link NewRun} for the tags it sets). */
  Run create(NewRun run);

  /**
   * The run with {@code runId}, with its params, tags and latest metrics.
   *
   * @throws MlflowException ({@link MlflowException#isNotFound()}) when there is none
   */
  Run get(String runId);

  /** Ends the run with {@code status} at {@code endTime} (milliseconds since the epoch). */
  void terminate(String runId, RunStatus status, long endTime);

  /** One page of runs matching {@code query}. */
  RunsPage search(RunQuery query);

  /** Every run matching {@code query}, all pages. */
  default List<Run> searchAll(RunQuery query) {
    List<Run> all = new ArrayList<>();
    RunsPage page = search(query);
    all.addAll(page.runs());
    while (page.hasNext()) {
      page = search(query.page(page.nextPageToken()));
      all.addAll(page.runs());
    }
    return all;
  }

  /** Logs a parameter; logging the same value again is accepted, a different one is an error. */
  void logParam(String runId, String key, String value);

  /** Sets a tag (a later value replaces an earlier one). */
  void setTag(String runId, String key, String value);

  /** Removes a tag; removing a tag the run does not have is not an error. */
  void deleteTag(String runId, String key);

  /** Logs one metric point. */
  void logMetric(String runId, Metric metric);

  /** Logs metrics, params and tags in as few requests as the server's limits allow. */
  void logBatch(
      String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags);

  /** Records the datasets the run used ({@code runs/log-inputs}). */
  void logInputs(String runId, List<DatasetInput> datasets);

  /** Every point of metric {@code key}, in the server's order (by step, then time). */
  List<Metric> metricHistory(String runId, String key);
}
