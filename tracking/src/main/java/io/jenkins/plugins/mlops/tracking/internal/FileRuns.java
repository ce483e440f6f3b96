package io.jenkins.plugins.mlops.tracking.internal;

import io.jenkins.plugins.mlops.tracking.DatasetInput;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunInfo;
import io.jenkins.plugins.mlops.tracking.RunQuery;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import io.jenkins.plugins.mlops.tracking.Runs;
import io.jenkins.plugins.mlops.tracking.RunsPage;
import io.jenkins.plugins.mlops.tracking.StandardTags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/** {@link Runs} in MLflow's file store. */
final class FileRuns implements Runs {

  private static final List<RunStatus> STATUS_CODES =
      List.of(
          RunStatus.RUNNING,
          RunStatus.SCHEDULED,
          RunStatus.FINISHED,
          RunStatus.FAILED,
          RunStatus.KILLED);

  private final FileStore store;

  FileRuns(FileStore store) {
    this.store = store;
  }

  @Override
  public Run create(NewRun run) {
    Map<String, String> tags = run.effectiveTags();
    tags.forEach(RestRuns::checkTag);
    Path experimentDir =
        store
            .experimentDir(run.experimentId())
            .orElseThrow(
                () ->
                    FileStore.notFound("No Experiment with id=" + run.experimentId() + " exists"));
    String runId = UUID.randomUUID().toString().replace("-", "");
    Path dir = experimentDir.resolve(runId);
    for (String sub : List.of("metrics", "params", "tags", "artifacts")) {
      FileStore.createDirectories(dir.resolve(sub));
    }
    String runName = run.runName().isEmpty() ? "run-" + runId.substring(0, 8) : run.runName();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("artifact_uri", FileStore.fileUri(dir.resolve("artifacts")));
    meta.put("end_time", null);
    meta.put("entry_point_name", "");
    meta.put("experiment_id", run.experimentId());
    meta.put("lifecycle_stage", "active");
    meta.put("run_id", runId);
    meta.put("run_name", runName);
    meta.put("source_name", "");
    meta.put("source_type", 4);
    meta.put("source_version", "");
    meta.put("start_time", run.startTime());
    meta.put("status", 1);
    meta.put("tags", List.of());
    meta.put("user_id", tags.getOrDefault(StandardTags.USER, System.getProperty("user.name", "")));
    Map<String, String> allTags = new LinkedHashMap<>(tags);
    allTags.put(StandardTags.RUN_NAME, runName);
    allTags.forEach((k, v) -> FileStore.writeValue(dir.resolve("tags").resolve(k), v, dir));
    MiniYaml.write(dir.resolve("meta.yaml"), meta);
    return get(runId);
  }

  @Override
  public Run get(String runId) {
    RestRuns.requireRunId(runId);
    return read(store.runDir(runId));
  }

  @Override
  public void terminate(String runId, RunStatus status, long endTime) {
    RestRuns.requireRunId(runId);
    if (!status.isTerminal()) {
      throw new IllegalArgumentException(
          "status (" + status + ") must be a final one: FINISHED, FAILED or KILLED");
    }
    Path dir = store.runDir(runId);
    Map<String, Object> meta = MiniYaml.read(dir.resolve("meta.yaml"));
    meta.put("status", STATUS_CODES.indexOf(status) + 1);
    meta.put("end_time", endTime);
    MiniYaml.write(dir.resolve("meta.yaml"), meta);
  }

  @Override
  public RunsPage search(RunQuery query) {
    Predicate<Run> filter = RunFilter.parse(query.filter());
    List<Run> matches = new ArrayList<>();
    for (String experimentId : query.experimentIds()) {
      store
          .experimentDir(experimentId)
          .ifPresent(
              dir -> {
                for (Path runDir : store.runDirs(dir)) {
                  Run run = read(runDir);
                  if (run.info().lifecycleStage().equals("active") && filter.test(run)) {
                    matches.add(run);
                  }
                }
              });
    }
    matches.sort(RunFilter.order(query.orderBy()));
    int from = query.pageToken().isEmpty() ? 0 : pageOffset(query.pageToken());
    int to = Math.min(matches.size(), from + query.maxResults());
    return new RunsPage(
        matches.subList(Math.min(from, to), to), to < matches.size() ? Integer.toString(to) : "");
  }

  @Override
  public void logParam(String runId, String key, String value) {
    RestRuns.requireRunId(runId);
    RestRuns.checkParam(key, value);
    Path dir = store.runDir(runId);
    Path file = dir.resolve("params").resolve(key);
    var existing = FileStore.readValue(file);
    if (existing.isPresent()) {
      if (!existing.get().equals(value)) {
        throw FileStore.invalid(
            "Changing param values is not allowed. Param with key='"
                + key
                + "' was already"
                + " logged with value='"
                + existing.get()
                + "' for run ID='"
                + runId
                + "'. Attempted logging new value '"
                + value
                + "'.");
      }
      return;
    }
    FileStore.writeValue(file, value, dir);
  }

  @Override
  public void setTag(String runId, String key, String value) {
    RestRuns.requireRunId(runId);
    RestRuns.checkTag(key, value);
    Path dir = store.runDir(runId);
    FileStore.writeValue(dir.resolve("tags").resolve(key), value, dir);
    if (key.equals(StandardTags.RUN_NAME)) {
      // As MLflow does: the run name lives in meta.yaml too, and readers take it from there.
      Map<String, Object> meta = MiniYaml.read(dir.resolve("meta.yaml"));
      meta.put("run_name", value);
      MiniYaml.write(dir.resolve("meta.yaml"), meta);
    }
  }

  @Override
  public void deleteTag(String runId, String key) {
    RestRuns.requireRunId(runId);
    Keys.require("tag", key);
    try {
      Files.deleteIfExists(store.runDir(runId).resolve("tags").resolve(key));
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete tag " + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void logMetric(String runId, Metric metric) {
    logBatch(runId, List.of(metric), Map.of(), Map.of());
  }

  @Override
  public void logBatch(
      String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {
    RestRuns.checkBatch(runId, metrics, params, tags);
    params.forEach((k, v) -> logParam(runId, k, v));
    tags.forEach((k, v) -> setTag(runId, k, v));
    Path dir = store.runDir(runId);
    Map<String, StringBuilder> lines = new LinkedHashMap<>();
    for (Metric m : metrics) {
      lines
          .computeIfAbsent(m.key(), k -> new StringBuilder())
          .append(m.timestamp())
          .append(' ')
          .append(format(m.value()))
          .append(' ')
          .append(m.step())
          .append('\n');
    }
    lines.forEach((key, text) -> append(dir.resolve("metrics").resolve(key), text.toString()));
  }

  @Override
  public void logInputs(String runId, List<DatasetInput> datasets) {
    RestRuns.requireRunId(runId);
    Path dir = store.runDir(runId);
    Path experimentDir = dir.getParent();
    for (DatasetInput input : datasets) {
      String datasetId = FileStore.md5(input.name() + input.digest());
      Map<String, Object> dataset = new LinkedHashMap<>();
      dataset.put("digest", input.digest());
      dataset.put("name", input.name());
      dataset.put("profile", input.profile().isEmpty() ? null : input.profile());
      dataset.put("schema", input.schema().isEmpty() ? null : input.schema());
      dataset.put("source", input.source());
      dataset.put("source_type", input.sourceType());
      MiniYaml.write(
          experimentDir.resolve("datasets").resolve(datasetId).resolve("meta.yaml"), dataset);
      Map<String, Object> edge = new LinkedHashMap<>();
      edge.put("destination_id", runId);
      edge.put("destination_type", "RUN");
      edge.put("source_id", datasetId);
      edge.put("source_type", "DATASET");
      edge.put(
          "tags",
          input.context().isEmpty() ? Map.of() : Map.of(RunJson.CONTEXT_TAG, input.context()));
      String inputId = FileStore.md5(datasetId + runId);
      MiniYaml.write(dir.resolve("inputs").resolve(inputId).resolve("meta.yaml"), edge);
    }
  }

  @Override
  public List<Metric> metricHistory(String runId, String key) {
    RestRuns.requireRunId(runId);
    Keys.require("metric", key);
    return readMetric(key, store.runDir(runId).resolve("metrics").resolve(key));
  }

  private Run read(Path dir) {
    Map<String, Object> meta = MiniYaml.read(dir.resolve("meta.yaml"));
    Map<String, String> params = values(dir.resolve("params"));
    Map<String, String> tags = values(dir.resolve("tags"));
    Map<String, Metric> latest = new LinkedHashMap<>();
    FileStore.files(dir.resolve("metrics"))
        .forEach(
            (key, file) ->
                readMetric(key, file).stream()
                    .max(
                        Comparator.comparingLong(Metric::step)
                            .thenComparingLong(Metric::timestamp)
                            .thenComparingDouble(Metric::value))
                    .ifPresent(m -> latest.put(key, m)));
    int status = (int) MiniYaml.number(meta, "status");
    String runName = MiniYaml.text(meta, "run_name");
    RunInfo info =
        new RunInfo(
            MiniYaml.text(meta, "run_id"),
            MiniYaml.text(meta, "experiment_id"),
            runName.isEmpty() ? tags.getOrDefault(StandardTags.RUN_NAME, "") : runName,
            status >= 1 && status <= 5 ? STATUS_CODES.get(status - 1) : RunStatus.RUNNING,
            MiniYaml.number(meta, "start_time"),
            MiniYaml.number(meta, "end_time"),
            MiniYaml.text(meta, "artifact_uri"),
            MiniYaml.text(meta, "lifecycle_stage"),
            MiniYaml.text(meta, "user_id"));
    return new Run(info, params, tags, latest, inputs(dir));
  }

  private static List<DatasetInput> inputs(Path runDir) {
    List<DatasetInput> inputs = new ArrayList<>();
    for (Path inputDir : FileStore.subdirs(runDir.resolve("inputs"))) {
      Map<String, Object> edge = MiniYaml.read(inputDir.resolve("meta.yaml"));
      Path datasetMeta =
          runDir
              .getParent()
              .resolve("datasets")
              .resolve(MiniYaml.text(edge, "source_id"))
              .resolve("meta.yaml");
      if (!Files.exists(datasetMeta)) {
        continue;
      }
      Map<String, Object> dataset = MiniYaml.read(datasetMeta);
      Object tags = edge.get("tags");
      String context =
          tags instanceof Map<?, ?> map && map.get(RunJson.CONTEXT_TAG) != null
              ? map.get(RunJson.CONTEXT_TAG).toString()
              : "";
      inputs.add(
          new DatasetInput(
              MiniYaml.text(dataset, "name"),
              MiniYaml.text(dataset, "digest"),
              MiniYaml.text(dataset, "source_type"),
              MiniYaml.text(dataset, "source"),
              MiniYaml.text(dataset, "schema"),
              MiniYaml.text(dataset, "profile"),
              context));
    }
    return inputs;
  }

  private static Map<String, String> values(Path dir) {
    Map<String, String> values = new LinkedHashMap<>();
    FileStore.files(dir)
        .forEach((key, file) -> values.put(key, FileStore.readValue(file).orElse("")));
    return values;
  }

  private static List<Metric> readMetric(String key, Path file) {
    List<Metric> points = new ArrayList<>();
    if (!Files.isRegularFile(file)) {
      return points;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] fields = line.strip().split(" ");
        if (fields.length < 2) {
          continue;
        }
        long step = fields.length >= 3 ? Long.parseLong(fields[2]) : 0;
        points.add(new Metric(key, parse(fields[1]), Long.parseLong(fields[0]), step));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
    }
    return points;
  }

  private static void append(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(
          file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Python writes repr(float); it reads Java's NaN, Infinity and exponent forms too. */
  private static String format(double value) {
    return Double.toString(value);
  }

  private static double parse(String text) {
    return switch (text.toLowerCase(java.util.Locale.ROOT)) {
      case "nan" -> Double.NaN;
      case "inf", "infinity" -> Double.POSITIVE_INFINITY;
      case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  private static int pageOffset(String token) {
    try {
      return Integer.parseInt(token);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("page token (" + token + ") was not made by this store");
    }
  }
}
