package io.jenkins.plugins.mlops.steps;

import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.ModelVersion;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Lookups in MLflow where "not there" is an answer, not an error: a run that does not exist or is
 * deleted, an alias (or its model) that does not exist yet. Other failures still throw.
 */
public final class MlflowLookup {

  private MlflowLookup() {}

  /** The run {@code runId}; empty when it does not exist or is deleted. */
  public static Optional<Run> liveRun(TrackingClient client, String runId) {
    return orEmpty(() -> client.runs().get(runId))
        .filter(run -> !"deleted".equals(run.info().lifecycleStage()));
  }

  /** The version {@code alias} of model {@code name} points at; empty when either is missing. */
  public static Optional<ModelVersion> alias(TrackingClient client, String name, String alias) {
    return orEmpty(() -> client.registry().getByAlias(name, alias).orElse(null));
  }

  private static <T> Optional<T> orEmpty(Supplier<T> lookup) {
    try {
      return Optional.ofNullable(lookup.get());
    } catch (MlflowException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }
}
