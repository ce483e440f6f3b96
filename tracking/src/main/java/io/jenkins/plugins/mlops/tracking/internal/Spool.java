package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Where {@code log-batch} requests wait while the server is unreachable: one append-only file per
 * run ({@code <runId>.jsonl}, one request a line) and a count of lines already delivered ({@code
 * <runId>.sent}, replaced atomically). Replay sends the undelivered lines in order. A crash between
 * sending a line and recording it sends that line again, which is harmless: MLflow keeps one copy
 * of an identical metric point, and an identical param or tag. A torn last line (a crash while
 * writing it) is ignored. Thread-safe.
 */
public final class Spool {

  private final Path dir;
  private final Consumer<String> console;

  /**
   * Undelivered request counts by run, valid while both files look as they did when counted
   * (another spool on the same folder, or another process, may have changed them).
   */
  private final java.util.Map<String, Count> counts = new java.util.HashMap<>();

  private record Count(int pending, String stamp) {}

  public Spool(Path dir, Consumer<String> console) {
    this.dir = dir;
    this.console = console;
  }

  /** The folder holding the spool files. */
  public Path dir() {
    return dir;
  }

  /** Appends {@code bodies} to the run's spool file, durably, in order. */
  public synchronized void append(String runId, List<ObjectNode> bodies) {
    try {
      Files.createDirectories(dir);
      StringBuilder lines = new StringBuilder();
      for (ObjectNode body : bodies) {
        lines.append(Json.MAPPER.writeValueAsString(body)).append('\n');
      }
      try (FileChannel channel =
          FileChannel.open(
              file(runId),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND)) {
        ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not write the MLflow spool " + file(runId) + ": " + e.getMessage(), e);
    }
  }

  /** How many requests of the run wait to be delivered. */
  public synchronized int pending(String runId) {
    String stamp = stamp(runId);
    Count known = counts.get(runId);
    if (known != null && known.stamp().equals(stamp)) {
      return known.pending();
    }
    int pending = Math.max(0, lines(runId).size() - sent(runId));
    counts.put(runId, new Count(pending, stamp));
    return pending;
  }

  /** The request file's size and time, and the delivered count: changes with every write. */
  private String stamp(String runId) {
    return stampOf(file(runId)) + "|" + sent(runId);
  }

  private static String stampOf(Path file) {
    try {
      return Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis();
    } catch (IOException missing) {
      return "-";
    }
  }

  /** The runs that have requests waiting. */
  public synchronized List<String> runsWithPending() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<String> runs = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".jsonl")) {
          String runId = name.substring(0, name.length() - ".jsonl".length());
          if (pending(runId) > 0) {
            runs.add(runId);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return runs;
  }

  /**
   * Sends the run's waiting requests in order through {@code send}, recording each as it is
   * delivered, and removes the files once all are.
   *
   * @return how many requests were delivered
   * @throws MlflowException from {@code send}; what was delivered before stays recorded
   */
  public synchronized int drain(String runId, Consumer<JsonNode> send) {
    List<String> lines = lines(runId);
    int done = sent(runId);
    int delivered = 0;
    if (done < lines.size()) {
      console.accept(
          "mlflow: replaying " + (lines.size() - done) + " spooled request(s) of run " + runId);
    }
    for (int i = done; i < lines.size(); i++) {
      JsonNode body;
      try {
        body = Json.MAPPER.readTree(lines.get(i));
      } catch (IOException e) {
        throw new UncheckedIOException("unreadable line " + (i + 1) + " in " + file(runId), e);
      }
      send.accept(body);
      delivered++;
      recordSent(runId, i + 1);
    }
    clear(runId);
    counts.remove(runId);
    return delivered;
  }

  private void clear(String runId) {
    try {
      Files.deleteIfExists(file(runId));
      Files.deleteIfExists(sentFile(runId));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The complete lines of the run's file; a torn last line (no newline yet) is left out. */
  private List<String> lines(String runId) {
    Path file = file(runId);
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      if (end < 0) {
        return List.of();
      }
      return List.of(text.substring(0, end).split("\n"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private int sent(String runId) {
    Path file = sentFile(runId);
    try {
      return Files.exists(file) ? Integer.parseInt(Files.readString(file).strip()) : 0;
    } catch (IOException | NumberFormatException e) {
      return 0; // replaying again is harmless; losing a line is not
    }
  }

  private void recordSent(String runId, int count) {
    Path target = sentFile(runId);
    Path temp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      Files.writeString(temp, Integer.toString(count));
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path file(String runId) {
    return dir.resolve(safe(runId) + ".jsonl");
  }

  private Path sentFile(String runId) {
    return dir.resolve(safe(runId) + ".sent");
  }

  private static String safe(String runId) {
    if (!runId.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException(
          "run id (" + runId + ") may only contain letters, digits, '_' and '-'");
    }
    return runId;
  }
}
