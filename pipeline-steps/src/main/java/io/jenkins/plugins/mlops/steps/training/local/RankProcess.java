package io.jenkins.plugins.mlops.steps.training.local;

import io.jenkins.plugins.mlops.steps.training.Launchers.RankLaunch;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One worker of a local job: its process (argv, never a shell), a thread that copies its output
 * (stderr merged) into its log file and onto the console behind a {@code [worker N]} prefix, and
 * the last lines it printed.
 */
final class RankProcess {

  /** Lines kept for a failure's explanation. */
  static final int TAIL_LINES = 30;

  /** Console lines longer than this are cut (the log file keeps them whole). */
  private static final int CONSOLE_LINE_LIMIT = 2_000;

  final int worker;
  final Process process;
  final Path log;
  private final Thread pump;
  private final Deque<String> tail = new ArrayDeque<>();
  private volatile boolean printed;
  private volatile long exitedNanos;

  private RankProcess(int worker, Process process, Path log, Consumer<String> console) {
    this.worker = worker;
    this.process = process;
    this.log = log;
    this.pump = new Thread(() -> pump(console), "mlops-worker-" + worker + "-output");
    this.pump.setDaemon(true);
    this.pump.start();
    process.onExit().thenRun(() -> exitedNanos = System.nanoTime());
  }

  /**
   * Starts worker {@code launch.worker()} in {@code workDir} with {@code baseEnv} and the launch's
   * environment on top.
   *
   * @throws IOException when the program cannot be started (not found, not executable)
   */
  static RankProcess start(
      RankLaunch launch,
      Map<String, String> baseEnv,
      Path workDir,
      Path log,
      int attempt,
      Consumer<String> console)
      throws IOException {
    Files.createDirectories(log.getParent());
    Files.writeString(
        log,
        "=== mlops: worker "
            + launch.worker()
            + ", attempt "
            + attempt
            + ": "
            + launch.argv()
            + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    ProcessBuilder builder =
        new ProcessBuilder(launch.argv()).directory(workDir.toFile()).redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(baseEnv);
    builder.environment().putAll(launch.env());
    builder.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
    return new RankProcess(launch.worker(), builder.start(), log, console);
  }

  private static java.io.File nullDevice() {
    return new java.io.File(
        System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private void pump(Consumer<String> console) {
    String prefix = "[worker " + worker + "] ";
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        BufferedWriter out =
            Files.newBufferedWriter(
                log,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(line);
        out.write('\n');
        out.flush();
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
          }
        }
        printed = true;
        console.accept(
            prefix
                + (line.length() > CONSOLE_LINE_LIMIT
                    ? line.substring(0, CONSOLE_LINE_LIMIT) + " [cut; whole line in " + log + "]"
                    : line));
      }
    } catch (IOException e) {
      console.accept(prefix + "(output no longer readable: " + e.getMessage() + ")");
    }
  }

  /** Whether it has printed anything (the local backend's sign that it started). */
  boolean printed() {
    return printed;
  }

  /** When it exited ({@link System#nanoTime()}), or 0 while it runs. */
  long exitedNanos() {
    return process.isAlive() ? 0 : exitedNanos == 0 ? System.nanoTime() : exitedNanos;
  }

  /** Its exit code, or null while it runs. */
  Integer exitCode() {
    return process.isAlive() ? null : process.exitValue();
  }

  /** The last lines it printed. */
  List<String> tail() {
    synchronized (tail) {
      return List.copyOf(tail);
    }
  }

  /** Waits until everything it printed has been copied (its output closes when its tree ends). */
  void drain(long millis) throws InterruptedException {
    pump.join(millis);
  }
}
