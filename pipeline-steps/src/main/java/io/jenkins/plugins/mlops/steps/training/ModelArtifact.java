package io.jenkins.plugins.mlops.steps.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The model a job left in {@code MLOPS_OUTPUT_DIR}, uploaded as the run's {@code model} artifact
 * (what {@code promote} registers), for every launcher, unless the program logged one itself (the
 * built-in trainer does):
 *
 * <ul>
 *   <li>{@code model/} that is an MLflow Model (has {@code MLmodel}): as it is;
 *   <li>{@code model.keras}: as an MLflow Model with MLflow's own flavour for the Keras that saved
 *       it (read from the file's {@code metadata.json}): {@code tensorflow} with {@code tf_keras}
 *       for Keras 2, {@code keras} for Keras 3; both load with {@code mlflow.pyfunc};
 *   <li>any other {@code model/} directory or {@code model.*} file: the files as they are (no
 *       flavour is known for them; the console says so).
 * </ul>
 */
public final class ModelArtifact {

  /** The artifact path promote registers by default. */
  public static final String PATH = "model";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelArtifact() {}

  /**
   * Uploads the model of {@code outputDir} into {@code runId}'s {@code model} artifact.
   *
   * @return what was uploaded, in words, or null when there was nothing to upload
   */
  public static String upload(
      TrackingClient client, String runId, Path outputDir, Consumer<String> console) {
    if (!client.artifacts().list(runId, PATH).isEmpty()) {
      return null; // the program logged its model itself
    }
    Path dir = outputDir.resolve(PATH);
    Path keras = outputDir.resolve("model.keras");
    try {
      if (Files.isRegularFile(dir.resolve("MLmodel"))) {
        client.artifacts().uploadDirectory(runId, dir, PATH);
        return say(console, runId, "the MLflow Model " + dir);
      }
      if (Files.isRegularFile(keras)) {
        Path staged = Files.createTempDirectory("mlops-model-");
        try {
          String flavour = kerasModel(keras, staged);
          client.artifacts().uploadDirectory(runId, staged, PATH);
          return say(console, runId, keras + " as an MLflow Model (" + flavour + " flavour)");
        } finally {
          deleteTree(staged);
        }
      }
      List<Path> files = new ArrayList<>();
      if (Files.isDirectory(dir)) {
        client.artifacts().uploadDirectory(runId, dir, PATH);
        console.accept(
            "training job: " + dir + " has no MLmodel: uploaded as files, not an MLflow Model");
        return say(console, runId, dir + " (files, no MLflow flavour)");
      }
      try (Stream<Path> list = Files.list(outputDir)) {
        list.filter(p -> p.getFileName().toString().startsWith("model."))
            .filter(Files::isRegularFile)
            .sorted()
            .forEach(files::add);
      }
      if (files.isEmpty()) {
        console.accept(
            "training job: no model in "
                + outputDir
                + " (model/, model.keras or model.*): the run has no model artifact to promote");
        return null;
      }
      Path staged = Files.createTempDirectory("mlops-model-");
      try {
        for (Path f : files) {
          Files.copy(f, staged.resolve(f.getFileName()));
        }
        client.artifacts().uploadDirectory(runId, staged, PATH);
      } finally {
        deleteTree(staged);
      }
      console.accept(
          "training job: "
              + files.stream().map(p -> p.getFileName().toString()).toList()
              + " uploaded as files: no MLflow flavour is known for them");
      return say(console, runId, files.size() + " model file(s) of " + outputDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot upload the model of " + outputDir, e);
    }
  }

  private static String say(Consumer<String> console, String runId, String what) {
    String line = "uploaded " + what + " as the artifact " + PATH + "/ of run " + runId;
    console.accept("training job: " + line);
    return line;
  }

  /** Writes an MLflow Model around {@code keras} into {@code dir}; returns the flavour's name. */
  static String kerasModel(Path keras, Path dir) throws IOException {
    String version = kerasVersion(keras);
    boolean keras2 = version.startsWith("2.");
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.copy(keras, data.resolve("model.keras"));
    Files.writeString(
        data.resolve("keras_module.txt"), keras2 ? "tf_keras" : "keras", StandardCharsets.UTF_8);
    StringBuilder m = new StringBuilder("flavors:\n");
    if (keras2) {
      Files.writeString(data.resolve("save_format.txt"), "tf", StandardCharsets.UTF_8);
      m.append("  python_function:\n    data: data\n");
      env(m);
      m.append("    loader_module: mlflow.tensorflow\n");
      m.append("  tensorflow:\n    code: null\n    data: data\n");
      m.append("    keras_version: ").append(JSON.writeValueAsString(version)).append('\n');
      m.append("    model_type: keras\n    save_format: tf\n");
    } else {
      m.append("  keras:\n    data: data\n    keras_backend: tensorflow\n");
      m.append("    keras_version: ").append(JSON.writeValueAsString(version)).append('\n');
      m.append("    save_exported_model: false\n");
      m.append("  python_function:\n");
      env(m);
      m.append("    loader_module: mlflow.keras\n");
    }
    m.append("model_uuid: \"").append(UUID.randomUUID().toString().replace("-", "")).append("\"\n");
    m.append("utc_time_created: \"")
        .append(
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT)
                .format(Instant.now().atOffset(ZoneOffset.UTC)))
        .append("\"\n");
    String requirements = keras2 ? "mlflow\ntensorflow\ntf_keras\n" : "mlflow\nkeras\ntensorflow\n";
    Files.writeString(dir.resolve("requirements.txt"), requirements, StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("python_env.yaml"),
        "python: \"3.11\"\nbuild_dependencies:\n- pip\n- setuptools\n- wheel\ndependencies:\n"
            + "- -r requirements.txt\n",
        StandardCharsets.UTF_8);
    StringBuilder conda =
        new StringBuilder(
            "channels:\n- conda-forge\ndependencies:\n- python=3.11\n- pip\n- pip:\n");
    requirements.lines().forEach(r -> conda.append("  - ").append(r).append('\n'));
    conda.append("name: mlflow-env\n");
    Files.writeString(dir.resolve("conda.yaml"), conda, StandardCharsets.UTF_8);
    Path mlmodel = dir.resolve(".MLmodel.tmp");
    Files.writeString(mlmodel, m, StandardCharsets.UTF_8);
    Files.move(mlmodel, dir.resolve("MLmodel"));
    return keras2 ? "tensorflow (Keras " + version + ")" : "keras (Keras " + version + ")";
  }

  private static void env(StringBuilder m) {
    m.append("    env:\n      conda: conda.yaml\n      virtualenv: python_env.yaml\n");
  }

  /** The {@code keras_version} of a {@code .keras} file's {@code metadata.json}. */
  static String kerasVersion(Path keras) throws IOException {
    try (ZipFile zip = new ZipFile(keras.toFile())) {
      ZipEntry entry = zip.getEntry("metadata.json");
      if (entry == null) {
        throw new IOException(keras + " has no metadata.json: not a Keras v3 .keras file");
      }
      try (InputStream in = zip.getInputStream(entry)) {
        JsonNode node = JSON.readTree(in);
        String version = node.path("keras_version").asText("");
        if (version.isEmpty()) {
          throw new IOException(keras + "'s metadata.json has no keras_version");
        }
        return version;
      }
    } catch (java.util.zip.ZipException e) {
      throw new IOException(keras + " is not a .keras (zip) file: " + e.getMessage(), e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
