package io.jenkins.plugins.mlops.harness;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of a finished command: its exit code and everything it printed.
 *
 * @param command the command line that ran
 * @param exitCode the process exit status
 * @param stdout what the process wrote to standard output
 * @param stderr what the process wrote to standard error
 */
public record ProcessResult(List<String> command, int exitCode, String stdout, String stderr) {

  public ProcessResult {
    command = List.copyOf(command);
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(stderr, "stderr");
  }

  /** Whether the process exited with status 0. */
  public boolean succeeded() {
    return exitCode == 0;
  }

  /**
   * Returns this result when the process succeeded.
   *
   * @throws IllegalStateException naming the command, its exit code and its output otherwise
   */
  public ProcessResult requireSuccess() {
    if (!succeeded()) {
      throw new IllegalStateException(
          "command "
              + command
              + " exited with status "
              + exitCode
              + "\n--- stdout ---\n"
              + stdout
              + "\n--- stderr ---\n"
              + stderr);
    }
    return this;
  }
}
