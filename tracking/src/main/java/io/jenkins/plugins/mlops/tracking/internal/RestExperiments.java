package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.Experiments;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import java.util.Map;
import java.util.Optional;

/** {@link Experiments} over MLflow's REST API. */
final class RestExperiments implements Experiments {

  private final RestTransport rest;

  RestExperiments(RestTransport rest) {
    this.rest = rest;
  }

  @Override
  public Experiment getOrCreate(String name) {
    requireName(name);
    Optional<Experiment> existing = findByName(name);
    if (existing.isPresent()) {
      return active(existing.get());
    }
    ObjectNode body = Json.object();
    body.put("name", name);
    try {
      String id = Json.text(rest.post("experiments/create", body), "experiment_id");
      return get(id);
    } catch (MlflowException e) {
      if (!e.errorCode().equals("RESOURCE_ALREADY_EXISTS")) {
        throw e;
      }
      // Another build created it between our lookup and our create: use theirs.
      return active(findByName(name).orElseThrow(() -> e));
    }
  }

  @Override
  public Optional<Experiment> findByName(String name) {
    requireName(name);
    try {
      JsonNode answer = rest.get("experiments/get-by-name", Map.of("experiment_name", name));
      return Optional.of(RunJson.experiment(answer.path("experiment")));
    } catch (MlflowException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public Experiment get(String id) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("experiment id may not be blank");
    }
    return RunJson.experiment(
        rest.get("experiments/get", Map.of("experiment_id", id)).path("experiment"));
  }

  /** The experiment if it is active; a deleted one cannot take new runs. */
  static Experiment active(Experiment experiment) {
    if (!experiment.lifecycleStage().equals("active")) {
      throw new MlflowException(
          "experiment '"
              + experiment.name()
              + "' (id "
              + experiment.id()
              + ") is deleted: restore it in MLflow or choose another name",
          400,
          "INVALID_STATE",
          "restore the experiment or choose another name",
          null);
    }
    return experiment;
  }

  private static void requireName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("experiment name may not be blank");
    }
  }
}
