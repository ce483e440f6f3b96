package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.ModelRegistry;
import io.jenkins.plugins.mlops.tracking.ModelVersion;
import io.jenkins.plugins.mlops.tracking.RegisteredModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@link ModelRegistry} over MLflow's REST API. */
final class RestModelRegistry implements ModelRegistry {

  private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9_-]{1,255}");
  private static final Pattern RESERVED = Pattern.compile("latest|v\\d+", Pattern.CASE_INSENSITIVE);
  private static final Duration READY_LIMIT = Duration.ofMinutes(5);

  private final RestTransport rest;
  private final RestTransport.Sleeper sleeper;

  RestModelRegistry(RestTransport rest, RestTransport.Sleeper sleeper) {
    this.rest = rest;
    this.sleeper = sleeper;
  }

  @Override
  public void createIfMissing(String name) {
    requireName(name);
    ObjectNode body = Json.object();
    body.put("name", name);
    try {
      rest.post("registered-models/create", body);
    } catch (MlflowException e) {
      if (!e.errorCode().equals("RESOURCE_ALREADY_EXISTS")) {
        throw e;
      }
    }
  }

  @Override
  public ModelVersion createVersion(String name, String source, String runId) {
    requireName(name);
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException(
          "model version source may not be blank (e.g. runs:/<id>/model)");
    }
    ObjectNode body = Json.object();
    body.put("name", name);
    body.put("source", source);
    if (runId != null && !runId.isBlank()) {
      body.put("run_id", runId);
    }
    ModelVersion version =
        RunJson.modelVersion(rest.post("model-versions/create", body).path("model_version"));
    return awaitReady(version);
  }

  @Override
  public ModelVersion getVersion(String name, String version) {
    requireName(name);
    if (version == null || !version.matches("\\d+")) {
      throw new IllegalArgumentException("model version (" + version + ") must be a number");
    }
    return RunJson.modelVersion(
        rest.get("model-versions/get", Map.of("name", name, "version", version))
            .path("model_version"));
  }

  @Override
  public void setAlias(String name, String alias, String version) {
    requireName(name);
    requireAlias(alias);
    ObjectNode body = Json.object();
    body.put("name", name);
    body.put("alias", alias);
    body.put("version", version);
    rest.post("registered-models/alias", body);
  }

  @Override
  public Optional<ModelVersion> getByAlias(String name, String alias) {
    requireName(name);
    requireAlias(alias);
    try {
      return Optional.of(
          RunJson.modelVersion(
              rest.get("registered-models/alias", Map.of("name", name, "alias", alias))
                  .path("model_version")));
    } catch (MlflowException e) {
      // A missing alias is a 400 INVALID_PARAMETER_VALUE "... alias ... not found"; a missing model
      // is RESOURCE_DOES_NOT_EXIST: both mean "no version holds this alias".
      if (e.isNotFound() || (e.status() == 400 && e.getMessage().contains("not found"))) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public Optional<RegisteredModel> getModel(String name) {
    requireName(name);
    JsonNode model;
    try {
      model = rest.get("registered-models/get", Map.of("name", name)).path("registered_model");
    } catch (MlflowException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
    Map<String, String> aliases = new LinkedHashMap<>();
    model.path("aliases").forEach(a -> aliases.put(Json.text(a, "alias"), Json.text(a, "version")));
    return Optional.of(new RegisteredModel(Json.text(model, "name"), aliases));
  }

  @Override
  public List<String> modelNames() {
    List<String> names = new ArrayList<>();
    String token = "";
    do {
      Map<String, String> query = new LinkedHashMap<>();
      query.put("max_results", "1000");
      if (!token.isEmpty()) {
        query.put("page_token", token);
      }
      JsonNode answer = rest.get("registered-models/search", query);
      answer.path("registered_models").forEach(m -> names.add(Json.text(m, "name")));
      token = Json.text(answer, "next_page_token");
    } while (!token.isEmpty());
    return names;
  }

  @Override
  public void deleteAlias(String name, String alias) {
    requireName(name);
    requireAlias(alias);
    ObjectNode body = Json.object();
    body.put("name", name);
    body.put("alias", alias);
    rest.delete("registered-models/alias", body);
  }

  private ModelVersion awaitReady(ModelVersion version) {
    Instant deadline = Instant.now().plus(READY_LIMIT);
    ModelVersion current = version;
    while (current.status().equals("PENDING_REGISTRATION") && Instant.now().isBefore(deadline)) {
      try {
        sleeper.sleep(Duration.ofSeconds(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return current;
      }
      current = getVersion(current.name(), current.version());
    }
    if (current.status().equals("FAILED_REGISTRATION")) {
      throw new MlflowException(
          "model " + current.name() + " version " + current.version() + " failed to register",
          0,
          "FAILED_REGISTRATION",
          "see the MLflow server's log",
          null);
    }
    return current;
  }

  private static void requireName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("registered model name may not be blank");
    }
  }

  static void requireAlias(String alias) {
    if (alias == null || !ALIAS.matcher(alias).matches()) {
      throw new IllegalArgumentException(
          "alias (" + alias + ") must be 1 to 255 letters, digits, '_' or '-'");
    }
    if (RESERVED.matcher(alias).matches()) {
      throw new IllegalArgumentException(
          "alias (" + alias + ") is reserved by MLflow ('latest' and 'v<number>' are)");
    }
  }
}
