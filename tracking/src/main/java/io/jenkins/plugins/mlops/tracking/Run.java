package io.jenkins.plugins.mlops.tracking;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A run with its data.
 *
 * @param info identity and state
 * @param params parameters by key
 * @param tags tags by key (MLflow's own {@code mlflow.*} tags included)
 * @param metrics the latest point of each metric, by key
 * @param inputs the datasets the run logged as inputs
 */
public record Run(
    RunInfo info,
    Map<String, String> params,
    Map<String, String> tags,
    Map<String, Metric> metrics,
    List<DatasetInput> inputs) {

  public Run {
    Objects.requireNonNull(info, "info");
    params = Map.copyOf(params);
    tags = Map.copyOf(tags);
    metrics = Map.copyOf(metrics);
    inputs = List.copyOf(inputs);
  }

  /** The run id. */
  public String id() {
    return info.runId();
  }

  /** The latest value of {@code key}, if the run has that metric. */
  public Optional<Double> latest(String key) {
    return Optional.ofNullable(metrics.get(key)).map(Metric::value);
  }
}
