package io.jenkins.plugins.mlops.harness.internal;

import io.jenkins.plugins.mlops.harness.ProcessResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds, or finds complete, the virtual environment for one requirements text under a cache root.
 * An environment is complete only once its marker file exists; anything else in its place is a
 * leftover of an interrupted build and is removed before building again.
 */
public final class PythonEnvironmentBuilder {

  /** Written last, so that its presence means the environment is whole. */
  public static final String COMPLETE_MARKER = ".mlops-complete";

  private static final Object JVM_LOCK = new Object();
  private static final Duration PIP_LIMIT = Duration.ofMinutes(40);
  private static final int KEPT_OUTPUT_LINES = 400;

  private final String interpreter;
  private final Path cacheRoot;
  private final Consumer<String> progress;

  /** A failure to build, with the package pip failed on when it named one. */
  public static final class BuildFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final String failedPackage;

    BuildFailure(String message, String failedPackage, Throwable cause) {
      super(message, cause);
      this.failedPackage = failedPackage;
    }

    /** The package pip failed on, or {@code null}. */
    public String failedPackage() {
      return failedPackage;
    }
  }

  public PythonEnvironmentBuilder(String interpreter, Path cacheRoot, Consumer<String> progress) {
    this.interpreter = interpreter;
    this.cacheRoot = cacheRoot;
    this.progress = line -> progress.accept("[python-env] " + line);
  }

  /**
   * Returns the home of the complete environment for {@code requirements}, building it if needed.
   */
  public Path createOrReuse(String requirements) throws BuildFailure {
    String version = interpreterVersion();
    String key = "py" + version + "-" + digest(requirements + "\n# python " + version);
    Path envs = cacheRoot.resolve("python");
    Path home = envs.resolve(key);
    try {
      Files.createDirectories(envs);
      synchronized (JVM_LOCK) {
        try (FileChannel channel =
                FileChannel.open(
                    envs.resolve(key + ".lock"),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = lockWaitingVisibly(channel, home)) {
          if (isComplete(home)) {
            progress.accept("reusing " + home + " (built for this requirements file)");
            return home;
          }
          build(home, requirements, version);
          return home;
        }
      }
    } catch (IOException e) {
      throw new BuildFailure(
          "could not create the Python environment at " + home + ": " + e.getMessage(), null, e);
    }
  }

  private FileLock lockWaitingVisibly(FileChannel channel, Path home) throws IOException {
    FileLock lock = channel.tryLock();
    if (lock != null) {
      return lock;
    }
    progress.accept("waiting for another process that is building " + home);
    return channel.lock();
  }

  private static boolean isComplete(Path home) {
    return Files.isRegularFile(home.resolve(COMPLETE_MARKER))
        && Files.isExecutable(home.resolve("bin").resolve("python"));
  }

  private String interpreterVersion() throws BuildFailure {
    ProcessResult result;
    try {
      result =
          Processes.run(
              new ProcessBuilder(
                  interpreter,
                  "-c",
                  "import sys, venv, ensurepip; print('%d.%d.%d' % sys.version_info[:3])"),
              Duration.ofSeconds(60));
    } catch (UncheckedIOException e) {
      throw new BuildFailure(
          "no Python interpreter '"
              + interpreter
              + "' could be started ("
              + e.getCause().getMessage()
              + "); install Python 3.11 with venv and pip, or point MLOPS_PYTHON at one",
          null,
          e);
    }
    if (!result.succeeded()) {
      String why = result.stderr().contains("ensurepip") ? " (on Debian/Ubuntu: python3-venv)" : "";
      throw new BuildFailure(
          "the Python interpreter '"
              + interpreter
              + "' lacks the venv module or ensurepip"
              + why
              + ":\n"
              + result.stderr(),
          null,
          null);
    }
    return result.stdout().trim();
  }

  private void build(Path home, String requirements, String version)
      throws IOException, BuildFailure {
    Instant start = Instant.now();
    if (Files.exists(home)) {
      progress.accept("removing the incomplete environment left at " + home);
      FileTrees.delete(home);
    }
    progress.accept(
        "creating a Python " + version + " virtual environment at " + home + " (first run only)");
    ProcessResult venv =
        Processes.run(
            new ProcessBuilder(interpreter, "-m", "venv", home.toString()), Duration.ofMinutes(5));
    if (!venv.succeeded()) {
      BuildFailure failure =
          new BuildFailure("python -m venv failed:\n" + venv.stdout() + venv.stderr(), null, null);
      deleteAfterFailure(home, failure);
      throw failure;
    }
    Path requirementsFile = home.resolve("requirements.txt");
    Files.writeString(requirementsFile, requirements, StandardCharsets.UTF_8);
    pipInstall(home, requirementsFile, countRequirements(requirements));
    Path marker = home.resolve(COMPLETE_MARKER + ".tmp");
    Files.writeString(marker, "python " + version + "\nbuilt " + Instant.now() + "\n");
    Files.move(marker, home.resolve(COMPLETE_MARKER), StandardCopyOption.ATOMIC_MOVE);
    progress.accept(
        "ready in " + Duration.between(start, Instant.now()).toSeconds() + " s: " + home);
  }

  private void pipInstall(Path home, Path requirementsFile, int total)
      throws IOException, BuildFailure {
    ProcessBuilder builder =
        new ProcessBuilder(
                home.resolve("bin").resolve("python").toString(),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--progress-bar",
                "off",
                "-r",
                requirementsFile.toString())
            .redirectErrorStream(true);
    builder.environment().put("PYTHONNOUSERSITE", "1");
    Process pip = builder.start();
    java.util.concurrent.atomic.AtomicBoolean timedOut =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread watchdog = watchdog(pip, timedOut);
    ArrayDeque<String> kept = new ArrayDeque<>();
    int collected = 0;
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(pip.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (kept.size() == KEPT_OUTPUT_LINES) {
          kept.removeFirst();
        }
        kept.addLast(line);
        collected += reportProgress(line, collected, total);
      }
    } catch (IOException e) {
      watchdog.interrupt();
      Processes.killTree(pip.toHandle(), Duration.ofSeconds(5));
      deleteAfterFailure(home, e);
      throw e;
    }
    int exit;
    try {
      exit = pip.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      Processes.killTree(pip.toHandle(), Duration.ofSeconds(5));
      BuildFailure failure =
          new BuildFailure("interrupted while pip was installing into " + home, null, e);
      deleteAfterFailure(home, failure);
      throw failure;
    } finally {
      watchdog.interrupt();
    }
    if (exit != 0) {
      List<String> lines = new ArrayList<>(kept);
      String failed = PipOutput.failedPackage(lines).orElse(null);
      String why =
          timedOut.get()
              ? "pip install ran longer than " + PIP_LIMIT + " and was stopped"
              : failed == null
                  ? "pip install failed (exit " + exit + ")"
                  : "pip could not install Python package '" + failed + "' (exit " + exit + ")";
      BuildFailure failure =
          new BuildFailure(
              why
                  + " from the pinned requirements; last pip output:\n"
                  + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())),
              failed,
              null);
      deleteAfterFailure(home, failure);
      throw failure;
    }
  }

  private int reportProgress(String line, int collected, int total) {
    var name = PipOutput.collecting(line);
    if (name.isPresent()) {
      progress.accept("[" + (collected + 1) + "/" + total + "] collecting " + name.get());
      return 1;
    }
    if (line.startsWith("Installing collected packages")
        || line.startsWith("Successfully installed")
        || line.startsWith("ERROR")) {
      String shown = line.length() > 160 ? line.substring(0, 160) + " ..." : line;
      progress.accept(shown);
    }
    return 0;
  }

  /** Removes a failed build; a failure to remove it is attached to {@code cause}, not thrown. */
  private static void deleteAfterFailure(Path home, Throwable cause) {
    try {
      FileTrees.delete(home);
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  private Thread watchdog(Process pip, java.util.concurrent.atomic.AtomicBoolean timedOut) {
    Thread thread =
        new Thread(
            () -> {
              try {
                Thread.sleep(PIP_LIMIT.toMillis());
                timedOut.set(true);
                progress.accept("pip ran longer than " + PIP_LIMIT + "; stopping it");
                Processes.killTree(pip.toHandle(), Duration.ofSeconds(5));
              } catch (InterruptedException finished) {
                // pip finished in time
              }
            },
            "pip-watchdog");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static int countRequirements(String requirements) {
    return (int)
        requirements
            .lines()
            .map(String::strip)
            .filter(line -> !line.isEmpty() && !line.startsWith("#") && !line.startsWith("-"))
            .count();
  }

  static String digest(String text) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
