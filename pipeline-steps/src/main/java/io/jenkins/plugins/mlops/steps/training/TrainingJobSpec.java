package io.jenkins.plugins.mlops.steps.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One training job as a user writes it, for any backend. Build it with {@link #builder()}; {@link
 * Builder#build()} validates the whole spec and reports every problem at once, each naming its
 * field, before anything is created.
 *
 * @param namePrefix the start of every name the job creates (DNS label, at most 40 characters)
 * @param image the container image (the Kubernetes backend needs one; the local backend ignores it)
 * @param command the program and its arguments, never passed through a shell; empty for the {@code
 *     djl} launcher's trainer
 * @param workers processes on different machines (pods)
 * @param processesPerWorker processes per worker ({@code torchrun}'s {@code --nproc-per-node})
 * @param gpusPerWorker {@code nvidia.com/gpu} per worker
 * @param gpuType the {@code nvidia.com/gpu.product} node label to ask for; null for any
 * @param shmSize the size of {@code /dev/shm} (a memory volume); null for the runtime's default
 * @param env plain environment variables (the contract's own names are refused)
 * @param secretEnv environment variables from Kubernetes secrets: name to secret reference
 * @param volumes persistent volume claims to mount
 * @param startupTimeout how long ranks may take to start before the job fails with a diagnosis
 * @param deadline how long the whole run may take
 * @param retries restarts of failed ranks before the job fails
 * @param ttl how long finished resources stay before they are deleted
 * @param hyperparameters passed as {@code --name value} arguments and {@code MLOPS_PARAM_<NAME>}
 * @param datasetManifest the {@code manifest.json} of the prepared data; null for none
 * @param mlflowRunId the MLflow run the job logs into; null to let the backend create one
 */
public record TrainingJobSpec(
    String namePrefix,
    Launcher launcher,
    String image,
    List<String> command,
    int workers,
    int processesPerWorker,
    int gpusPerWorker,
    String gpuType,
    Resources resources,
    String shmSize,
    Map<String, String> env,
    Map<String, SecretRef> secretEnv,
    List<Volume> volumes,
    String serviceAccount,
    Map<String, String> nodeSelector,
    List<Toleration> tolerations,
    String priorityClass,
    String queueName,
    Duration startupTimeout,
    Duration deadline,
    int retries,
    Duration ttl,
    Map<String, String> labels,
    Map<String, String> annotations,
    Map<String, String> hyperparameters,
    Path datasetManifest,
    String mlflowRunId) {

  /** CPU and memory requests and limits, as Kubernetes quantities ({@code 500m}, {@code 4Gi}). */
  public record Resources(
      String cpuRequest, String cpuLimit, String memoryRequest, String memoryLimit) {
    public static final Resources NONE = new Resources(null, null, null, null);
  }

  /** A key of a Kubernetes secret. */
  public record SecretRef(String secret, String key) {}

  /** A persistent volume claim mounted at {@code mountPath}. */
  public record Volume(String claimName, String mountPath, boolean readOnly) {}

  /** A Kubernetes toleration. */
  public record Toleration(String key, String operator, String value, String effect) {}

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
  private static final Pattern QUANTITY =
      Pattern.compile("(\\d+(\\.\\d+)?|\\.\\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e\\d+)?");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  private static final Pattern QUALIFIED_NAME =
      Pattern.compile(
          "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
              + "[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

  /** MLflow's secret variables: workers get them from the caller's tracking configuration. */
  private static final Set<String> TRACKING_SECRETS =
      Set.of("MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN");

  /** Names the launchers set; a user's env may not set them. */
  static boolean reserved(String name) {
    return name.startsWith("MLOPS_")
        || name.startsWith("PET_")
        || Set.of(
                "MLFLOW_TRACKING_URI",
                "MLFLOW_RUN_ID",
                "MLFLOW_EXPERIMENT_ID",
                "MASTER_ADDR",
                "MASTER_PORT",
                "WORLD_SIZE",
                "RANK",
                "NODE_RANK",
                "LOCAL_RANK",
                "NPROC_PER_NODE",
                "TF_CONFIG")
            .contains(name);
  }

  public TrainingJobSpec {
    command = List.copyOf(command);
    env = ordered(env);
    secretEnv = ordered(secretEnv);
    volumes = List.copyOf(volumes);
    nodeSelector = ordered(nodeSelector);
    tolerations = List.copyOf(tolerations);
    labels = ordered(labels);
    annotations = ordered(annotations);
    hyperparameters = ordered(hyperparameters);
    resources = resources == null ? Resources.NONE : resources;
    List<String> problems = new ArrayList<>();
    check(
        problems,
        namePrefix,
        launcher,
        command,
        workers,
        processesPerWorker,
        gpusPerWorker,
        gpuType);
    checkResources(problems, resources, shmSize);
    checkEnv(problems, env, secretEnv);
    checkScheduling(
        problems, volumes, serviceAccount, nodeSelector, tolerations, priorityClass, queueName);
    checkRun(
        problems,
        startupTimeout,
        deadline,
        retries,
        ttl,
        labels,
        annotations,
        hyperparameters,
        datasetManifest);
    if (image != null && (image.isBlank() || image.chars().anyMatch(Character::isWhitespace))) {
      problems.add(
          "image ("
              + image
              + ") must be an image reference without spaces, e.g. ghcr.io/acme/train:1.2");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "the training job is not valid:\n  - " + String.join("\n  - ", problems));
    }
  }

  /**
   * An unmodifiable copy in the caller's order ({@code Map.copyOf} would reorder it on every run,
   * and the order of hyperparameters is the order of the arguments).
   */
  private static <V> Map<String, V> ordered(Map<String, V> map) {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  private static void check(
      List<String> problems,
      String namePrefix,
      Launcher launcher,
      List<String> command,
      int workers,
      int processesPerWorker,
      int gpusPerWorker,
      String gpuType) {
    if (namePrefix == null
        || namePrefix.length() > 40
        || !DNS_LABEL.matcher(namePrefix).matches()) {
      problems.add(
          "name prefix ("
              + namePrefix
              + ") must be 1 to 40 lower-case letters, digits and '-', starting and ending with a"
              + " letter or digit");
    }
    if (launcher == null) {
      problems.add("launcher is required: djl, torchrun, tensorflow or command");
    }
    if (command.isEmpty() && launcher != Launcher.DJL) {
      problems.add(
          "command is required for the "
              + (launcher == null ? "" : launcher.id() + " ")
              + "launcher: the program and its arguments");
    }
    if (command.stream().anyMatch(a -> a == null)) {
      problems.add("command has a null argument");
    }
    if (workers < 1 || workers > 1000) {
      problems.add("workers (" + workers + ") must be 1 to 1000");
    }
    if (processesPerWorker < 1 || processesPerWorker > 64) {
      problems.add("processes per worker (" + processesPerWorker + ") must be 1 to 64");
    }
    if (gpusPerWorker < 0 || gpusPerWorker > 16) {
      problems.add("GPUs per worker (" + gpusPerWorker + ") must be 0 to 16");
    }
    if (gpuType != null && gpusPerWorker <= 0) {
      problems.add("GPU type (" + gpuType + ") needs GPUs per worker > 0");
    }
    if (gpuType != null && !LABEL_VALUE.matcher(gpuType).matches()) {
      problems.add(
          "GPU type (" + gpuType + ") must be a node label value such as NVIDIA-A100-SXM4-40GB");
    }
    if (launcher == Launcher.TENSORFLOW && processesPerWorker != 1) {
      problems.add(
          "processes per worker ("
              + processesPerWorker
              + ") must be 1 for the tensorflow launcher: TensorFlow runs one process per worker; use"
              + " more workers");
    }
    if ((launcher == Launcher.COMMAND || launcher == Launcher.DJL) && workers != 1) {
      problems.add(
          "workers ("
              + workers
              + ") must be 1 for the "
              + launcher.id()
              + " launcher; use torchrun or tensorflow to train on several machines");
    }
    if ((launcher == Launcher.COMMAND || launcher == Launcher.DJL) && processesPerWorker != 1) {
      problems.add(
          "processes per worker ("
              + processesPerWorker
              + ") must be 1 for the "
              + launcher.id()
              + " launcher");
    }
  }

  private static void checkResources(List<String> problems, Resources r, String shmSize) {
    quantity(problems, "cpu request", r.cpuRequest());
    quantity(problems, "cpu limit", r.cpuLimit());
    quantity(problems, "memory request", r.memoryRequest());
    quantity(problems, "memory limit", r.memoryLimit());
    quantity(problems, "shm size", shmSize);
    if (valid(r.cpuRequest())
        && valid(r.cpuLimit())
        && amount(r.cpuRequest()) > amount(r.cpuLimit())) {
      problems.add(
          "cpu request (" + r.cpuRequest() + ") is more than the cpu limit (" + r.cpuLimit() + ")");
    }
    if (valid(r.memoryRequest())
        && valid(r.memoryLimit())
        && amount(r.memoryRequest()) > amount(r.memoryLimit())) {
      problems.add(
          "memory request ("
              + r.memoryRequest()
              + ") is more than the memory limit ("
              + r.memoryLimit()
              + ")");
    }
  }

  private static boolean valid(String quantity) {
    return quantity != null && QUANTITY.matcher(quantity).matches();
  }

  private static void quantity(List<String> problems, String field, String value) {
    if (value != null && !QUANTITY.matcher(value).matches()) {
      problems.add(
          field + " (" + value + ") is not a Kubernetes quantity such as 500m, 2, 512Mi or 4Gi");
    }
  }

  /** A quantity's amount in base units (cores, bytes). */
  static double amount(String quantity) {
    String[][] suffixes = {
      {"Ki", "1024"},
      {"Mi", "1048576"},
      {"Gi", "1073741824"},
      {"Ti", "1099511627776"},
      {"Pi", "1125899906842624"},
      {"Ei", "1152921504606846976"},
      {"m", "0.001"},
      {"k", "1e3"},
      {"M", "1e6"},
      {"G", "1e9"},
      {"T", "1e12"},
      {"P", "1e15"},
      {"E", "1e18"}
    };
    for (String[] s : suffixes) {
      if (quantity.endsWith(s[0])) {
        return Double.parseDouble(quantity.substring(0, quantity.length() - s[0].length()))
            * Double.parseDouble(s[1]);
      }
    }
    return Double.parseDouble(quantity);
  }

  private static void checkEnv(
      List<String> problems, Map<String, String> env, Map<String, SecretRef> secretEnv) {
    Set<String> names = new HashSet<>();
    for (String name : env.keySet()) {
      envName(problems, "env", name);
      if (TRACKING_SECRETS.contains(name)) {
        // A value here travels in the spec (and, from a command line, in the process arguments).
        problems.add(
            "env "
                + name
                + " is a tracking credential: set it in the caller's environment (or credentials),"
                + " which passes it to every worker's environment, never as a value in the spec");
      }
      names.add(name);
    }
    secretEnv.forEach(
        (name, ref) -> {
          envName(problems, "secret env", name);
          if (!names.add(name)) {
            problems.add("env " + name + " is set both as a value and from a secret");
          }
          if (ref == null
              || ref.secret() == null
              || !DNS_SUBDOMAIN.matcher(ref.secret()).matches()) {
            problems.add(
                "secret env "
                    + name
                    + ": secret name ("
                    + (ref == null ? null : ref.secret())
                    + ") must be a Kubernetes object name");
          } else if (ref.key() == null || ref.key().isBlank()) {
            problems.add(
                "secret env " + name + ": the key in secret " + ref.secret() + " is required");
          }
        });
  }

  private static void envName(List<String> problems, String field, String name) {
    if (!ENV_NAME.matcher(name).matches()) {
      problems.add(
          field
              + " name ("
              + name
              + ") must be letters, digits and '_', not starting with a digit");
    } else if (reserved(name)) {
      problems.add(
          field
              + " "
              + name
              + " is set by the launcher (the training-container contract); use hyperparameters or"
              + " another name");
    }
  }

  private static void checkScheduling(
      List<String> problems,
      List<Volume> volumes,
      String serviceAccount,
      Map<String, String> nodeSelector,
      List<Toleration> tolerations,
      String priorityClass,
      String queueName) {
    Set<String> mounts = new HashSet<>();
    for (Volume v : volumes) {
      if (v.claimName() == null || !DNS_SUBDOMAIN.matcher(v.claimName()).matches()) {
        problems.add("volume claim name (" + v.claimName() + ") must be a Kubernetes object name");
      }
      if (v.mountPath() == null || !v.mountPath().startsWith("/")) {
        problems.add(
            "volume " + v.claimName() + ": mount path (" + v.mountPath() + ") must be absolute");
      } else if (!mounts.add(v.mountPath())) {
        problems.add("volume mount path " + v.mountPath() + " is used twice");
      }
    }
    objectName(problems, "service account", serviceAccount);
    objectName(problems, "priority class", priorityClass);
    if (queueName != null && !DNS_SUBDOMAIN.matcher(queueName).matches()) {
      problems.add("queue name (" + queueName + ") must be a Kueue LocalQueue name");
    }
    labelMap(problems, "node selector", nodeSelector);
    for (Toleration t : tolerations) {
      String op = t.operator() == null ? "Equal" : t.operator();
      if (!op.equals("Equal") && !op.equals("Exists")) {
        problems.add(
            "toleration " + t.key() + ": operator (" + t.operator() + ") must be Equal or Exists");
      }
      if (op.equals("Exists") && t.value() != null && !t.value().isEmpty()) {
        problems.add(
            "toleration " + t.key() + ": operator Exists takes no value (" + t.value() + ")");
      }
      if (t.effect() != null
          && !Set.of("", "NoSchedule", "PreferNoSchedule", "NoExecute").contains(t.effect())) {
        problems.add(
            "toleration "
                + t.key()
                + ": effect ("
                + t.effect()
                + ") must be NoSchedule, PreferNoSchedule or NoExecute");
      }
      if ((t.key() == null || t.key().isEmpty()) && !op.equals("Exists")) {
        problems.add("a toleration without a key needs operator Exists");
      }
    }
  }

  private static void objectName(List<String> problems, String field, String value) {
    if (value != null && (value.length() > 253 || !DNS_SUBDOMAIN.matcher(value).matches())) {
      problems.add(
          field
              + " ("
              + value
              + ") must be a Kubernetes object name (lower case, digits, '-', '.')");
    }
  }

  private static void labelMap(List<String> problems, String field, Map<String, String> map) {
    map.forEach(
        (k, v) -> {
          if (!QUALIFIED_NAME.matcher(k).matches() || k.length() > 316) {
            problems.add(field + " key (" + k + ") is not a valid label key");
          }
          if (v == null || v.length() > 63 || !LABEL_VALUE.matcher(v).matches()) {
            problems.add(field + " " + k + ": value (" + v + ") is not a valid label value");
          }
        });
  }

  private static void checkRun(
      List<String> problems,
      Duration startupTimeout,
      Duration deadline,
      int retries,
      Duration ttl,
      Map<String, String> labels,
      Map<String, String> annotations,
      Map<String, String> hyperparameters,
      Path datasetManifest) {
    positive(problems, "startup timeout", startupTimeout);
    positive(problems, "deadline", deadline);
    if (startupTimeout != null && deadline != null && startupTimeout.compareTo(deadline) > 0) {
      problems.add(
          "startup timeout ("
              + startupTimeout
              + ") is longer than the deadline ("
              + deadline
              + ")");
    }
    if (retries < 0 || retries > 100) {
      problems.add("retries (" + retries + ") must be 0 to 100");
    }
    if (ttl != null && ttl.isNegative()) {
      problems.add("ttl (" + ttl + ") must not be negative");
    }
    labelMap(problems, "label", labels);
    annotations.keySet().stream()
        .filter(k -> !QUALIFIED_NAME.matcher(k).matches())
        .forEach(k -> problems.add("annotation key (" + k + ") is not a valid key"));
    Set<String> upper = new HashSet<>();
    hyperparameters.forEach(
        (name, value) -> {
          if (!PARAM_NAME.matcher(name).matches()) {
            problems.add(
                "hyperparameter name ("
                    + name
                    + ") must be letters, digits and '_', starting with a letter (it becomes"
                    + " MLOPS_PARAM_<NAME>)");
          } else if (!upper.add(name.toUpperCase(java.util.Locale.ROOT))) {
            problems.add("hyperparameters " + name + " and another differ only in case");
          }
          if (value == null) {
            problems.add("hyperparameter " + name + " has no value");
          }
        });
    if (datasetManifest != null && !Files.isRegularFile(datasetManifest)) {
      problems.add(
          "dataset manifest ("
              + datasetManifest
              + ") does not exist; give the manifest.json of mlops prepare");
    }
  }

  private static void positive(List<String> problems, String field, Duration d) {
    if (d != null && (d.isZero() || d.isNegative())) {
      problems.add(field + " (" + d + ") must be positive");
    }
  }

  /**
   * How long workers may take to start when the spec does not say (or the deadline when shorter).
   */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(10);

  /** A builder with the defaults: one worker, one process, no GPU, 10 minutes to start. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link TrainingJobSpec}: {@code setX} for required values, {@code optX} for the rest.
   */
  public static final class Builder {
    private String namePrefix;
    private Launcher launcher;
    private String image;
    private final List<String> command = new ArrayList<>();
    private int workers = 1;
    private int processesPerWorker = 1;
    private int gpusPerWorker;
    private String gpuType;
    private Resources resources = Resources.NONE;
    private String shmSize;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, SecretRef> secretEnv = new LinkedHashMap<>();
    private final List<Volume> volumes = new ArrayList<>();
    private String serviceAccount;
    private final Map<String, String> nodeSelector = new LinkedHashMap<>();
    private final List<Toleration> tolerations = new ArrayList<>();
    private String priorityClass;
    private String queueName;
    private Duration startupTimeout;
    private Duration deadline;
    private int retries;
    private Duration ttl = Duration.ofHours(1);
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private final Map<String, String> hyperparameters = new LinkedHashMap<>();
    private Path datasetManifest;
    private String mlflowRunId;

    public Builder setNamePrefix(String value) {
      namePrefix = value;
      return this;
    }

    public Builder setLauncher(Launcher value) {
      launcher = value;
      return this;
    }

    public Builder optImage(String value) {
      image = value;
      return this;
    }

    public Builder addCommand(String... parts) {
      command.addAll(List.of(parts));
      return this;
    }

    /** Replaces the command (e.g. a spec file's) with {@code parts}. */
    public Builder replaceCommand(List<String> parts) {
      command.clear();
      command.addAll(parts);
      return this;
    }

    public Builder optWorkers(int value) {
      workers = value;
      return this;
    }

    public Builder optProcessesPerWorker(int value) {
      processesPerWorker = value;
      return this;
    }

    public Builder optGpusPerWorker(int value) {
      gpusPerWorker = value;
      return this;
    }

    public Builder optGpuType(String value) {
      gpuType = value;
      return this;
    }

    public Builder optResources(Resources value) {
      resources = value;
      return this;
    }

    /** The resources set so far. */
    public Resources resources() {
      return resources;
    }

    public Builder optShmSize(String value) {
      shmSize = value;
      return this;
    }

    public Builder addEnv(String name, String value) {
      env.put(name, value);
      return this;
    }

    public Builder addSecretEnv(String name, String secret, String key) {
      secretEnv.put(name, new SecretRef(secret, key));
      return this;
    }

    public Builder addVolume(String claimName, String mountPath, boolean readOnly) {
      volumes.add(new Volume(claimName, mountPath, readOnly));
      return this;
    }

    public Builder optServiceAccount(String value) {
      serviceAccount = value;
      return this;
    }

    public Builder addNodeSelector(String key, String value) {
      nodeSelector.put(key, value);
      return this;
    }

    public Builder addToleration(Toleration value) {
      tolerations.add(value);
      return this;
    }

    public Builder optPriorityClass(String value) {
      priorityClass = value;
      return this;
    }

    public Builder optQueueName(String value) {
      queueName = value;
      return this;
    }

    public Builder optStartupTimeout(Duration value) {
      startupTimeout = value;
      return this;
    }

    public Builder optDeadline(Duration value) {
      deadline = value;
      return this;
    }

    public Builder optRetries(int value) {
      retries = value;
      return this;
    }

    public Builder optTtl(Duration value) {
      ttl = value;
      return this;
    }

    public Builder addLabel(String key, String value) {
      labels.put(key, value);
      return this;
    }

    public Builder addAnnotation(String key, String value) {
      annotations.put(key, value);
      return this;
    }

    public Builder addHyperparameter(String name, String value) {
      hyperparameters.put(name, value);
      return this;
    }

    public Builder optDatasetManifest(Path value) {
      datasetManifest = value;
      return this;
    }

    public Builder optMlflowRunId(String value) {
      mlflowRunId = value;
      return this;
    }

    /** Validates and builds; every problem is reported at once, each naming its field. */
    public TrainingJobSpec build() {
      return new TrainingJobSpec(
          namePrefix,
          launcher,
          image,
          command,
          workers,
          processesPerWorker,
          gpusPerWorker,
          gpuType,
          resources,
          shmSize,
          env,
          secretEnv,
          volumes,
          serviceAccount,
          nodeSelector,
          tolerations,
          priorityClass,
          queueName,
          startupTimeout != null
              ? startupTimeout
              : deadline != null && deadline.compareTo(DEFAULT_STARTUP_TIMEOUT) < 0
                  ? deadline
                  : DEFAULT_STARTUP_TIMEOUT,
          deadline,
          retries,
          ttl,
          labels,
          annotations,
          hyperparameters,
          datasetManifest,
          mlflowRunId);
    }
  }
}
