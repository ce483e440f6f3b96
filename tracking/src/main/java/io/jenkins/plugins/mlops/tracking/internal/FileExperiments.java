package io.jenkins.plugins.mlops.tracking.internal;

import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.Experiments;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@link Experiments} in MLflow's file store. */
final class FileExperiments implements Experiments {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final FileStore store;

  FileExperiments(FileStore store) {
    this.store = store;
  }

  @Override
  public Experiment getOrCreate(String name) {
    requireName(name);
    return store.locked(
        () -> {
          Optional<Experiment> existing = findByName(name);
          if (existing.isPresent()) {
            return RestExperiments.active(existing.get());
          }
          String id = newId();
          Path dir = store.root().resolve(id);
          long now = System.currentTimeMillis();
          Map<String, Object> meta = new LinkedHashMap<>();
          meta.put("artifact_location", FileStore.fileUri(dir));
          meta.put("creation_time", now);
          meta.put("experiment_id", id);
          meta.put("last_update_time", now);
          meta.put("lifecycle_stage", "active");
          meta.put("name", name);
          MiniYaml.write(dir.resolve("meta.yaml"), meta);
          return read(dir);
        });
  }

  @Override
  public Optional<Experiment> findByName(String name) {
    requireName(name);
    store.ensureCreated();
    for (Path dir : store.experimentDirs()) {
      Experiment experiment = read(dir);
      if (experiment.name().equals(name)) {
        return Optional.of(experiment);
      }
    }
    return Optional.empty();
  }

  @Override
  public Experiment get(String id) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("experiment id may not be blank");
    }
    store.ensureCreated();
    return read(
        store
            .experimentDir(id)
            .orElseThrow(() -> FileStore.notFound("No Experiment with id=" + id + " exists")));
  }

  static Experiment read(Path dir) {
    Map<String, Object> meta = MiniYaml.read(dir.resolve("meta.yaml"));
    Map<String, String> tags = new LinkedHashMap<>();
    FileStore.files(dir.resolve("tags"))
        .forEach((key, file) -> tags.put(key, FileStore.readValue(file).orElse("")));
    return new Experiment(
        MiniYaml.text(meta, "experiment_id"),
        MiniYaml.text(meta, "name"),
        MiniYaml.text(meta, "artifact_location"),
        MiniYaml.text(meta, "lifecycle_stage"),
        tags);
  }

  /** A random 18-digit id, as MLflow's file store makes them. */
  private String newId() {
    while (true) {
      long id = 100_000_000_000_000_000L + (long) (RANDOM.nextDouble() * 899_999_999_999_999_999L);
      if (store.experimentDir(Long.toString(id)).isEmpty()) {
        return Long.toString(id);
      }
    }
  }

  private static void requireName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("experiment name may not be blank");
    }
  }
}
