package io.jenkins.plugins.mlops.steps.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jenkins.plugins.mlops.steps.Suggest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link TrainingJobSpec} written as YAML (or JSON), for {@code mlops train --spec spec.yaml}:
 *
 * <pre>
 * name: digits                 # the name prefix
 * launcher: tensorflow         # djl, torchrun, tensorflow, command
 * command: [python, train.py, --label, digit]
 * workers: 2
 * gpusPerWorker: 1
 * resources: {cpuRequest: "2", memoryLimit: 8Gi}
 * hyperparameters: {epochs: 10, batch_size: 32}
 * dataset: prepared/manifest.json   # relative to this file
 * deadline: 2h                 # 30s, 10m, 2h, 1d or ISO-8601 (PT2H)
 * </pre>
 *
 * Every key of the record is accepted ({@code namePrefix} as {@code name}, {@code datasetManifest}
 * as {@code dataset}); an unknown key is an error that lists the known ones.
 */
public final class SpecFile {

  private static final Set<String> KEYS =
      new java.util.LinkedHashSet<>(
          List.of(
              "name",
              "launcher",
              "image",
              "command",
              "workers",
              "processesPerWorker",
              "gpusPerWorker",
              "gpuType",
              "resources",
              "shmSize",
              "env",
              "secretEnv",
              "volumes",
              "serviceAccount",
              "nodeSelector",
              "tolerations",
              "priorityClass",
              "queueName",
              "startupTimeout",
              "deadline",
              "retries",
              "ttl",
              "labels",
              "annotations",
              "hyperparameters",
              "dataset",
              "mlflowRunId"));

  private static final Pattern SHORT_DURATION =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|min|h|d)?");

  private SpecFile() {}

  /**
   * Reads {@code file} into a builder, so that command-line options can still change it.
   *
   * @throws IllegalArgumentException naming the file and the key when it cannot be read
   */
  public static TrainingJobSpec.Builder read(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "spec file (" + file + ") cannot be read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(
          "spec file ("
              + file
              + ") must be a YAML mapping of keys such as name, launcher,"
              + " command, workers");
    }
    TrainingJobSpec.Builder b = TrainingJobSpec.builder();
    Path base = file.toAbsolutePath().getParent();
    List<String> problems = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      try {
        apply(b, e.getKey(), e.getValue(), base);
      } catch (IllegalArgumentException | NullPointerException ex) {
        problems.add(ex.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "spec file (" + file + ") is not valid:\n  - " + String.join("\n  - ", problems));
    }
    return b;
  }

  private static void apply(TrainingJobSpec.Builder b, String key, JsonNode v, Path base) {
    switch (key) {
      case "name" -> b.setNamePrefix(text(key, v));
      case "launcher" -> b.setLauncher(Launcher.parse(text(key, v)));
      case "image" -> b.optImage(text(key, v));
      case "command" -> b.addCommand(list(key, v).toArray(String[]::new));
      case "workers" -> b.optWorkers(integer(key, v));
      case "processesPerWorker" -> b.optProcessesPerWorker(integer(key, v));
      case "gpusPerWorker" -> b.optGpusPerWorker(integer(key, v));
      case "gpuType" -> b.optGpuType(text(key, v));
      case "resources" -> {
        Map<String, String> r = new java.util.LinkedHashMap<>();
        map(key, v, r::put);
        Set<String> known = Set.of("cpuRequest", "cpuLimit", "memoryRequest", "memoryLimit");
        for (String k : r.keySet()) {
          if (!known.contains(k)) {
            throw new IllegalArgumentException(
                "resources."
                    + k
                    + " is not known; use cpuRequest, cpuLimit, memoryRequest,"
                    + " memoryLimit");
          }
        }
        b.optResources(
            new TrainingJobSpec.Resources(
                r.get("cpuRequest"),
                r.get("cpuLimit"),
                r.get("memoryRequest"),
                r.get("memoryLimit")));
      }
      case "shmSize" -> b.optShmSize(text(key, v));
      case "env" -> map(key, v, b::addEnv);
      case "secretEnv" ->
          objects(key, v, (name, o) -> b.addSecretEnv(name, field(o, "secret"), field(o, "key")));
      case "volumes" -> {
        for (JsonNode o : array(key, v)) {
          b.addVolume(
              field(o, "claimName"), field(o, "mountPath"), o.path("readOnly").asBoolean(false));
        }
      }
      case "serviceAccount" -> b.optServiceAccount(text(key, v));
      case "nodeSelector" -> map(key, v, b::addNodeSelector);
      case "tolerations" -> {
        for (JsonNode o : array(key, v)) {
          b.addToleration(
              new TrainingJobSpec.Toleration(
                  field(o, "key"), field(o, "operator"), field(o, "value"), field(o, "effect")));
        }
      }
      case "priorityClass" -> b.optPriorityClass(text(key, v));
      case "queueName" -> b.optQueueName(text(key, v));
      case "startupTimeout" -> b.optStartupTimeout(duration(key, text(key, v)));
      case "deadline" -> b.optDeadline(duration(key, text(key, v)));
      case "retries" -> b.optRetries(integer(key, v));
      case "ttl" -> b.optTtl(duration(key, text(key, v)));
      case "labels" -> map(key, v, b::addLabel);
      case "annotations" -> map(key, v, b::addAnnotation);
      case "hyperparameters" -> map(key, v, b::addHyperparameter);
      case "dataset" -> {
        Path p = Path.of(text(key, v));
        b.optDatasetManifest(manifest(p.isAbsolute() ? p : base.resolve(p)));
      }
      case "mlflowRunId" -> b.optMlflowRunId(text(key, v));
      default -> {
        String near = Suggest.nearest(key, KEYS);
        throw new IllegalArgumentException(
            "key '"
                + key
                + "' is not known"
                + (near == null ? "" : " (did you mean '" + near + "'?)")
                + "; the keys are "
                + String.join(", ", KEYS));
      }
    }
  }

  /** A manifest file, or the {@code manifest.json} of a directory given instead. */
  public static Path manifest(Path path) {
    return Files.isDirectory(path) ? path.resolve("manifest.json") : path;
  }

  /**
   * A duration as people write it: {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}, {@code 500ms},
   * a plain number of seconds, or ISO-8601 ({@code PT10M}).
   *
   * @param field what it is, for the error
   */
  public static Duration duration(String field, String text) {
    String t = text == null ? "" : text.strip();
    Matcher m = SHORT_DURATION.matcher(t.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      double amount = Double.parseDouble(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      double millis =
          amount
              * switch (unit) {
                case "ms" -> 1;
                case "m", "min" -> 60_000;
                case "h" -> 3_600_000;
                case "d" -> 86_400_000;
                default -> 1_000;
              };
      return Duration.ofMillis(Math.round(millis));
    }
    try {
      return Duration.parse(t.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          field + " (" + text + ") is not a duration such as 90s, 10m, 2h, 1d or PT10M");
    }
  }

  private static String text(String key, JsonNode v) {
    if (v == null || v.isNull() || v.isContainerNode()) {
      throw new IllegalArgumentException(key + " must be a single value, not " + v);
    }
    return v.asText();
  }

  private static int integer(String key, JsonNode v) {
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(key + " (" + v + ") must be a whole number");
    }
    return v.asInt();
  }

  private static List<String> list(String key, JsonNode v) {
    if (v != null && v.isTextual()) {
      throw new IllegalArgumentException(
          key
              + " must be a list of arguments ([python, train.py]), not one string ("
              + v.asText()
              + "): it is never split by a shell");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : array(key, v)) {
      out.add(text(key, item));
    }
    return out;
  }

  private static Iterable<JsonNode> array(String key, JsonNode v) {
    if (v == null || !v.isArray()) {
      throw new IllegalArgumentException(key + " must be a list");
    }
    return v;
  }

  private static void map(String key, JsonNode v, BiConsumer<String, String> put) {
    if (v == null || !v.isObject()) {
      throw new IllegalArgumentException(key + " must be a mapping of names to values");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      put.accept(e.getKey(), text(key + "." + e.getKey(), e.getValue()));
    }
  }

  private static void objects(String key, JsonNode v, BiConsumer<String, JsonNode> put) {
    if (v == null || !v.isObject()) {
      throw new IllegalArgumentException(key + " must be a mapping");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      put.accept(e.getKey(), e.getValue());
    }
  }

  private static String field(JsonNode o, String name) {
    JsonNode f = o.get(name);
    return f == null || f.isNull() ? null : f.asText();
  }
}
