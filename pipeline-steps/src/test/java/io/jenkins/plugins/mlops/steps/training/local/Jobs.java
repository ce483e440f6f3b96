package io.jenkins.plugins.mlops.steps.training.local;

import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import io.jenkins.plugins.mlops.steps.training.TrainingContext;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/** What the local-backend tests share: the Python, a client of the real server, a console. */
final class Jobs implements AutoCloseable {

  final Path work;
  final TrackingClient client;
  final List<String> console = Collections.synchronizedList(new ArrayList<>());

  Jobs(MlflowServer mlflow, Path work) {
    this.work = work;
    this.client = TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), line -> {});
  }

  static String python() {
    return PythonEnvironment.shared().python().toString();
  }

  TrainingContext context(String experiment) {
    return new TrainingContext(
        work,
        System.getenv(),
        console::add,
        client,
        experiment,
        null,
        UUID.randomUUID().toString());
  }

  static LocalBackend backend() {
    return new LocalBackend(
        LocalBackend.Options.defaults(System.getenv())
            .withGracePeriod(Duration.ofSeconds(2))
            .withSyncInterval(Duration.ofMillis(500)));
  }

  Path script(String name, String... lines) throws IOException {
    Path file = work.resolve(name);
    Files.write(file, List.of(lines));
    return file;
  }

  /** The pids the test scripts wrote into {@code <work>/pids/}. */
  List<Long> writtenPids() throws IOException {
    Path dir = work.resolve("pids");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Long> pids = new ArrayList<>();
      for (Path f : files.toList()) {
        for (String line : Files.readAllLines(f)) {
          if (!line.isBlank()) {
            pids.add(Long.parseLong(line.strip()));
          }
        }
      }
      return pids;
    }
  }

  /** The pids that still run (zombies count as ended). */
  static List<Long> running(List<Long> pids) {
    return pids.stream()
        .filter(p -> ProcessHandle.of(p).map(ProcessTree::running).orElse(false))
        .toList();
  }

  String consoleText() {
    synchronized (console) {
      return String.join("\n", console);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
