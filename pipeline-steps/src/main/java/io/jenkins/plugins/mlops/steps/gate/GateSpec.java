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
 *     none, which only a gate without change conditions may have
 * @param allowFirstRun whether a baseline that does not exist at all (its registered model, or the
 *     experiment of {@code best:} or any finished run in it) counts as a first run, whose change
 *     conditions are reported as not checked while the absolute ones decide. False by default, as
 *     MLflow fails change thresholds without a baseline: then they fail, so that a misspelt model
 *     name never passes a gate
 * @param reportDir where {@code gate-report.json/.md/.html} and the {@code BLESSED} or {@code
 *     NOT_BLESSED} marker go; null for none
 */
public record GateSpec(
    String candidateRunId,
    List<Condition> conditions,
    String baseline,
    boolean allowFirstRun,
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
    } else {
      List<String> relative =
          conditions.stream().filter(Condition::needsBaseline).map(Condition::text).toList();
      if (!relative.isEmpty()) {
        throw new IllegalArgumentException(
            "baseline is required: "
                + String.join(", ", relative)
                + (relative.size() == 1 ? " compares" : " compare")
                + " with a baseline; give one (e.g. models:/<name>@champion) or drop"
                + (relative.size() == 1 ? " it" : " them"));
      }
    }
  }
}
