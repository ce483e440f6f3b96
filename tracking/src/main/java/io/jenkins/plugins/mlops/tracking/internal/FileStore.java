package io.jenkins.plugins.mlops.tracking.internal;

import io.jenkins.plugins.mlops.tracking.MlflowException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The folders and files of MLflow's file store ({@code mlruns}), as MLflow 3 reads them: numeric
 * experiment folders with {@code meta.yaml}, run folders named by a 32-hex id holding {@code
 * meta.yaml}, {@code metrics/}, {@code params/}, {@code tags/}, {@code artifacts/}, {@code
 * inputs/}; datasets under the experiment; the model registry under {@code models/}. Values are
 * written to a temporary file in a folder MLflow ignores, then renamed into place. Cross-process
 * changes that must not race (new ids, versions) hold a lock file in the root.
 */
final class FileStore {

  static final String DEFAULT_EXPERIMENT = "0";
  private static final Object JVM_LOCK = new Object();

  private final Path root;

  FileStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  Path root() {
    return root;
  }

  /** Creates the store as MLflow would: the Default experiment and the trash folder. */
  void ensureCreated() {
    Path defaultMeta = root.resolve(DEFAULT_EXPERIMENT).resolve("meta.yaml");
    if (Files.exists(defaultMeta)) {
      return;
    }
    locked(
        () -> {
          if (!Files.exists(defaultMeta)) {
            long now = System.currentTimeMillis();
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("artifact_location", fileUri(root.resolve(DEFAULT_EXPERIMENT)));
            meta.put("creation_time", now);
            meta.put("experiment_id", DEFAULT_EXPERIMENT);
            meta.put("last_update_time", now);
            meta.put("lifecycle_stage", "active");
            meta.put("name", "Default");
            MiniYaml.write(defaultMeta, meta);
            createDirectories(root.resolve(".trash"));
          }
          return null;
        });
  }

  /** Runs {@code body} holding this store's lock, against other threads and processes. */
  <T> T locked(Supplier<T> body) {
    synchronized (JVM_LOCK) {
      createDirectories(root);
      try (FileChannel channel =
              FileChannel.open(
                  root.resolve("mlops.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        return body.get();
      } catch (IOException e) {
        throw new UncheckedIOException("could not lock " + root + ": " + e.getMessage(), e);
      }
    }
  }

  /** The experiment folders (active ones in the root, deleted ones in {@code .trash}). */
  List<Path> experimentDirs() {
    List<Path> dirs = new ArrayList<>();
    for (Path parent : List.of(root, root.resolve(".trash"))) {
      for (Path dir : subdirs(parent)) {
        if (dir.getFileName().toString().matches("\\d+")
            && Files.exists(dir.resolve("meta.yaml"))) {
          dirs.add(dir);
        }
      }
    }
    return dirs;
  }

  Optional<Path> experimentDir(String id) {
    if (!id.matches("\\d+")) {
      return Optional.empty();
    }
    for (Path parent : List.of(root, root.resolve(".trash"))) {
      Path dir = parent.resolve(id);
      if (Files.exists(dir.resolve("meta.yaml"))) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  /** The folder of run {@code runId}, or a not-found error in MLflow's words. */
  Path runDir(String runId) {
    if (runId.matches("[0-9a-f]{32}")) {
      for (Path experiment : experimentDirs()) {
        Path dir = experiment.resolve(runId);
        if (Files.exists(dir.resolve("meta.yaml"))) {
          return dir;
        }
      }
    }
    throw notFound("Run '" + runId + "' not found");
  }

  List<Path> runDirs(Path experimentDir) {
    List<Path> runs = new ArrayList<>();
    for (Path dir : subdirs(experimentDir)) {
      if (dir.getFileName().toString().matches("[0-9a-f]{32}")
          && Files.exists(dir.resolve("meta.yaml"))) {
        runs.add(dir);
      }
    }
    return runs;
  }

  /**
   * Writes {@code value} to {@code file} (no trailing newline), through a temporary in {@code
   * tempDir}.
   */
  static void writeValue(Path file, String value, Path tempDir) {
    try {
      createDirectories(file.getParent());
      Path temp = Files.createTempFile(tempDir, "value-", ".tmp");
      Files.writeString(temp, value, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
    }
  }

  static Optional<String> readValue(Path file) {
    try {
      return Files.isRegularFile(file)
          ? Optional.of(Files.readString(file, StandardCharsets.UTF_8))
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Every file under {@code dir}, by its '/'-separated path relative to {@code dir}. */
  static Map<String, Path> files(Path dir) {
    Map<String, Path> files = new LinkedHashMap<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile)
          .sorted()
          .forEach(f -> files.put(dir.relativize(f).toString().replace('\\', '/'), f));
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + dir + ": " + e.getMessage(), e);
    }
    return files;
  }

  static List<Path> subdirs(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("could not list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The entries of {@code dir}, sorted by name ({@code dir} missing: none). */
  static List<Path> subdirsAndFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("could not list " + dir + ": " + e.getMessage(), e);
    }
  }

  static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create " + dir + ": " + e.getMessage(), e);
    }
  }

  static String fileUri(Path path) {
    return path.toAbsolutePath().normalize().toUri().toString().replaceAll("/$", "");
  }

  static String md5(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every Java runtime", e);
    }
  }

  static MlflowException notFound(String message) {
    return new MlflowException(message, 404, "RESOURCE_DOES_NOT_EXIST", "", null);
  }

  static MlflowException invalid(String message) {
    return new MlflowException(message, 400, "INVALID_PARAMETER_VALUE", "", null);
  }
}
