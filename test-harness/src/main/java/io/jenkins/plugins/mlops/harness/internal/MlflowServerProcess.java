package io.jenkins.plugins.mlops.harness.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One running {@code mlflow server} on a free loopback port, with a SQLite backend and an artifact
 * directory in its own temporary folder. {@link #close()} kills the whole process tree (the server
 * runs its web workers as child processes) and deletes the folder. A JVM shutdown hook is the
 * backstop when {@code close()} is never reached.
 */
public final class MlflowServerProcess implements AutoCloseable {

  private static final int PORT_ATTEMPTS = 3;

  private final Launch launch;
  private final URI uri;
  private final Thread shutdownHook;
  private volatile Process process;
  private volatile boolean closed;

  /** How to start this server again on the same port, with the same data. */
  private record Launch(
      Function<List<String>, ProcessBuilder> launcher,
      List<String> extraArgs,
      Duration startupLimit,
      Consumer<String> progress,
      Path dataDir,
      int port) {
    Path logFile() {
      return dataDir.resolve("server-" + port + ".log");
    }
  }

  private MlflowServerProcess(Process process, Launch launch) {
    this.process = process;
    this.launch = launch;
    this.uri = URI.create("http://127.0.0.1:" + launch.port());
    this.shutdownHook = new Thread(this::stop, "mlflow-server-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts a server and waits until {@code /health} answers.
   *
   * @param launcher turns the server's arguments into a process builder (the harness's Python
   *     environment, with {@code mlflow} as the executable)
   * @param extraArgs more {@code mlflow server} options, after the harness's own
   * @param startupLimit how long to wait for {@code /health}
   * @param progress receives a line when the server is up
   * @throws IllegalStateException when the server does not come up; the message carries its output
   */
  public static MlflowServerProcess start(
      Function<List<String>, ProcessBuilder> launcher,
      List<String> extraArgs,
      Duration startupLimit,
      Consumer<String> progress) {
    Path dataDir;
    try {
      dataDir = Files.createTempDirectory("mlops-mlflow-");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create the MLflow server's folder", e);
    }
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      try {
        Launch launch =
            new Launch(
                launcher, List.copyOf(extraArgs), startupLimit, progress, dataDir, freePort());
        return new MlflowServerProcess(startOnce(launch), launch);
      } catch (PortTaken e) {
        last = e;
      } catch (RuntimeException e) {
        deleteQuietly(dataDir);
        throw e;
      }
    }
    deleteQuietly(dataDir);
    throw last;
  }

  private static Process startOnce(Launch launch) {
    int port = launch.port();
    Path dataDir = launch.dataDir();
    Path logFile = launch.logFile();
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--backend-store-uri",
            "sqlite:///" + dataDir.resolve("mlflow.db"),
            "--artifacts-destination",
            dataDir.resolve("artifacts").toString(),
            "--workers",
            "1"));
    args.addAll(launch.extraArgs());
    ProcessBuilder builder =
        launch
            .launcher()
            .apply(args)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            // Relative paths the server writes (the basic-auth app's user database) stay in its
            // own folder, deleted with it.
            .directory(dataDir.toFile());
    // The server's background job runner (GenAI jobs) is not needed and costs several processes.
    builder.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
    Instant start = Instant.now();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + builder.command(), e);
    }
    URI uri = URI.create("http://127.0.0.1:" + port);
    // The backstop is armed before the wait, so a JVM that exits meanwhile leaves no server behind.
    Thread backstop =
        new Thread(
            () -> Processes.killTree(process.toHandle(), Duration.ofSeconds(5)),
            "mlflow-server-startup");
    Runtime.getRuntime().addShutdownHook(backstop);
    try {
      awaitHealthy(process, uri, port, logFile, launch.startupLimit());
    } finally {
      removeHook(backstop);
    }
    launch
        .progress()
        .accept(
            "[mlflow-server] up at "
                + uri
                + " in "
                + Duration.between(start, Instant.now()).toMillis()
                + " ms (data in "
                + dataDir
                + ")");
    return process;
  }

  private static void awaitHealthy(
      Process process, URI uri, int port, Path logFile, Duration limit) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health =
        HttpRequest.newBuilder(uri.resolve("/health")).timeout(Duration.ofSeconds(5)).GET().build();
    Instant deadline = Instant.now().plus(limit);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        String output = readQuietly(logFile);
        if (output.contains("Address already in use") || output.contains("Errno 98")) {
          throw new PortTaken("port of " + uri + " was taken before the server bound it");
        }
        throw new IllegalStateException(
            "mlflow server exited with status "
                + process.exitValue()
                + " before it answered "
                + uri
                + "/health; its output:\n"
                + Processes.tail(output, 80));
      }
      try {
        HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
        // Another process may have taken the port between our probe and the server's bind: only
        // an answer after our own server has said it listens on this port counts.
        if (response.statusCode() == 200
            && process.isAlive()
            && readQuietly(logFile).contains("127.0.0.1:" + port)) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        Processes.killTree(process.toHandle(), Duration.ofSeconds(5));
        throw new IllegalStateException("interrupted while waiting for the MLflow server", e);
      }
      sleep(Duration.ofMillis(200));
    }
    Processes.killTree(process.toHandle(), Duration.ofSeconds(5));
    throw new IllegalStateException(
        "mlflow server did not answer "
            + uri
            + "/health within "
            + limit
            + "; it was stopped. Its output:\n"
            + Processes.tail(readQuietly(logFile), 80));
  }

  /** The server's base URI, {@code http://127.0.0.1:<port>}. */
  public URI uri() {
    return uri;
  }

  /** The folder holding the SQLite database, the artifacts and the server log. */
  public Path dataDir() {
    return launch.dataDir();
  }

  /** Everything the server printed so far. */
  public String output() {
    return readQuietly(launch.logFile());
  }

  /**
   * Kills the server's whole process tree, as a crash would, but keeps its data: {@link #restart()}
   * brings it back on the same port. For tests of what clients do while the server is gone.
   */
  public synchronized void kill() {
    List<ProcessHandle> survivors = Processes.killTree(process.toHandle(), Duration.ofSeconds(10));
    if (!survivors.isEmpty()) {
      throw new IllegalStateException("could not kill the MLflow server: " + survivors);
    }
  }

  /** Starts the server again on the same port with the same data, killing it first if it runs. */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("the MLflow server was closed; it cannot restart");
    }
    if (process.isAlive()) {
      kill();
    }
    process = startOnce(launch);
  }

  /** The running server process (its children are the web workers). */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  @Override
  public void close() {
    stop();
    removeHook(shutdownHook);
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run; nothing to remove
    }
  }

  private synchronized void stop() {
    if (closed) {
      return;
    }
    closed = true;
    List<ProcessHandle> survivors = Processes.killTree(process.toHandle(), Duration.ofSeconds(10));
    if (!survivors.isEmpty()) {
      System.err.println("[mlflow-server] could not stop processes " + survivors);
    }
    deleteQuietly(launch.dataDir());
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      FileTrees.delete(dir);
    } catch (IOException e) {
      System.err.println("[mlflow-server] could not delete " + dir + ": " + e.getMessage());
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class PortTaken extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PortTaken(String message) {
      super(message);
    }
  }
}
