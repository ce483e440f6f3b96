package io.jenkins.plugins.mlops.steps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A short helper process (the trainer's {@code --check}, a Python probe): its output goes to a
 * temporary file while it runs, so the time limit holds even when it hangs without a word, and it
 * is killed, children included, when the limit passes or the caller is interrupted.
 */
public final class ShortProcess {

  /**
   * How it ended.
   *
   * @param exitCode its exit status; -1 when it was killed at the limit
   * @param output what it printed, standard error included
   */
  public record Result(int exitCode, String output) {
    public boolean timedOut() {
      return exitCode == -1;
    }
  }

  private ShortProcess() {}

  /** Runs {@code builder} (its output redirected here) for at most {@code limit}. */
  public static Result run(ProcessBuilder builder, Duration limit)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("mlops-process", ".out");
    Process p = null;
    try {
      builder.redirectErrorStream(true).redirectOutput(out.toFile());
      p = builder.start();
      p.getOutputStream().close();
      boolean ended = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
      String text = Files.readString(out, StandardCharsets.UTF_8);
      return new Result(ended ? p.exitValue() : -1, text);
    } finally {
      if (p != null && p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      Files.deleteIfExists(out);
    }
  }
}
