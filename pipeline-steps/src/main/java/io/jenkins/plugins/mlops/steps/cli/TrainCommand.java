package io.jenkins.plugins.mlops.steps.cli;

import io.jenkins.plugins.mlops.steps.training.Launcher;
import io.jenkins.plugins.mlops.steps.training.SpecFile;
import io.jenkins.plugins.mlops.steps.training.TrainerSettingsException;
import io.jenkins.plugins.mlops.steps.training.TrainingContext;
import io.jenkins.plugins.mlops.steps.training.TrainingHandle;
import io.jenkins.plugins.mlops.steps.training.TrainingJobSpec;
import io.jenkins.plugins.mlops.steps.training.TrainingResult;
import io.jenkins.plugins.mlops.steps.training.local.LocalBackend;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mlops train}: runs a training job with a launcher (djl, torchrun, tensorflow, command) on
 * a backend (local processes; Kubernetes in a later issue), syncing its TensorBoard logs into
 * MLflow while it runs, and prints the result.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Run a training job (djl, torchrun, tensorflow or command launcher) locally or on"
          + " Kubernetes.",
      "The job is given by options, or by --spec spec.yaml with options changing it. The program"
          + " after -- is run as an argument list, never through a shell.",
      "Every worker gets the training-container contract: MLFLOW_TRACKING_URI/RUN_ID/EXPERIMENT_ID,"
          + " MLOPS_DATA_DIR, MLOPS_LOGDIR (synced into MLflow while it runs), MLOPS_OUTPUT_DIR,"
          + " MLOPS_CHECKPOINT_DIR, hyperparameters as --name value and MLOPS_PARAM_<NAME>, and"
          + " the launcher's variables (TF_CONFIG; MASTER_ADDR, WORLD_SIZE, RANK, PET_*).",
      "Exit status: 0 the job succeeded; 1 it failed, timed out or was cancelled; 2 the command"
          + " line or spec is wrong; 3 the backend is not in this build; 4 it could not run"
          + " (e.g. MLflow unreachable)."
    },
    footer = {
      "",
      "Examples:",
      "  mlops train --launcher tensorflow --workers 2 --data prepared/ --param epochs=10 --"
          + " python train.py",
      "  mlops train --launcher djl --data prepared/ --param label=digit --param epochs=20",
      "  mlops train --spec job.yaml --workers 4 --json"
    })
final class TrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--backend",
      paramLabel = "NAME",
      defaultValue = "local",
      description = "local (processes on this machine) or kubernetes (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--spec", paramLabel = "FILE", description = "A job spec in YAML or JSON.")
  Path specFile;

  @Option(
      names = "--launcher",
      paramLabel = "NAME",
      description = "djl (the built-in trainer), torchrun, tensorflow or command.")
  String launcher;

  @Option(
      names = "--name",
      paramLabel = "PREFIX",
      description = "The job's name prefix (default: train); the name adds a hash of --job-key.")
  String name;

  @Option(
      names = "--job-key",
      paramLabel = "KEY",
      description =
          "Identifies the job: the same key gives the same name, and a job that ended with it is"
              + " not run again (default: a new key each time).")
  String jobKey;

  @Option(
      names = "--image",
      paramLabel = "IMAGE",
      description = "The container image (Kubernetes).")
  String image;

  @Option(names = "--workers", paramLabel = "N", description = "Workers (machines, pods).")
  Integer workers;

  @Option(
      names = "--processes-per-worker",
      paramLabel = "N",
      description = "Processes per worker (torchrun's --nproc-per-node).")
  Integer processesPerWorker;

  @Option(names = "--gpus-per-worker", paramLabel = "G", description = "GPUs per worker.")
  Integer gpusPerWorker;

  @Option(
      names = "--gpu-type",
      paramLabel = "PRODUCT",
      description = "The nvidia.com/gpu.product to ask for, e.g. NVIDIA-A100-SXM4-40GB.")
  String gpuType;

  @Option(names = "--cpu", paramLabel = "Q", description = "CPU request and limit, e.g. 2 or 500m.")
  String cpu;

  @Option(names = "--memory", paramLabel = "Q", description = "Memory request and limit, e.g. 8Gi.")
  String memory;

  @Option(
      names = "--env",
      paramLabel = "NAME=VALUE",
      description = "An environment variable of every worker (repeatable).")
  List<String> env = new ArrayList<>();

  @Option(
      names = {"--param", "-p"},
      paramLabel = "NAME=VALUE",
      description = "A hyperparameter: --name value and MLOPS_PARAM_<NAME> (repeatable).")
  List<String> params = new ArrayList<>();

  @Option(
      names = "--data",
      paramLabel = "PATH",
      description = "The prepared data: mlops prepare's output directory or its manifest.json.")
  Path data;

  @Option(
      names = "--startup-timeout",
      paramLabel = "DURATION",
      description = "How long workers may take to start (default 10m): 90s, 10m, 2h.")
  String startupTimeout;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      description = "How long the whole job may run (default: no limit).")
  String deadline;

  @Option(
      names = "--retries",
      paramLabel = "N",
      description = "Start every worker again this many times after a failure (default 0).")
  Integer retries;

  @Option(
      names = "--experiment",
      paramLabel = "NAME",
      description =
          "The MLflow experiment of a new run (default: the data set's name from --data's"
              + " manifest, else mlops-training).")
  String experiment;

  @Option(names = "--run-name", paramLabel = "NAME", description = "The new run's name.")
  String runName;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description = "Log into this existing run instead of making one.")
  String runId;

  @Mixin TrackingUriOption store;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "Where the workers run; local jobs keep logs, TensorBoard files and outputs in"
              + " <DIR>/mlops-jobs/<name>/ (default: the current directory).")
  Path workDir;

  @Option(
      names = "--sync-interval",
      paramLabel = "DURATION",
      description =
          "How often TensorBoard files are synced into MLflow while training (default 5s).")
  String syncInterval;

  @Option(names = "--json", description = "Print the result as JSON on standard output.")
  boolean json;

  @Parameters(paramLabel = "COMMAND", description = "The program and its arguments, after --.")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    TrainingJobSpec job = toSpec();
    if (!"local".equals(backend)) {
      if ("kubernetes".equals(backend)) {
        return NotInThisBuild.report(
            spec, "the kubernetes backend", "the Kubernetes backend issue, after issue #8");
      }
      throw new ParameterException(
          spec.commandLine(), "--backend (" + backend + ") must be local or kubernetes");
    }
    Map<String, String> environment = store.environment();
    Path dir = (workDir == null ? Path.of("") : workDir).toAbsolutePath().normalize();
    LocalBackend.Options options = LocalBackend.Options.defaults(environment);
    if (syncInterval != null) {
      options = options.withSyncInterval(duration("--sync-interval", syncInterval));
    }
    Map<String, String> workerEnv = new LinkedHashMap<>(System.getenv());
    workerEnv.keySet().removeIf(k -> k.startsWith("MLFLOW_") || k.startsWith("MLOPS_"));
    try (TrackingClient client =
        TrackingClient.open(CliTracking.config(environment, dir), CliTracking.console(err))) {
      TrainingContext context =
          new TrainingContext(
              dir,
              workerEnv,
              CliTracking.console(err),
              client,
              experiment,
              runName,
              jobKey == null ? UUID.randomUUID().toString() : jobKey);
      TrainingHandle handle;
      try {
        handle = new LocalBackend(options).submit(job, context);
      } catch (TrainerSettingsException e) {
        throw new ParameterException(spec.commandLine(), e.describe(name -> "--param " + name));
      }
      // On SIGTERM or Ctrl-C the job stops its workers itself (a shutdown hook of the backend).
      TrainingResult result = handle.await();
      // The job's console (standard error) has already told the outcome, once; standard output
      // carries the result only when asked for it as JSON.
      if (json) {
        spec.commandLine().getOut().println(result.toJson());
      }
      return result.succeeded() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
  }

  /** The spec file (when given) with the options on top, validated. */
  TrainingJobSpec toSpec() {
    TrainingJobSpec.Builder b;
    try {
      b = specFile == null ? TrainingJobSpec.builder() : SpecFile.read(specFile);
      if (specFile == null || name != null) {
        b.setNamePrefix(name == null ? "train" : name);
      }
      if (launcher != null) {
        b.setLauncher(Launcher.parse(launcher));
      } else if (specFile == null) {
        throw new IllegalArgumentException(
            "--launcher is required (djl, torchrun, tensorflow or command), or give --spec");
      }
      if (image != null) {
        b.optImage(image);
      }
      if (!command.isEmpty()) {
        b.replaceCommand(command);
      }
      if (workers != null) {
        b.optWorkers(workers);
      }
      if (processesPerWorker != null) {
        b.optProcessesPerWorker(processesPerWorker);
      }
      if (gpusPerWorker != null) {
        b.optGpusPerWorker(gpusPerWorker);
      }
      if (gpuType != null) {
        b.optGpuType(gpuType);
      }
      if (cpu != null || memory != null) {
        TrainingJobSpec.Resources r = b.resources();
        b.optResources(
            new TrainingJobSpec.Resources(
                cpu == null ? r.cpuRequest() : cpu,
                cpu == null ? r.cpuLimit() : cpu,
                memory == null ? r.memoryRequest() : memory,
                memory == null ? r.memoryLimit() : memory));
      }
      for (String e : env) {
        String[] kv = pair("--env", e);
        b.addEnv(kv[0], kv[1]);
      }
      for (String p : params) {
        String[] kv = pair("--param", p);
        b.addHyperparameter(kv[0], kv[1]);
      }
      if (data != null) {
        b.optDatasetManifest(SpecFile.manifest(data.toAbsolutePath()));
      }
      if (startupTimeout != null) {
        b.optStartupTimeout(duration("--startup-timeout", startupTimeout));
      }
      if (deadline != null) {
        b.optDeadline(duration("--deadline", deadline));
      }
      if (retries != null) {
        b.optRetries(retries);
      }
      if (runId != null) {
        b.optMlflowRunId(runId);
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private static Duration duration(String option, String text) {
    Duration d = SpecFile.duration(option, text);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(option + " (" + text + ") must be positive");
    }
    return d;
  }

  private static String[] pair(String option, String text) {
    int eq = text.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException(option + " (" + text + ") must be NAME=VALUE");
    }
    return new String[] {text.substring(0, eq), text.substring(eq + 1)};
  }
}
