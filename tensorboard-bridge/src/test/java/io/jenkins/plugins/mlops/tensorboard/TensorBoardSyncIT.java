package io.jenkins.plugins.mlops.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.PythonPeers;
import io.jenkins.plugins.mlops.harness.TensorBoardPeers;
import io.jenkins.plugins.mlops.tensorboard.internal.SyncState;
import io.jenkins.plugins.mlops.tensorboard.proto.Event;
import io.jenkins.plugins.mlops.tensorboard.proto.Summary;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Syncing into the real MLflow server, read back by our client and by MLflow's Python client. */
class TensorBoardSyncIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  @TempDir Path work;
  private final List<String> console = new CopyOnWriteArrayList<>();
  private TrackingClient client;
  private Run run;

  @BeforeEach
  void newRun() {
    client = TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), console::add);
    Experiment experiment = client.experiments().getOrCreate("tb-sync-" + UUID.randomUUID());
    run = client.runs().create(NewRun.of(experiment.id(), "sync"));
  }

  @AfterEach
  void close() {
    client.close();
  }

  private TensorBoardSync sync(Path logdir) {
    return new TensorBoardSync(client, run.id(), logdir, SyncOptions.DEFAULTS, console::add);
  }

  private List<Metric> history(String key) {
    return client.runs().metricHistory(run.id(), key);
  }

  @Test
  void scalarsBecomeMetricsFilesAndImagesBecomeArtifacts() throws IOException {
    Path logdir = work.resolve("logs");
    try (EventFileWriter train = EventFileWriter.open(logdir.resolve("train"));
        EventFileWriter validation = EventFileWriter.open(logdir.resolve("validation"));
        EventFileWriter root = EventFileWriter.open(logdir)) {
      for (int epoch = 0; epoch < 5; epoch++) {
        train.scalar("epoch_loss", epoch, 1.7e9 + epoch + 0.123, 1.0 / (epoch + 1));
        validation.scalar("epoch_accuracy", epoch, 1.7e9 + epoch, 0.5 + epoch / 10.0);
      }
      root.scalar("mAP50(B)", 3, 1.7e9, 0.75);
      train.histogram("weights", 4, 1.7e9, Histograms.of(new double[] {1, 2, 3, 4}, 2));
    }
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 1, 2, 3};
    EventFiles.append(
        logdir.resolve("images/events.out.tfevents.1.x"),
        List.of(
            Event.newBuilder()
                .setWallTime(1.7e9)
                .setStep(2)
                .setSummary(
                    Summary.newBuilder()
                        .addValue(
                            Summary.Value.newBuilder()
                                .setTag("samples/digit")
                                .setImage(
                                    Summary.Image.newBuilder()
                                        .setWidth(8)
                                        .setHeight(8)
                                        .setEncodedImageString(ByteString.copyFrom(png)))))
                .build()));

    SyncReport report = sync(logdir).sync();

    assertEquals(11, report.points());
    assertEquals(1, report.histograms());
    assertEquals(1, report.images());
    JsonNode python =
        new ObjectMapper().readTree(PythonPeers.readRun(mlflow.trackingUri(), run.id()));
    JsonNode loss = python.get("history").get("train/epoch_loss");
    assertEquals(5, loss.size());
    assertEquals(0.5, loss.get(1).get("value").asDouble());
    assertEquals(1, loss.get(1).get("step").asLong());
    assertEquals(1_700_000_001_123L, loss.get(1).get("timestamp").asLong());
    assertEquals(5, python.get("history").get("validation/epoch_accuracy").size());
    assertEquals(0.75, python.get("metrics").get("mAP50_B_").asDouble());
    assertEquals(2.5, python.get("metrics").get("train/weights/mean").asDouble());
    assertEquals(4.0, python.get("metrics").get("train/weights/count").asDouble());

    Path download = work.resolve("download");
    JsonNode files =
        new ObjectMapper()
            .readTree(PythonPeers.downloadArtifacts(mlflow.trackingUri(), run.id(), download))
            .get("files");
    List<String> names = new ArrayList<>();
    files.fieldNames().forEachRemaining(names::add);
    assertTrue(names.contains("tensorboard-images/images/samples/digit/2.png"), names.toString());
    assertEquals(
        4, names.stream().filter(n -> n.startsWith("tensorboard/")).count(), names.toString());
    // The uploaded files open in TensorBoard as the originals do.
    assertEquals(
        LogDirContents.load(logdir, line -> {}).scalars(),
        LogDirContents.load(download.resolve("tensorboard"), line -> {}).scalars());
  }

  @Test
  void aLinkedLogDirWithLinkedRunsAndFilesSyncsWhatTensorBoardReads() throws IOException {
    Path data = work.resolve("data");
    try (EventFileWriter train = EventFileWriter.open(data.resolve("train"));
        EventFileWriter validation = EventFileWriter.open(work.resolve("other/validation"));
        EventFileWriter test = EventFileWriter.open(work.resolve("files"))) {
      for (int step = 0; step < 4; step++) {
        train.scalar("loss", step, 1.7e9 + step, 1.0 / (step + 1));
        validation.scalar("accuracy", step, 1.7e9 + step, step / 4.0);
        test.scalar("accuracy", step, 1.7e9 + step, step / 8.0);
      }
    }
    Files.createSymbolicLink(data.resolve("validation"), work.resolve("other/validation"));
    Path testFile;
    try (var files = Files.list(work.resolve("files"))) {
      testFile = files.findFirst().orElseThrow();
    }
    Files.createDirectories(data.resolve("test"));
    Files.createSymbolicLink(data.resolve("test").resolve(testFile.getFileName()), testFile);
    Path logdir = Files.createSymbolicLink(work.resolve("logs"), data);

    SyncReport report = sync(logdir).sync();

    assertEquals(12, report.points(), console.toString());
    assertEquals(4, history("train/loss").size());
    assertEquals(4, history("validation/accuracy").size());
    assertEquals(4, history("test/accuracy").size());
    assertEquals(1, client.artifacts().list(run.id(), "tensorboard/test").size());
    Path out = work.resolve("peers.json");
    TensorBoardPeers.read(out, List.of(logdir));
    JsonNode tensorboard = new ObjectMapper().readTree(out.toFile()).get(logdir.toString());
    List<String> theirs = new ArrayList<>();
    tensorboard
        .get("tensorboard")
        .get("scalars")
        .forEach(p -> theirs.add(p.get(0).asText() + "/" + p.get(1).asText() + "@" + p.get(2)));
    List<String> ours = new ArrayList<>();
    LogDirContents.load(logdir, line -> {})
        .scalars()
        .forEach(p -> ours.add(p.run() + "/" + p.tag() + "@" + p.step()));
    assertEquals(12, theirs.size(), tensorboard.toString());
    assertEquals(theirs.stream().sorted().toList(), ours.stream().sorted().toList());
  }

  @Test
  void findingNoEventFilesIsAWarningNamingTheDirectory() throws IOException {
    Path logdir = Files.createDirectories(work.resolve("empty"));
    Files.writeString(logdir.resolve("notes.txt"), "no events here");

    SyncReport report = sync(logdir).sync();

    assertEquals(0, report.points());
    assertTrue(
        console.contains(
            "WARNING: tensorboard sync: no event files found in "
                + logdir
                + " (files whose name contains 'tfevents', in it or below it); nothing was"
                + " synced"),
        console.toString());
  }

  @Test
  void aFileNamedLikeAnEventFileThatIsNotOneIsNotUploaded() throws IOException {
    Path logdir = work.resolve("logs");
    try (EventFileWriter train = EventFileWriter.open(logdir.resolve("train"))) {
      train.scalar("loss", 1, 1.7e9, 0.5);
    }
    byte[] garbage = new byte[2 << 20];
    new java.util.Random(13).nextBytes(garbage);
    Files.write(logdir.resolve("train/events.out.tfevents.1700000000.garbage"), garbage);
    Path real;
    try (var files = Files.list(logdir.resolve("train"))) {
      real = files.filter(f -> !f.toString().endsWith("garbage")).findFirst().orElseThrow();
    }

    SyncReport first = sync(logdir).sync();
    SyncReport second = sync(logdir).sync();

    assertEquals(1, first.points());
    assertEquals(1, second.filesUploaded());
    assertEquals(
        List.of("tensorboard/train/" + real.getFileName()),
        client.artifacts().list(run.id(), "tensorboard/train").stream()
            .map(f -> f.path())
            .toList());
    String warning =
        "WARNING: tensorboard sync: train/events.out.tfevents.1700000000.garbage is named like an"
            + " event file but is not one (its first record's length checksum is wrong); not"
            + " uploaded";
    assertEquals(2, console.stream().filter(warning::equals).count(), console.toString());
  }

  @Test
  void seriesThatSanitiseAlikeStayApartWithOneWarningAndTheSameKeysOnResume() {
    Path logdir = work.resolve("logs");
    try (EventFileWriter root = EventFileWriter.open(logdir);
        EventFileWriter train = EventFileWriter.open(logdir.resolve("train"))) {
      for (int step = 0; step < 3; step++) {
        root.scalar("train/loss", step, 1.7e9, 1);
        train.scalar("loss", step, 1.7e9, 2);
        train.scalar("a#b", step, 1.7e9, 3);
        train.scalar("a%b", step, 1.7e9, 4);
        train.scalar("损失", step, 1.7e9, 5);
        train.scalar("精度", step, 1.7e9, 6);
      }
      root.flush();
      train.flush();
      sync(logdir).sync();
      train.scalar("loss", 3, 1.7e9, 2);
      train.scalar("a%b", 3, 1.7e9, 4);
    }

    SyncReport resumed = sync(logdir).sync();

    assertEquals(20, resumed.points());
    java.util.Map<String, Metric> metrics = client.runs().get(run.id()).metrics();
    assertEquals(6, metrics.size(), metrics.keySet().toString());
    java.util.Map<Double, String> keyOfValue = new java.util.HashMap<>();
    metrics.forEach((key, m) -> keyOfValue.put(m.value(), key));
    assertEquals("train/loss", keyOfValue.get(1.0));
    assertTrue(keyOfValue.get(2.0).matches("train/loss_[0-9a-f]{8}"), keyOfValue.toString());
    assertEquals("train/a_b", keyOfValue.get(3.0));
    assertTrue(keyOfValue.get(4.0).matches("train/a_b_[0-9a-f]{8}"), keyOfValue.toString());
    assertEquals("train/损失", keyOfValue.get(5.0));
    assertEquals("train/精度", keyOfValue.get(6.0));
    assertEquals(3, history("train/loss").size());
    assertEquals(4, history(keyOfValue.get(2.0)).size());
    assertEquals(4, history(keyOfValue.get(4.0)).size());
    List<String> warnings = console.stream().filter(l -> l.contains("both become")).toList();
    assertEquals(
        List.of(
            "WARNING: tensorboard sync: the tag 'train/loss' of the root run and the tag 'loss' of"
                + " run 'train' both become the MLflow metric 'train/loss'; the second is logged"
                + " as '"
                + keyOfValue.get(2.0)
                + "'",
            "WARNING: tensorboard sync: the tag 'a#b' of run 'train' and the tag 'a%b' of run"
                + " 'train' both become the MLflow metric 'train/a_b'; the second is logged as '"
                + keyOfValue.get(4.0)
                + "'"),
        warnings);
  }

  @Test
  void rerunningSendsOnlyWhatIsNew() {
    Path logdir = work.resolve("logs");
    try (EventFileWriter w = EventFileWriter.open(logdir.resolve("train"))) {
      for (int step = 0; step < 30; step++) {
        w.scalar("loss", step, 1.7e9 + step, step);
      }
      w.flush();
      sync(logdir).sync();
      sync(logdir).sync();
      for (int step = 30; step < 50; step++) {
        w.scalar("loss", step, 1.7e9 + step, step);
      }
    }
    SyncReport third = sync(logdir).sync();

    List<Metric> loss = history("train/loss");
    assertEquals(50, loss.size());
    assertEquals(50, loss.stream().mapToLong(Metric::step).distinct().count());
    assertEquals(50, third.points());
    assertTrue(console.stream().anyMatch(l -> l.contains("resuming from")), console.toString());
  }

  @Test
  void aKilledSyncResumesWithNoDuplicatesAndNothingMissing() throws Exception {
    Path logdir = work.resolve("logs");
    int steps = 5_000;
    try (EventFileWriter w = EventFileWriter.open(logdir.resolve("train"))) {
      for (int step = 0; step < steps; step++) {
        for (int tag = 0; tag < 4; tag++) {
          w.scalar("tag" + tag, step, 1.7e9 + step * 0.01, step * 10 + tag);
        }
      }
    }
    Path stateFile = TensorBoardSync.defaultStateFile(logdir, run.id());
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                SyncChild.class.getName(),
                mlflow.trackingUri(),
                run.id(),
                logdir.toString(),
                "500")
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("child.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    long sentBeforeKill = 0;
    while (System.nanoTime() < deadline && child.isAlive()) {
      SyncState state = loadQuietly(stateFile);
      if (state != null && state.points() >= 4_000) {
        sentBeforeKill = state.points();
        break;
      }
      Thread.sleep(20);
    }
    child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    assertTrue(
        sentBeforeKill > 0 && sentBeforeKill < steps * 4L,
        "the child should be killed mid-way, it had sent "
            + sentBeforeKill
            + ": "
            + Files.readString(work.resolve("child.log")));

    SyncReport resumed = sync(logdir).sync();

    assertEquals(steps * 4L, resumed.points());
    for (int tag = 0; tag < 4; tag++) {
      List<Metric> history = history("train/tag" + tag);
      assertEquals(steps, history.size(), "train/tag" + tag);
      assertEquals(steps, history.stream().mapToLong(Metric::step).distinct().count());
      for (Metric m : history) {
        assertEquals(m.step() * 10.0 + tag, m.value());
      }
    }
  }

  private static SyncState loadQuietly(Path file) {
    try {
      return SyncState.load(file);
    } catch (RuntimeException partlyWritten) {
      return null;
    }
  }

  @Test
  void followsAPythonWriterLiveAndFinishesWithEverything() throws Exception {
    Path logdir = work.resolve("live");
    int count = 40;
    Process writer = TensorBoardPeers.startAppending(logdir, count, 0.15);
    AtomicReference<SyncReport> report = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    TensorBoardSync sync =
        new TensorBoardSync(
            client,
            run.id(),
            logdir,
            SyncOptions.DEFAULTS.withInterval(Duration.ofMillis(300)),
            console::add);
    Thread follower =
        new Thread(
            () -> {
              try {
                report.set(sync.follow(() -> !writer.isAlive()));
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    follower.start();

    int seenWhileWriting = 0;
    while (writer.isAlive()) {
      int now = history("train/epoch_loss").size();
      if (now > 0 && now < count) {
        seenWhileWriting = now;
      }
      Thread.sleep(200);
    }
    follower.join(TimeUnit.MINUTES.toMillis(2));
    assertEquals(0, writer.exitValue(), new String(writer.getInputStream().readAllBytes()));
    assertFalse(follower.isAlive());
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }

    assertTrue(seenWhileWriting > 0, "no points were visible while the writer was running");
    List<Metric> loss = history("train/epoch_loss");
    assertEquals(count, loss.size());
    for (Metric m : loss) {
      assertEquals(1.0f / (m.step() + 1), (float) m.value());
    }
    List<Metric> accuracy = history("validation/epoch_accuracy");
    assertEquals(count - count / 2, accuracy.size());
    assertEquals(count + count - count / 2, report.get().points());
    assertTrue(client.artifacts().list(run.id(), "tensorboard/train").size() == 1);
  }

  @Test
  void orphanedPointsOfARestartAreNotSent() {
    Path file = work.resolve("logs/events.out.tfevents.1.x");
    List<Event> events = new ArrayList<>();
    events.add(EventFiles.version("brain.Event:2"));
    events.add(EventFiles.start(0));
    for (int step = 0; step < 10; step++) {
      events.add(EventFiles.simple("loss", step, step));
    }
    events.add(EventFiles.start(6));
    for (int step = 6; step < 8; step++) {
      events.add(EventFiles.simple("loss", step, 100 + step));
    }
    EventFiles.append(file, events);

    SyncReport report = sync(work.resolve("logs")).sync();

    List<Metric> loss = history("loss");
    assertEquals(8, loss.size());
    assertEquals(106.0, loss.stream().filter(m -> m.step() == 6).findFirst().orElseThrow().value());
    assertEquals(4, report.orphaned());
  }

  @Test
  void aStateFileOfAnotherRunIsRefusedByName() {
    Path logdir = work.resolve("logs");
    EventFiles.append(
        logdir.resolve("events.out.tfevents.1.x"), List.of(EventFiles.simple("loss", 1, 1)));
    Path state = work.resolve("state.json");
    new TensorBoardSync(
            client, run.id(), logdir, SyncOptions.DEFAULTS.withStateFile(state), console::add)
        .sync();
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                new TensorBoardSync(
                    client,
                    "another-run",
                    logdir,
                    SyncOptions.DEFAULTS.withStateFile(state),
                    console::add));
    assertTrue(e.getMessage().contains(run.id()), e.getMessage());
    assertTrue(Files.exists(state));
  }
}
