package io.jenkins.plugins.mlops.steps.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training-container contract of design.md, per rank: what every worker's process gets as its
 * argument vector (never a shell string) and environment, for each {@link Launcher}. The backends
 * decide where workers run ({@link Topology}) and what the run's directories are ({@link
 * Contract}); this decides everything else, the same way for local processes and for pods.
 */
public final class Launchers {

  /** Kubeflow's default ports: PyTorchJob's master and TFJob's workers. */
  public static final int TORCH_PORT = 23456;

  public static final int TENSORFLOW_PORT = 2222;

  /**
   * Where the workers are: worker {@code i} is reachable at {@code hosts[i]} and listens on {@code
   * ports[i]} (TensorFlow's server; for torchrun, worker 0's port is the rendezvous).
   */
  public record Topology(List<String> hosts, List<Integer> ports) {
    public Topology {
      hosts = List.copyOf(hosts);
      ports = List.copyOf(ports);
      if (hosts.isEmpty() || hosts.size() != ports.size()) {
        throw new IllegalArgumentException(
            "a topology needs one host and one port per worker: " + hosts + " " + ports);
      }
    }
  }

  /**
   * The run's side of the contract: MLflow and the directories (null values are left out).
   *
   * @param trainerCommand how to start the built-in trainer, for the {@code djl} launcher
   * @param trackingEnv MLflow's variables for reaching the server as the caller does (credentials,
   *     TLS, timeout, retries: {@code TrackingClient.childEnvironment()}); they go into the
   *     workers' environment only, never into their arguments, and the record's {@code toString()}
   *     shows only their names
   */
  public record Contract(
      String trackingUri,
      String runId,
      String experimentId,
      String dataDir,
      String logdir,
      String outputDir,
      String checkpointDir,
      List<String> trainerCommand,
      Map<String, String> trackingEnv) {
    public Contract {
      trainerCommand = trainerCommand == null ? List.of() : List.copyOf(trainerCommand);
      trackingEnv =
          trackingEnv == null
              ? Map.of()
              : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(trackingEnv));
    }

    @Override
    public String toString() {
      return "Contract[trackingUri="
          + trackingUri
          + ", runId="
          + runId
          + ", experimentId="
          + experimentId
          + ", dataDir="
          + dataDir
          + ", logdir="
          + logdir
          + ", outputDir="
          + outputDir
          + ", checkpointDir="
          + checkpointDir
          + ", trainerCommand="
          + trainerCommand
          + ", trackingEnv="
          + trackingEnv.keySet()
          + "]";
    }
  }

  /**
   * One worker's process: its argument vector and environment. The environment may hold the
   * tracking credentials, so {@code toString()} shows only its names.
   */
  public record RankLaunch(int worker, List<String> argv, Map<String, String> env) {
    @Override
    public String toString() {
      return "RankLaunch[worker=" + worker + ", argv=" + argv + ", env=" + env.keySet() + "]";
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private Launchers() {}

  /** The launch of every worker of {@code spec}, in worker order. */
  public static List<RankLaunch> plan(TrainingJobSpec spec, Topology topology, Contract contract) {
    if (topology.hosts().size() != spec.workers()) {
      throw new IllegalArgumentException(
          "the topology has "
              + topology.hosts().size()
              + " workers; the spec asks for "
              + spec.workers());
    }
    List<String> argv = new ArrayList<>(spec.command());
    if (spec.launcher() == Launcher.DJL && argv.isEmpty()) {
      argv.addAll(contract.trainerCommand());
    }
    Map<String, String> hyperparameters = new LinkedHashMap<>(spec.hyperparameters());
    if (spec.launcher() == Launcher.DJL && !hyperparameters.containsKey("devices")) {
      hyperparameters.put("devices", spec.gpusPerWorker() > 0 ? "gpu" : "cpu");
    }
    hyperparameters.forEach(
        (name, value) -> {
          argv.add("--" + name);
          argv.add(value);
        });
    List<RankLaunch> launches = new ArrayList<>();
    for (int worker = 0; worker < spec.workers(); worker++) {
      Map<String, String> env = new LinkedHashMap<>(spec.env());
      env.put("PYTHONUNBUFFERED", "1");
      // The caller's way to the server (credentials included) beats anything of the same name.
      env.putAll(contract.trackingEnv());
      put(env, "MLFLOW_TRACKING_URI", contract.trackingUri());
      put(env, "MLFLOW_RUN_ID", contract.runId());
      put(env, "MLFLOW_EXPERIMENT_ID", contract.experimentId());
      put(env, "MLOPS_DATA_DIR", contract.dataDir());
      put(env, "MLOPS_LOGDIR", contract.logdir());
      put(env, "MLOPS_OUTPUT_DIR", contract.outputDir());
      put(env, "MLOPS_CHECKPOINT_DIR", contract.checkpointDir());
      env.put("MLOPS_WORKER_INDEX", Integer.toString(worker));
      env.put("MLOPS_WORKERS", Integer.toString(spec.workers()));
      hyperparameters.forEach(
          (name, value) -> env.put("MLOPS_PARAM_" + name.toUpperCase(Locale.ROOT), value));
      switch (spec.launcher()) {
        case TORCHRUN -> torchrun(env, spec, topology, worker);
        case TENSORFLOW -> tensorflow(env, spec, topology, worker);
        default -> {}
      }
      launches.add(
          new RankLaunch(worker, List.copyOf(argv), java.util.Collections.unmodifiableMap(env)));
    }
    return List.copyOf(launches);
  }

  private static void put(Map<String, String> env, String name, String value) {
    if (value != null) {
      env.put(name, value);
    }
  }

  /** PyTorchJob's variables, plain and {@code PET_} (torchrun reads the latter as its defaults). */
  private static void torchrun(
      Map<String, String> env, TrainingJobSpec spec, Topology topology, int worker) {
    String master = topology.hosts().get(0);
    String port = Integer.toString(topology.ports().get(0));
    String nproc = Integer.toString(spec.processesPerWorker());
    env.put("MASTER_ADDR", master);
    env.put("MASTER_PORT", port);
    env.put("WORLD_SIZE", Integer.toString(spec.workers() * spec.processesPerWorker()));
    env.put("NODE_RANK", Integer.toString(worker));
    env.put("RANK", Integer.toString(worker));
    env.put("NPROC_PER_NODE", nproc);
    env.put("PET_MASTER_ADDR", master);
    env.put("PET_MASTER_PORT", port);
    env.put("PET_NNODES", Integer.toString(spec.workers()));
    env.put("PET_NODE_RANK", Integer.toString(worker));
    env.put("PET_NPROC_PER_NODE", nproc);
  }

  /** TFJob's {@code TF_CONFIG}, set only when there are several workers (as Kubeflow does). */
  private static void tensorflow(
      Map<String, String> env, TrainingJobSpec spec, Topology topology, int worker) {
    if (spec.workers() < 2) {
      return;
    }
    env.put("TF_CONFIG", tfConfig(topology, worker));
  }

  /**
   * {@code {"cluster":{"worker":[...]},"task":{"type":"worker","index":i},"environment":"cloud"}}.
   */
  static String tfConfig(Topology topology, int worker) {
    List<String> workers = new ArrayList<>();
    for (int i = 0; i < topology.hosts().size(); i++) {
      workers.add(topology.hosts().get(i) + ":" + topology.ports().get(i));
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("cluster", Map.of("worker", workers));
    Map<String, Object> task = new LinkedHashMap<>();
    task.put("type", "worker");
    task.put("index", worker);
    config.put("task", task);
    config.put("environment", "cloud");
    try {
      return JSON.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
