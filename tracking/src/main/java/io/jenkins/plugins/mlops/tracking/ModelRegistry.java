package io.jenkins.plugins.mlops.tracking;

import java.util.List;
import java.util.Optional;

/**
 * MLflow's model registry: registered models, versions, and aliases (the successor of stages, e.g.
 * {@code champion}). Alias names are letters, digits, {@code _} and {@code -}, at most 255
 * characters, and neither {@code latest} nor {@code v<digits>}.
 */
public interface ModelRegistry {

  /** Creates the registered model {@code name} unless it exists; safe when builds race. */
  void createIfMissing(String name);

  /**
   * Registers a new version of {@code name} from {@code source} (e.g. {@code runs:/<id>/model}).
   *
   * @param runId the run the version comes from (may be empty)
   */
  ModelVersion createVersion(String name, String source, String runId);

  /** The version {@code version} of {@code name}. */
  ModelVersion getVersion(String name, String version);

  /**
   * Points {@code alias} of {@code name} at {@code version} (moving it if it pointed elsewhere).
   */
  void setAlias(String name, String alias, String version);

  /** The version {@code alias} points at, if it is set. */
  Optional<ModelVersion> getByAlias(String name, String alias);

  /** The registered model {@code name} with its aliases; empty when there is no such model. */
  Optional<RegisteredModel> getModel(String name);

  /** The names of every registered model (for "did you mean …?" when a name is not found). */
  List<String> modelNames();

  /** Removes {@code alias} from {@code name}; removing an alias that is not set is not an error. */
  void deleteAlias(String name, String alias);
}
