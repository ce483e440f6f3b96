package io.jenkins.plugins.mlops.steps.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.steps.MlflowLookup;
import io.jenkins.plugins.mlops.steps.RunPointer;
import io.jenkins.plugins.mlops.steps.data.DatasetLogging;
import io.jenkins.plugins.mlops.steps.data.DatasetManifest;
import io.jenkins.plugins.mlops.steps.data.DatasetPreparer;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The MLflow side of a training job, the same for every backend: the run it logs into (the spec's,
 * the one an earlier start of the same job made, or a new one), its parameters, tags and dataset
 * inputs; at the end the final metrics of {@code metrics.json} and the run's status.
 *
 * @param runId the run
 * @param experimentId its experiment
 * @param owned whether the job made the run (and so ends it); a run the caller named is left open
 */
public record JobRun(String runId, String experimentId, boolean owned) {

  /** Tags every training run gets. */
  public static final String TAG_JOB = "mlops.training.job";

  public static final String TAG_BACKEND = "mlops.training.backend";
  public static final String TAG_LAUNCHER = "mlops.training.launcher";
  public static final String TAG_WORKERS = "mlops.training.workers";
  public static final String TAG_OUTCOME = "mlops.training.outcome";

  /** What the job ran ({@link JobDigest}), for skip-when-unchanged ({@link Unchanged}). */
  public static final String TAG_DIGEST = "mlops.training.digest";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Finds or makes the run of job {@code jobName} and logs what the job is.
   *
   * @param digest what the job runs ({@link JobDigest}), tagged on the run as {@link #TAG_DIGEST}
   * @param pointer a file that remembers the run this job made, so that a restart continues it
   */
  public static JobRun open(
      TrainingJobSpec spec,
      TrainingContext context,
      String jobName,
      String backend,
      String digest,
      Path pointer,
      Consumer<String> console) {
    TrackingClient client = context.tracking();
    JobRun run;
    if (spec.mlflowRunId() != null) {
      Run given =
          MlflowLookup.liveRun(client, spec.mlflowRunId())
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "MLflow run ("
                              + spec.mlflowRunId()
                              + ") does not exist or is deleted at "
                              + client.trackingUri()));
      run = new JobRun(given.id(), given.info().experimentId(), false);
      console.accept(
          "training job " + jobName + ": logging into the given MLflow run " + run.runId);
    } else {
      Optional<Run> earlier =
          RunPointer.read(pointer).flatMap(id -> MlflowLookup.liveRun(client, id));
      if (earlier.isPresent()) {
        run = new JobRun(earlier.get().id(), earlier.get().info().experimentId(), true);
        console.accept("training job " + jobName + ": continuing its MLflow run " + run.runId);
      } else {
        String experimentName = experimentName(spec, context);
        Experiment experiment = client.experiments().getOrCreate(experimentName);
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(TAG_JOB, jobName);
        tags.put(TAG_BACKEND, backend);
        tags.put(TAG_LAUNCHER, spec.launcher().id());
        tags.put(TAG_WORKERS, Integer.toString(spec.workers()));
        tags.putAll(spec.labels());
        Run made =
            client
                .runs()
                .create(
                    NewRun.of(
                            experiment.id(),
                            context.runName() == null ? jobName : context.runName())
                        .withTags(tags));
        RunPointer.write(pointer, made.id());
        run = new JobRun(made.id(), experiment.id(), true);
        console.accept(
            "training job "
                + jobName
                + ": made MLflow run "
                + run.runId
                + " in experiment "
                + experiment.name());
      }
    }
    client.runs().setTag(run.runId, TAG_DIGEST, digest);
    run.logParams(client, spec, console);
    if (spec.datasetManifest() != null) {
      DatasetManifest manifest = DatasetPreparer.readManifest(spec.datasetManifest());
      Path dir = spec.datasetManifest().toAbsolutePath().getParent();
      DatasetLogging.log(
          client,
          run.runId,
          manifest,
          dir,
          manifest.name() != null ? manifest.name() : datasetName(dir));
    }
    return run;
  }

  /**
   * Hyperparameters as params. The {@code djl} trainer logs its own (with its defaults), so they
   * are left to it; a param the run already has with another value is reported, not overwritten
   * (MLflow refuses that).
   */
  private void logParams(TrackingClient client, TrainingJobSpec spec, Consumer<String> console) {
    if (spec.launcher() == Launcher.DJL || spec.hyperparameters().isEmpty()) {
      return;
    }
    Map<String, String> existing = client.runs().get(runId).params();
    spec.hyperparameters()
        .forEach(
            (name, value) -> {
              String before = existing.get(name);
              if (before == null) {
                client.runs().logParam(runId, name, value);
              } else if (!before.equals(value)) {
                console.accept(
                    "training job: param "
                        + name
                        + " is "
                        + before
                        + " in run "
                        + runId
                        + " already; MLflow keeps the first value, this job uses "
                        + value);
              }
            });
  }

  /**
   * Ends the job's side in MLflow: the numbers of {@code outputDir/metrics.json} that the run does
   * not have yet are logged (a trainer that logged them itself is not doubled), the file itself is
   * kept as the artifact {@code training/metrics.json} (for reports), a succeeded job's model is
   * uploaded as the artifact {@code model} ({@link ModelArtifact}), the outcome is tagged, and a
   * run the job made is ended with the outcome's status.
   *
   * @return the metrics and the outcome; a succeeded job whose model cannot be uploaded ends FAILED
   */
  public Ended finish(
      TrackingClient client,
      TrainingResult.Outcome outcome,
      Path outputDir,
      Consumer<String> console) {
    Map<String, Double> metrics = readMetrics(outputDir, console);
    TrainingResult.Outcome ended = outcome;
    String reason = null;
    long now = System.currentTimeMillis();
    try {
      Map<String, Metric> logged = client.runs().get(runId).metrics();
      metrics.forEach(
          (name, value) -> {
            if (!logged.containsKey(name)) {
              client.runs().logMetric(runId, new Metric(name, value, now, 0));
            }
          });
      Path metricsFile = outputDir.resolve("metrics.json");
      if (Files.isRegularFile(metricsFile)) {
        // the whole file (confusion matrix, last epoch, classes) for reports; the numbers above
        client.artifacts().upload(runId, metricsFile, "training");
      }
      if (outcome == TrainingResult.Outcome.SUCCEEDED) {
        try {
          ModelArtifact.upload(client, runId, outputDir, console);
        } catch (RuntimeException e) {
          // A job whose model did not reach the run has not succeeded: nothing to gate or promote.
          ended = TrainingResult.Outcome.FAILED;
          reason = "the workers succeeded but the model could not be uploaded: " + e.getMessage();
          console.accept("training job: " + reason);
        }
      }
    } catch (MlflowException | UncheckedIOException e) {
      console.accept(
          "training job: could not record the end in MLflow run " + runId + ": " + e.getMessage());
    } finally {
      try {
        client.runs().setTag(runId, TAG_OUTCOME, ended.name().toLowerCase(java.util.Locale.ROOT));
        if (owned) {
          client.runs().terminate(runId, RunStatus.valueOf(ended.runStatus()), now);
        }
      } catch (MlflowException | UncheckedIOException e) {
        console.accept("training job: could not end MLflow run " + runId + ": " + e.getMessage());
      }
    }
    return new Ended(metrics, ended, reason);
  }

  /**
   * How the job's side in MLflow ended.
   *
   * @param metrics the final metrics (empty when there is no {@code metrics.json})
   * @param outcome the job's outcome: the workers', or FAILED when its model could not be uploaded
   * @param reason why the outcome changed; null when it did not
   */
  public record Ended(Map<String, Double> metrics, TrainingResult.Outcome outcome, String reason) {}

  /** The top-level numbers of {@code metrics.json}, in file order; empty when it is missing. */
  public static Map<String, Double> readMetrics(Path outputDir, Consumer<String> console) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    Path file = outputDir.resolve("metrics.json");
    if (!Files.isRegularFile(file)) {
      return metrics;
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isNumber()) {
          metrics.put(e.getKey(), e.getValue().asDouble());
        }
      }
    } catch (IOException e) {
      console.accept("training job: " + file + " is not JSON (" + e.getMessage() + "); ignored");
    }
    return metrics;
  }

  /**
   * The experiment of a new run: the context's, else the data set's name (so runs on different data
   * sets do not share an experiment, and a {@code best:<experiment>:...} baseline compares like
   * with like), else {@link TrainingContext#DEFAULT_EXPERIMENT} for a job without prepared data.
   */
  static String experimentName(TrainingJobSpec spec, TrainingContext context) {
    if (context.experiment() != null) {
      return context.experiment();
    }
    if (spec.datasetManifest() == null) {
      return TrainingContext.DEFAULT_EXPERIMENT;
    }
    DatasetManifest manifest = DatasetPreparer.readManifest(spec.datasetManifest());
    return manifest.name() != null && !manifest.name().isBlank()
        ? manifest.name()
        : datasetName(spec.datasetManifest().toAbsolutePath().getParent());
  }

  private static String datasetName(Path dir) {
    Path name = dir.getFileName();
    String text = name == null ? "dataset" : name.toString().replaceAll("[^A-Za-z0-9_.-]", "_");
    return text.isEmpty() ? "dataset" : text;
  }
}
