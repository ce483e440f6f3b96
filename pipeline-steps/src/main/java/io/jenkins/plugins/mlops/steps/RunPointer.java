package io.jenkins.plugins.mlops.steps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * A small file that remembers which MLflow run something made (a synced logdir, a training job), so
 * that doing it again continues that run instead of making another. Written to a temporary name and
 * renamed, so it is never half-written.
 */
public final class RunPointer {

  private RunPointer() {}

  /** The run id in {@code file}; empty when there is none. */
  public static Optional<String> read(Path file) {
    try {
      return Files.isRegularFile(file)
          ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip())
              .filter(s -> !s.isEmpty())
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Writes {@code runId} into {@code file}. */
  public static void write(Path file, String runId) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, runId + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
