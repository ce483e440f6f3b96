package io.jenkins.plugins.mlops.steps.training.local;

import io.jenkins.plugins.mlops.steps.training.Launcher;
import io.jenkins.plugins.mlops.steps.training.TrainingBackend;
import io.jenkins.plugins.mlops.steps.training.TrainingContext;
import io.jenkins.plugins.mlops.steps.training.TrainingHandle;
import io.jenkins.plugins.mlops.steps.training.TrainingJobSpec;
import io.jenkins.plugins.mlops.steps.training.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs a training job as local processes: the same launchers and contract as pods, with every rank
 * on a free loopback port ({@code MASTER_ADDR} and {@code TF_CONFIG} point at 127.0.0.1),
 * per-worker logs, the TensorBoard logdir synced into the MLflow run while the job runs, and
 * cancellation, failures and timeouts that stop every process of every worker's tree. For laptops,
 * small jobs, the demo and the end-to-end tests.
 *
 * <p>A job lives in {@code <workDir>/mlops-jobs/<name>/}: {@code logs/worker-N.log}, {@code
 * tensorboard/} ({@code MLOPS_LOGDIR}), {@code output/} ({@code MLOPS_OUTPUT_DIR}), {@code
 * checkpoints/} ({@code MLOPS_CHECKPOINT_DIR}, so a restarted job resumes) and {@code result.json}.
 */
public final class LocalBackend implements TrainingBackend {

  /** The directory under the working directory that holds the jobs. */
  public static final String JOBS_DIR = "mlops-jobs";

  /**
   * How the local backend works.
   *
   * @param trainerCommand how to start the built-in trainer ({@code djl} launcher); empty when it
   *     is not available
   * @param gracePeriod how long stopped workers get between SIGTERM and SIGKILL
   * @param syncInterval how often the logdir is synced into MLflow while the job runs
   * @param uploadInterval how often grown event files are uploaded as artifacts while it runs
   * @param pollInterval how often the workers are looked at
   */
  public record Options(
      List<String> trainerCommand,
      Duration gracePeriod,
      Duration syncInterval,
      Duration uploadInterval,
      Duration pollInterval) {

    public Options {
      trainerCommand = List.copyOf(trainerCommand);
    }

    /** The defaults: the trainer found by {@link #findTrainer}, 10 s grace, sync every 5 s. */
    public static Options defaults(Map<String, String> environment) {
      return new Options(
          findTrainer(environment),
          Duration.ofSeconds(10),
          Duration.ofSeconds(5),
          Duration.ofSeconds(60),
          Duration.ofMillis(100));
    }

    public Options withTrainerCommand(List<String> value) {
      return new Options(value, gracePeriod, syncInterval, uploadInterval, pollInterval);
    }

    public Options withGracePeriod(Duration value) {
      return new Options(trainerCommand, value, syncInterval, uploadInterval, pollInterval);
    }

    public Options withSyncInterval(Duration value) {
      return new Options(trainerCommand, gracePeriod, value, uploadInterval, pollInterval);
    }
  }

  private final Options options;
  private final Map<String, LocalJob> running = new ConcurrentHashMap<>();

  public LocalBackend(Options options) {
    this.options = options;
  }

  @Override
  public String id() {
    return "local";
  }

  @Override
  public TrainingHandle submit(TrainingJobSpec spec, TrainingContext context) {
    check(spec, context);
    String name =
        io.jenkins.plugins.mlops.steps.training.JobNames.of(spec.namePrefix(), context.jobKey());
    Optional<TrainingHandle> existing = attach(name, context);
    if (existing.isPresent()) {
      TrainingHandle handle = existing.get();
      if (handle.isDone()) {
        context
            .console()
            .accept(
                "training job "
                    + name
                    + " ran before with this job key; returning its result (a new key trains"
                    + " again)");
        return handle;
      }
      throw new IllegalStateException("training job " + name + " is running already");
    }
    Path dir = context.workDir().resolve(JOBS_DIR).resolve(name);
    List<Long> alive = LocalJob.livePids(dir);
    if (!alive.isEmpty()) {
      throw new IllegalStateException(
          "training job "
              + name
              + " is running in another process (pids "
              + alive
              + "); stop it first or use another job key");
    }
    notes(spec, context);
    LocalJob job = new LocalJob(spec, context, name, dir, options, () -> running.remove(name));
    running.put(name, job);
    try {
      job.start();
    } catch (RuntimeException e) {
      running.remove(name);
      throw e;
    }
    return job;
  }

  @Override
  public String digest(TrainingJobSpec spec, TrainingContext context) {
    return digest(spec, context, options);
  }

  /**
   * The job's digest: the spec as run here, the built-in trainer's jar included for {@code djl}.
   */
  static String digest(TrainingJobSpec spec, TrainingContext context, Options options) {
    return io.jenkins.plugins.mlops.steps.training.JobDigest.of(
        spec,
        context.workDir(),
        spec.launcher() == io.jenkins.plugins.mlops.steps.training.Launcher.DJL
            ? options.trainerCommand()
            : List.of());
  }

  @Override
  public Optional<TrainingHandle> attach(String name, TrainingContext context) {
    LocalJob job = running.get(name);
    if (job != null) {
      return Optional.of(job);
    }
    Path result = context.workDir().resolve(JOBS_DIR).resolve(name).resolve("result.json");
    if (!Files.isRegularFile(result)) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new FinishedJob(
              TrainingResult.fromJson(Files.readString(result, StandardCharsets.UTF_8))));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + result, e);
    }
  }

  /** What the local backend cannot do, before anything starts. */
  private void check(TrainingJobSpec spec, TrainingContext context) {
    List<String> problems = new ArrayList<>();
    List<String> visible = visibleGpus(context.environment());
    int needed = spec.workers() * spec.gpusPerWorker();
    if (needed > 0 && !visible.isEmpty() && visible.size() < needed) {
      problems.add(
          "the job asks for "
              + spec.workers()
              + " worker(s) x "
              + spec.gpusPerWorker()
              + " GPU(s), but CUDA_VISIBLE_DEVICES ("
              + String.join(",", visible)
              + ") lists only "
              + visible.size());
    }
    if (!spec.secretEnv().isEmpty()) {
      problems.add(
          "secret env ("
              + String.join(", ", spec.secretEnv().keySet())
              + ") names Kubernetes secrets, which the local backend cannot read; pass the values"
              + " as env from the caller's credentials");
    }
    if (spec.launcher() == Launcher.DJL
        && spec.command().isEmpty()
        && options.trainerCommand().isEmpty()) {
      problems.add(
          "the djl launcher needs the trainer: build it (mvn -pl trainer -am package) or set"
              + " MLOPS_TRAINER_JAR to trainer.jar");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "the local backend cannot run this job:\n  - " + String.join("\n  - ", problems));
    }
    if (spec.launcher() == Launcher.DJL && spec.command().isEmpty()) {
      TrainerCheck.run(options.trainerCommand(), spec, context.environment(), context.workDir());
    }
  }

  /** The GPUs {@code CUDA_VISIBLE_DEVICES} lists in {@code env}; empty when it is not set. */
  static List<String> visibleGpus(Map<String, String> env) {
    String value = env.get("CUDA_VISIBLE_DEVICES");
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return java.util.Arrays.stream(value.split(","))
        .map(String::strip)
        .filter(v -> !v.isEmpty())
        .toList();
  }

  /** Says which of the spec's Kubernetes settings mean nothing here. */
  private static void notes(TrainingJobSpec spec, TrainingContext context) {
    List<String> ignored = new ArrayList<>();
    if (spec.image() != null) {
      ignored.add("image");
    }
    if (!spec.volumes().isEmpty()) {
      ignored.add("volumes");
    }
    if (spec.resources().cpuLimit() != null || spec.resources().memoryLimit() != null) {
      ignored.add("resource limits");
    }
    if (!spec.nodeSelector().isEmpty() || spec.gpuType() != null) {
      ignored.add("node selection");
    }
    if (spec.queueName() != null || spec.priorityClass() != null) {
      ignored.add("queueing");
    }
    if (!ignored.isEmpty()) {
      context
          .console()
          .accept(
              "training job: the local backend runs processes here; it ignores "
                  + String.join(", ", ignored));
    }
  }

  /**
   * The built-in trainer: {@code java -jar <trainer.jar>} with this JVM's java, the jar from {@code
   * MLOPS_TRAINER_JAR}, else next to the running mlops jar, else {@code trainer/target/trainer.jar}
   * above it in a source checkout. Empty when none is found.
   */
  public static List<String> findTrainer(Map<String, String> environment) {
    List<Path> candidates = new ArrayList<>();
    String configured = environment.get("MLOPS_TRAINER_JAR");
    if (configured != null && !configured.isBlank()) {
      candidates.add(Path.of(configured));
    }
    try {
      Path here =
          Path.of(LocalBackend.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toAbsolutePath();
      for (Path dir = here.getParent(); dir != null; dir = dir.getParent()) {
        candidates.add(dir.resolve("trainer.jar"));
        candidates.add(dir.resolve("trainer").resolve("target").resolve("trainer.jar"));
      }
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // No location to search from: only the environment counts.
    }
    for (Path jar : candidates) {
      if (Files.isRegularFile(jar)) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-jar", jar.toAbsolutePath().normalize().toString());
      }
    }
    return List.of();
  }

  /** A job that ended earlier (its {@code result.json}). */
  private record FinishedJob(TrainingResult result) implements TrainingHandle {
    @Override
    public String name() {
      return result.name();
    }

    @Override
    public String runId() {
      return result.runId();
    }

    @Override
    public boolean isDone() {
      return true;
    }

    @Override
    public TrainingResult await() {
      return result;
    }

    @Override
    public Optional<TrainingResult> await(Duration timeout) {
      return Optional.of(result);
    }

    @Override
    public void cancel(String reason) {}
  }
}
