package io.jenkins.plugins.mlops.steps.gate;

import java.nio.file.Path;
import java.util.List;

/**
 * What a gate checks.
 *
 * @param candidateRunId the MLflow run of the candidate model
 * @param conditions the conditions (see {@link Conditions}), checked together before anything is
 *     read
 * @param baseline {@code models:/<name>@<alias>}, {@code models:/<name>/<version>}, a run id
 *     ({@code run:<id>} or the bare id), or {@code best:<experiment>:<metric>[:max|min]}; null for
 *     none
 * @param failWithoutBaseline whether conditions that need a baseline fail when there is none (a
 *     first run); by default they are reported as not checked and the absolute ones decide
 * @param reportDir where {@code gate-report.json/.md/.html} and the {@code BLESSED} or {@code
 *     NOT_BLESSED} marker go; null for none
 */
public record GateSpec(
    String candidateRunId,
    List<Condition> conditions,
    String baseline,
    boolean failWithoutBaseline,
    Path reportDir) {

  public GateSpec {
    if (candidateRunId == null || candidateRunId.isBlank()) {
      throw new IllegalArgumentException("the candidate run id is required");
    }
    conditions = List.copyOf(conditions);
    Conditions.checkTogether(conditions);
    if (baseline != null && baseline.isBlank()) {
      baseline = null;
    }
    if (baseline != null) {
      Baselines.parse(baseline);
    }
  }
}
