package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.tracking.Credentials;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Where {@code log-batch} requests wait while the server is unreachable: one append-only file per
 * run ({@code <runId>.jsonl}, one request a line) and a count of lines already delivered ({@code
 * <runId>.sent}, replaced atomically). Replay sends the undelivered lines in order. A crash between
 * sending a line and recording it sends that line again, which is harmless: MLflow keeps one copy
 * of an identical metric point, and an identical param or tag. A torn last line (a crash while
 * writing it) is cut off before the next append. A request the server refuses for good (not a
 * transient failure, not refused credentials) moves to {@code <runId>.rejected} with a warning, so
 * it never blocks the requests behind it. Thread-safe, and safe across processes (a lock file per
 * run).
 *
 * <p>Requests belong to the identity that made them: {@link #forOwner} keeps each identity's
 * requests (a server and a user, or a token) in a folder of its own under the spool root, named by
 * a fingerprint that holds no secret, with an {@code owner} file describing it. A client replays
 * its own folder; the others are listed by {@link #others()} and replayed only when the user asks
 * (requests refused to a read-only user must not be written later under an admin's name).
 */
public final class Spool {

  private static final Map<Path, Object> JVM_LOCKS = new java.util.concurrent.ConcurrentHashMap<>();
  private static final ThreadLocal<java.util.Set<Path>> HELD =
      ThreadLocal.withInitial(java.util.HashSet::new);

  private static final String OWNER_FILE = "owner";

  private final Path dir;
  private final Path root;
  private final String owner;
  private final String server;
  private final Consumer<String> console;

  /** Undelivered counts by run, valid while the files look as they did when counted. */
  private final Map<String, Count> counts = new HashMap<>();

  private record Count(int pending, String stamp) {}

  /**
   * Who made a spool's requests: the server and the identity they were sent as, never a secret.
   *
   * @param fingerprint names the owner's folder: 16 hex digits of a SHA-256 over the server and the
   *     user name (or a digest of the token)
   * @param description for messages, such as {@code user 'carol' at http://host:5000}
   * @param server the server address the requests were made for: they are never sent elsewhere
   */
  public record Owner(String fingerprint, String description, String server) {

    /** The owner of the requests a client made with {@code config}. */
    public static Owner of(TrackingConfig config) {
      String server = config.trackingUri().toString().replaceAll("/+$", "");
      String principal;
      String who;
      if (config.credentials() instanceof Credentials.Basic basic) {
        principal = "basic\n" + basic.username();
        who = "user '" + basic.username() + "'";
      } else if (config.credentials() instanceof Credentials.BearerToken bearer) {
        principal = "token\n" + sha256(bearer.token().reveal());
        who = "a bearer token";
      } else {
        principal = "none";
        who = "no credentials";
      }
      return new Owner(
          sha256("mlops spool owner\n" + server + "\n" + principal).substring(0, 16),
          who + " at " + server,
          server);
    }

    private static String sha256(String text) {
      try {
        return java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JVM", e);
      }
    }
  }

  /** A spool in {@code dir} whose owner is not recorded (one folder, no others). */
  public Spool(Path dir, Consumer<String> console) {
    this(dir, null, null, null, console);
  }

  private Spool(Path dir, Path root, String owner, String server, Consumer<String> console) {
    this.dir = dir;
    this.root = root;
    this.owner = owner;
    this.server = server;
    this.console = console;
  }

  /** The spool of {@code owner}'s requests: {@code <root>/<fingerprint>/}. */
  public static Spool forOwner(Path root, Owner owner, Consumer<String> console) {
    return new Spool(
        root.resolve(owner.fingerprint()), root, owner.description(), owner.server(), console);
  }

  /** The folder holding the spool files. */
  public Path dir() {
    return dir;
  }

  /** The server address this spool's requests were made for; null when unrecorded. */
  public String server() {
    return server;
  }

  /** Who made this spool's requests, for messages; {@code "an unknown identity"} if unrecorded. */
  public String owner() {
    return owner == null ? "an unknown identity" : owner;
  }

  /**
   * The spools of other owners under the same root (and requests an older version left in the root
   * itself, whose owner is unknown); empty for a spool made without {@link #forOwner}.
   */
  public List<Spool> others() {
    if (root == null || !Files.isDirectory(root)) {
      return List.of();
    }
    List<Spool> others = new ArrayList<>();
    try (Stream<Path> entries = Files.list(root)) {
      boolean legacy = false;
      for (Path entry : entries.sorted().toList()) {
        String name = entry.getFileName().toString();
        if (Files.isDirectory(entry)
            && name.matches("[0-9a-f]{16}")
            && !entry.equals(dir)
            && Files.exists(entry.resolve(OWNER_FILE))) {
          List<String> lines = Files.readAllLines(entry.resolve(OWNER_FILE));
          others.add(
              new Spool(
                  entry,
                  null,
                  lines.isEmpty() ? null : lines.get(0).strip(),
                  lines.size() < 2 ? null : lines.get(1).strip(),
                  console));
        } else if (name.endsWith(".jsonl")) {
          legacy = true;
        }
      }
      if (legacy) {
        others.add(new Spool(root, null, null, null, console));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the MLflow spool " + root, e);
    }
    return others;
  }

  /** Appends {@code bodies} to the run's spool file, durably, in order. */
  public synchronized void append(String runId, List<ObjectNode> bodies) {
    recordOwner();
    StringBuilder lines = new StringBuilder();
    for (ObjectNode body : bodies) {
      lines.append(body.toString()).append('\n');
    }
    appendText(file(runId), runId, lines.toString());
  }

  /** Writes the {@code owner} file of a {@link #forOwner} spool once, atomically. */
  private void recordOwner() {
    Path file = dir.resolve(OWNER_FILE);
    if (owner == null || Files.exists(file)) {
      return;
    }
    try {
      Files.createDirectories(dir);
      Path temp = Files.createTempFile(dir, OWNER_FILE, ".tmp");
      Files.writeString(temp, owner + "\n" + server + "\n", StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Keeps a request the server refused for good in the run's {@code .rejected} file. */
  public synchronized void reject(String runId, JsonNode body, String why) {
    appendText(dir.resolve(safe(runId) + ".rejected"), runId, body.toString() + '\n');
    console.accept(
        "mlflow: a request of run "
            + runId
            + " was refused ("
            + why
            + "); kept in "
            + dir.resolve(safe(runId) + ".rejected"));
  }

  /** How many requests of the run wait to be delivered. */
  public synchronized int pending(String runId) {
    if (!Files.exists(file(runId))) {
      return 0; // the common case, answered without touching the disk further
    }
    String stamp = stamp(runId);
    Count known = counts.get(runId);
    if (known != null && known.stamp().equals(stamp)) {
      return known.pending();
    }
    int pending = locked(runId, () -> Math.max(0, lines(runId).size() - sent(runId)));
    counts.put(runId, new Count(pending, stamp));
    return pending;
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
   * delivered (or rejected for good), and removes the files once all are.
   *
   * @return how many requests were delivered
   * @throws MlflowException from {@code send} when it is worth keeping the request (the server is
   *     unreachable, or refused the credentials); what was delivered before stays recorded
   */
  public synchronized int drain(String runId, Consumer<JsonNode> send) {
    return locked(
        runId,
        () -> {
          List<String> lines = lines(runId);
          int done = sent(runId);
          int delivered = 0;
          if (done < lines.size()) {
            console.accept(
                "mlflow: replaying "
                    + (lines.size() - done)
                    + " spooled request(s) of run "
                    + runId);
          }
          for (int i = done; i < lines.size(); i++) {
            JsonNode body = parse(runId, lines.get(i), i + 1);
            if (body != null) {
              try {
                send.accept(body);
                delivered++;
              } catch (MlflowException e) {
                if (e.isWorthKeeping()) {
                  throw e;
                }
                reject(runId, body, e.getMessage());
              }
            }
            recordSent(runId, i + 1);
          }
          clear(runId);
          counts.remove(runId);
          return delivered;
        });
  }

  private JsonNode parse(String runId, String line, int number) {
    try {
      return Json.MAPPER.readTree(line);
    } catch (IOException e) {
      console.accept("mlflow: skipping unreadable line " + number + " of " + file(runId));
      return null;
    }
  }

  private void appendText(Path file, String runId, String text) {
    locked(
        runId,
        () -> {
          try (FileChannel channel =
              FileChannel.open(
                  file,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE)) {
            cutTornLine(channel);
            channel.position(channel.size());
            ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
              channel.write(buffer);
            }
            channel.force(false);
          } catch (IOException e) {
            throw new UncheckedIOException(
                "could not write the MLflow spool " + file + ": " + e.getMessage(), e);
          }
          return null;
        });
  }

  /** Cuts a last line without its newline: the remains of a crash in the middle of a write. */
  private static void cutTornLine(FileChannel channel) throws IOException {
    long size = channel.size();
    if (size == 0) {
      return;
    }
    ByteBuffer last = ByteBuffer.allocate(1);
    channel.read(last, size - 1);
    if (last.get(0) == '\n') {
      return;
    }
    long end = size - 1;
    ByteBuffer one = ByteBuffer.allocate(1);
    while (end > 0) {
      one.clear();
      channel.read(one, end - 1);
      if (one.get(0) == '\n') {
        break;
      }
      end--;
    }
    channel.truncate(end);
  }

  /**
   * Runs {@code body} holding the run's lock file against other processes; within this JVM, one
   * monitor per lock file orders threads (a JVM may hold a file lock only once), and a thread that
   * already holds it just runs {@code body}.
   */
  @SuppressWarnings("try") // the lock is held for the block, never read
  private <T> T locked(String runId, Supplier<T> body) {
    Path lockFile = dir.resolve(safe(runId) + ".lock").toAbsolutePath().normalize();
    if (HELD.get().contains(lockFile)) {
      return body.get();
    }
    synchronized (JVM_LOCKS.computeIfAbsent(lockFile, k -> new Object())) {
      try {
        Files.createDirectories(dir);
        try (FileChannel channel =
                FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.lock()) {
          HELD.get().add(lockFile);
          try {
            return body.get();
          } finally {
            HELD.get().remove(lockFile);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not lock the MLflow spool in " + dir, e);
      }
    }
  }

  private void clear(String runId) {
    try {
      // The count goes first: losing it replays lines (harmless), keeping it alone would skip some.
      Files.deleteIfExists(sentFile(runId));
      Files.deleteIfExists(file(runId));
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

  /** The request file's size and time, and the delivered count: changes with every write. */
  private String stamp(String runId) {
    Path file = file(runId);
    try {
      return Files.size(file)
          + "@"
          + Files.getLastModifiedTime(file).toMillis()
          + "|"
          + sent(runId);
    } catch (IOException missing) {
      return "-|" + sent(runId);
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
