package io.jenkins.plugins.mlops.harness;

import io.jenkins.plugins.mlops.harness.internal.PythonEnvironmentBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A Python virtual environment holding the project's Python peers (MLflow, TensorFlow, TensorBoard,
 * tbparse, pandas, scikit-learn, Optuna), built from the repository's one pinned requirements file.
 *
 * <p>The environment is created once and cached under the user's cache directory, keyed by the hash
 * of the requirements (and the interpreter's version), so later test runs reuse it in milliseconds.
 * The cache root is, in order: system property {@code mlops.cache.dir}, environment variable {@code
 * MLOPS_CACHE_DIR}, {@code $XDG_CACHE_HOME/mlops}, {@code ~/.cache/mlops}. The base interpreter is
 * {@code $MLOPS_PYTHON}, else {@code python3} on the {@code PATH}.
 *
 * <p>Creation is safe across threads and processes (a file lock per environment) and never leaves a
 * half-built environment in use: an environment counts only once its completion marker is written.
 * Instances are immutable handles and thread-safe.
 */
public final class PythonEnvironment {

  /** Where the pinned requirements file travels inside the harness jar. */
  static final String REQUIREMENTS_RESOURCE = "requirements.txt";

  private static PythonEnvironment shared;
  private static PythonEnvironmentException sharedFailure;

  private final Path home;

  private PythonEnvironment(Path home) {
    this.home = home;
  }

  /**
   * The environment for the repository's pinned requirements, created on first use (with progress
   * on standard output) and reused afterwards.
   *
   * @throws PythonEnvironmentException when it cannot be created; the message says why and which
   *     package failed. The failure is remembered, so later callers in the same JVM fail at once
   *     instead of repeating a long install.
   */
  public static synchronized PythonEnvironment shared() {
    if (sharedFailure != null) {
      throw sharedFailure;
    }
    if (shared == null) {
      try {
        shared = create(bundledRequirements(), defaultCacheRoot(), System.out::println);
      } catch (PythonEnvironmentException e) {
        sharedFailure = e;
        throw e;
      }
    }
    return shared;
  }

  /**
   * Creates, or reuses when already complete, the environment for {@code requirements} under {@code
   * cacheRoot}.
   *
   * @param requirements the text of a pip requirements file
   * @param cacheRoot the directory that holds cached environments
   * @param progress receives one line per step (and per package while installing)
   */
  public static PythonEnvironment create(
      String requirements, Path cacheRoot, Consumer<String> progress) {
    Objects.requireNonNull(requirements, "requirements");
    Objects.requireNonNull(cacheRoot, "cacheRoot");
    Objects.requireNonNull(progress, "progress");
    try {
      return new PythonEnvironment(
          new PythonEnvironmentBuilder(baseInterpreter(), cacheRoot, progress)
              .createOrReuse(requirements));
    } catch (PythonEnvironmentBuilder.BuildFailure e) {
      throw new PythonEnvironmentException(e.getMessage(), e.failedPackage(), e.getCause());
    }
  }

  /** The text of the repository's pinned requirements file, as bundled in the harness. */
  public static String bundledRequirements() {
    try (InputStream in = PythonEnvironment.class.getResourceAsStream(REQUIREMENTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the harness jar lacks "
                + REQUIREMENTS_RESOURCE
                + "; it is copied from python/requirements.txt at build time");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The directory that holds cached environments (see the class documentation). */
  public static Path defaultCacheRoot() {
    String property = System.getProperty("mlops.cache.dir");
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    String env = System.getenv("MLOPS_CACHE_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "mlops");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "mlops");
  }

  private static String baseInterpreter() {
    String configured = System.getenv("MLOPS_PYTHON");
    return configured == null || configured.isBlank() ? "python3" : configured;
  }

  /** The environment's root directory. */
  public Path home() {
    return home;
  }

  /** The environment's Python interpreter. */
  public Path python() {
    return executable("python");
  }

  /** An executable the environment installed, such as {@code mlflow} or {@code tensorboard}. */
  public Path executable(String name) {
    Path path = home.resolve("bin").resolve(name);
    if (!Files.isExecutable(path)) {
      throw new IllegalArgumentException(
          "executable (" + name + ") is not installed in the Python environment at " + home);
    }
    return path;
  }

  /**
   * A process builder for {@code command} with this environment activated: its {@code bin} first on
   * the {@code PATH}, {@code VIRTUAL_ENV} set, user site-packages and telemetry off. A first word
   * without a slash that names an executable of the environment is resolved to it.
   */
  public ProcessBuilder processBuilder(List<String> command) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command may not be empty");
    }
    List<String> resolved = new ArrayList<>(command);
    String first = resolved.get(0);
    if (!first.contains("/") && Files.isExecutable(home.resolve("bin").resolve(first))) {
      resolved.set(0, home.resolve("bin").resolve(first).toString());
    }
    ProcessBuilder builder = new ProcessBuilder(resolved);
    Map<String, String> env = builder.environment();
    env.put("VIRTUAL_ENV", home.toString());
    env.put(
        "PATH", home.resolve("bin") + java.io.File.pathSeparator + env.getOrDefault("PATH", ""));
    env.remove("PYTHONHOME");
    env.remove("PYTHONPATH");
    env.put("PYTHONNOUSERSITE", "1");
    env.put("PYTHONUNBUFFERED", "1");
    env.put("MLFLOW_DISABLE_TELEMETRY", "true");
    env.put("DO_NOT_TRACK", "true");
    env.put("MLFLOW_ALLOW_FILE_STORE", "true"); // our tests read file stores we wrote
    return builder;
  }

  /** Runs {@code command} in this environment to completion, capturing its output. */
  public ProcessResult run(Duration timeout, List<String> command) {
    return io.jenkins.plugins.mlops.harness.internal.Processes.run(
        processBuilder(command), timeout);
  }

  /** Runs this environment's Python with {@code args} (a script path or {@code -c}, then more). */
  public ProcessResult runPython(Duration timeout, String... args) {
    List<String> command = new ArrayList<>();
    command.add(python().toString());
    command.addAll(Arrays.asList(args));
    return run(timeout, command);
  }

  @Override
  public String toString() {
    return "PythonEnvironment[" + home + "]";
  }
}
