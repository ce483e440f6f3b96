package io.jenkins.plugins.mlops.tracking.internal;

import io.jenkins.plugins.mlops.tracking.ModelRegistry;
import io.jenkins.plugins.mlops.tracking.ModelVersion;
import io.jenkins.plugins.mlops.tracking.RegisteredModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link ModelRegistry} in MLflow's file store: {@code models/<name>/meta.yaml}, one {@code
 * version-<n>/meta.yaml} per version (the version an integer), and one file per alias in {@code
 * aliases/} holding the version number.
 */
final class FileModelRegistry implements ModelRegistry {

  private final FileStore store;

  FileModelRegistry(FileStore store) {
    this.store = store;
  }

  @Override
  public void createIfMissing(String name) {
    Path dir = modelDir(name);
    store.locked(
        () -> {
          if (!Files.exists(dir.resolve("meta.yaml"))) {
            long now = System.currentTimeMillis();
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("creation_timestamp", now);
            meta.put("description", "");
            meta.put("last_updated_timestamp", now);
            meta.put("name", name);
            MiniYaml.write(dir.resolve("meta.yaml"), meta);
          }
          return null;
        });
  }

  @Override
  public ModelVersion createVersion(String name, String source, String runId) {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException(
          "model version source may not be blank (e.g. runs:/<id>/model)");
    }
    Path dir = modelDir(name);
    if (!Files.exists(dir.resolve("meta.yaml"))) {
      throw FileStore.notFound("Registered Model with name=" + name + " not found");
    }
    String version =
        store.locked(
            () -> {
              int next = versions(dir).stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
              long now = System.currentTimeMillis();
              Map<String, Object> meta = new LinkedHashMap<>();
              meta.put("creation_timestamp", now);
              meta.put("current_stage", "None");
              meta.put("description", "");
              meta.put("last_updated_timestamp", now);
              meta.put("name", name);
              meta.put("run_id", runId == null ? "" : runId);
              meta.put("run_link", "");
              meta.put("source", source);
              meta.put("status", "READY");
              meta.put("status_message", "");
              meta.put("storage_location", source);
              meta.put("user_id", "");
              meta.put("version", next);
              MiniYaml.write(dir.resolve("version-" + next).resolve("meta.yaml"), meta);
              return Integer.toString(next);
            });
    return getVersion(name, version);
  }

  @Override
  public ModelVersion getVersion(String name, String version) {
    if (version == null || !version.matches("\\d+")) {
      throw new IllegalArgumentException("model version (" + version + ") must be a number");
    }
    Path dir = modelDir(name);
    Path meta = dir.resolve("version-" + version).resolve("meta.yaml");
    if (!Files.exists(meta)) {
      throw FileStore.notFound(
          "Model Version (name=" + name + ", version=" + version + ") not found");
    }
    Map<String, Object> values = MiniYaml.read(meta);
    List<String> aliases = new ArrayList<>();
    FileStore.files(dir.resolve("aliases"))
        .forEach(
            (alias, file) -> {
              if (FileStore.readValue(file).orElse("").equals(version)) {
                aliases.add(alias);
              }
            });
    return new ModelVersion(
        name,
        version,
        MiniYaml.text(values, "source"),
        MiniYaml.text(values, "run_id"),
        MiniYaml.text(values, "status"),
        aliases,
        MiniYaml.number(values, "creation_timestamp"));
  }

  @Override
  public void setAlias(String name, String alias, String version) {
    RestModelRegistry.requireAlias(alias);
    getVersion(name, version);
    Path dir = modelDir(name);
    FileStore.writeValue(dir.resolve("aliases").resolve(alias), version, dir);
  }

  @Override
  public Optional<ModelVersion> getByAlias(String name, String alias) {
    RestModelRegistry.requireAlias(alias);
    return FileStore.readValue(modelDir(name).resolve("aliases").resolve(alias))
        .map(version -> getVersion(name, version));
  }

  @Override
  public Optional<RegisteredModel> getModel(String name) {
    Path dir = modelDir(name);
    if (!Files.exists(dir.resolve("meta.yaml"))) {
      return Optional.empty();
    }
    Map<String, String> aliases = new LinkedHashMap<>();
    FileStore.files(dir.resolve("aliases"))
        .forEach((alias, file) -> FileStore.readValue(file).ifPresent(v -> aliases.put(alias, v)));
    return Optional.of(new RegisteredModel(name, aliases));
  }

  @Override
  public List<String> modelNames() {
    List<String> names = new ArrayList<>();
    for (Path dir : FileStore.subdirs(store.root().resolve("models"))) {
      if (Files.exists(dir.resolve("meta.yaml"))) {
        names.add(dir.getFileName().toString());
      }
    }
    return names;
  }

  @Override
  public void deleteAlias(String name, String alias) {
    RestModelRegistry.requireAlias(alias);
    try {
      Files.deleteIfExists(modelDir(name).resolve("aliases").resolve(alias));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path modelDir(String name) {
    if (name == null
        || name.isBlank()
        || name.contains("/")
        || name.contains("\\")
        || name.contains(":")
        || name.contains("%")
        || name.startsWith(".")) {
      throw new IllegalArgumentException(
          "registered model name (" + name + ") may not be blank or contain '/', '\\', ':' or '%'");
    }
    return store.root().resolve("models").resolve(name);
  }

  private static List<Integer> versions(Path dir) {
    List<Integer> versions = new ArrayList<>();
    for (Path sub : FileStore.subdirs(dir)) {
      String n = sub.getFileName().toString();
      if (n.matches("version-\\d+")) {
        versions.add(Integer.parseInt(n.substring("version-".length())));
      }
    }
    return versions;
  }
}
