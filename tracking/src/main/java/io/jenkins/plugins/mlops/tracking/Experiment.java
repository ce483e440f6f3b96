package io.jenkins.plugins.mlops.tracking;

import java.util.Map;
import java.util.Objects;

/**
 * An MLflow experiment.
 *
 * @param id the experiment id
 * @param name its unique name
 * @param artifactLocation where its runs' artifacts go (e.g. {@code mlflow-artifacts:/1})
 * @param lifecycleStage {@code active} or {@code deleted}
 * @param tags its tags
 */
public record Experiment(
    String id,
    String name,
    String artifactLocation,
    String lifecycleStage,
    Map<String, String> tags) {

  public Experiment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    artifactLocation = artifactLocation == null ? "" : artifactLocation;
    lifecycleStage = lifecycleStage == null ? "active" : lifecycleStage;
    tags = Map.copyOf(tags);
  }
}
