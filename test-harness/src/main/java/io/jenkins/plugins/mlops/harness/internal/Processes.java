package io.jenkins.plugins.mlops.harness.internal;

import io.jenkins.plugins.mlops.harness.ProcessResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs commands with a time limit and stops whole process trees. Stateless and thread-safe. */
public final class Processes {

  private Processes() {}

  /**
   * Runs {@code builder}'s command to completion, capturing standard output and error separately.
   * Output goes through temporary files, so a chatty process can never block on a full pipe.
   *
   * @throws IllegalStateException when the process outlives {@code timeout}; its whole tree is
   *     killed first and the message carries what it printed
   */
  public static ProcessResult run(ProcessBuilder builder, Duration timeout) {
    Path out = null;
    Path err = null;
    Process process = null;
    try {
      out = Files.createTempFile("mlops-proc-", ".out");
      err = Files.createTempFile("mlops-proc-", ".err");
      builder.redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
      process = builder.start();
      boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        killTree(process.toHandle(), Duration.ofSeconds(5));
        throw new IllegalStateException(
            "command "
                + builder.command()
                + " did not finish within "
                + timeout
                + " and was killed\n--- stdout ---\n"
                + tail(Files.readString(out, StandardCharsets.UTF_8), 60)
                + "\n--- stderr ---\n"
                + tail(Files.readString(err, StandardCharsets.UTF_8), 60));
      }
      return new ProcessResult(
          builder.command(),
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not run " + builder.command() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killTree(process.toHandle(), Duration.ofSeconds(5));
      throw new IllegalStateException("interrupted while running " + builder.command(), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /**
   * Stops {@code root} and every process it started: a polite termination first, then, after {@code
   * grace}, a forced kill of whatever is still alive. Children are collected before the parent is
   * signalled, because an orphan is no longer a descendant once its parent has died.
   *
   * @return the processes that were still alive when this method gave up (empty on success)
   */
  public static List<ProcessHandle> killTree(ProcessHandle root, Duration grace) {
    List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
    tree.add(0, root);
    tree.forEach(ProcessHandle::destroy);
    waitForExit(tree, grace);
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    waitForExit(tree, Duration.ofSeconds(5));
    return tree.stream().filter(ProcessHandle::isAlive).toList();
  }

  /** The last {@code lines} lines of {@code text}. */
  public static String tail(String text, int lines) {
    String[] all = text.split("\n", -1);
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
  }

  private static void waitForExit(List<ProcessHandle> tree, Duration limit) {
    Instant deadline = Instant.now().plus(limit);
    while (tree.stream().anyMatch(ProcessHandle::isAlive) && Instant.now().isBefore(deadline)) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static java.io.File nullDevice() {
    return new java.io.File("/dev/null");
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover temporary file is harmless
      }
    }
  }
}
