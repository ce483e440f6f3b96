package io.jenkins.plugins.mlops.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.jenkins.plugins.mlops.tensorboard.proto.DataType;
import io.jenkins.plugins.mlops.tensorboard.proto.TensorProto;
import io.jenkins.plugins.mlops.tensorboard.proto.TensorShapeProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogDirReaderTest {

  @TempDir Path logdir;

  private final List<String> seen = new ArrayList<>();
  private final EventVisitor collect =
      (run, tag, step, wallTime, value) -> seen.add(run + "/" + tag + "@" + step + "=" + value);

  private static TensorProto floatTensor(float v) {
    return TensorProto.newBuilder()
        .setDtype(DataType.DT_FLOAT)
        .setTensorShape(TensorShapeProto.getDefaultInstance())
        .setTensorContent(
            ByteString.copyFrom(
                ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array()))
        .build();
  }

  @Test
  void runsAreDirectoriesRelativeToTheLogDirAndTheRootIsDot() {
    EventFiles.append(
        logdir.resolve("events.out.tfevents.1.a"), List.of(EventFiles.simple("x", 1, 1)));
    EventFiles.append(
        logdir.resolve("train/events.out.tfevents.1.a"), List.of(EventFiles.simple("loss", 1, 2)));
    EventFiles.append(
        logdir.resolve("sweep/trial-1/validation/events.out.tfevents.1.a"),
        List.of(EventFiles.simple("acc", 1, 3)));
    EventFiles.append(logdir.resolve("train/notes.txt"), List.of(EventFiles.simple("no", 1, 4)));
    EventFiles.append(
        logdir.resolve("train/events.out.tfevents.1.a.profile-empty"),
        List.of(EventFiles.simple("no", 1, 5)));

    LogDirReader.readAll(logdir, collect, line -> {});

    assertEquals(
        List.of("./x@1=1.0", "sweep/trial-1/validation/acc@1=3.0", "train/loss@1=2.0"), seen);
  }

  @Test
  void linksAreFollowedTheLogDirRunDirectoriesAndFilesButNotALoop() throws IOException {
    Path data = logdir.resolve("data");
    EventFiles.append(
        data.resolve("train/events.out.tfevents.1.a"), List.of(EventFiles.simple("loss", 1, 1)));
    EventFiles.append(
        logdir.resolve("elsewhere/validation/events.out.tfevents.1.a"),
        List.of(EventFiles.simple("acc", 1, 2)));
    EventFiles.append(
        logdir.resolve("files/events.out.tfevents.1.b"), List.of(EventFiles.simple("lr", 1, 3)));
    Files.createSymbolicLink(data.resolve("validation"), Path.of("../elsewhere/validation"));
    Files.createDirectories(data.resolve("test"));
    Files.createSymbolicLink(
        data.resolve("test/events.out.tfevents.1.b"),
        Path.of("../../files/events.out.tfevents.1.b"));
    Files.createSymbolicLink(data.resolve("train/again"), Path.of("..")); // a loop
    Path link = Files.createSymbolicLink(logdir.resolve("link"), Path.of("data"));
    List<String> warnings = new ArrayList<>();

    LogDirReader reader = new LogDirReader(link, ReaderState.EMPTY, warnings::add);
    reader.read(collect);
    reader.read(collect);

    assertEquals(List.of("test/lr@1=3.0", "train/loss@1=1.0", "validation/acc@1=2.0"), seen);
    assertEquals(
        List.of(
            "WARNING: "
                + link.resolve("train/again")
                + " in the log directory links back to a directory above it; not followed there"),
        warnings);
  }

  @Test
  void theFilesOfARunAreReadInNameOrder() {
    EventFiles.append(
        logdir.resolve("events.out.tfevents.1700000200.host"),
        List.of(EventFiles.simple("loss", 2, 2)));
    EventFiles.append(
        logdir.resolve("events.out.tfevents.1700000100.host"),
        List.of(EventFiles.simple("loss", 1, 1)));
    LogDirReader.readAll(logdir, collect, line -> {});
    assertEquals(List.of("./loss@1=1.0", "./loss@2=2.0"), seen);
  }

  @Test
  void aResumedReaderReadsOnlyWhatIsNewAndKnowsTagsDeclaredBefore() {
    Path file = logdir.resolve("train/events.out.tfevents.1.a");
    EventFiles.append(
        file,
        List.of(
            EventFiles.version("brain.Event:2"),
            EventFiles.tensor("loss", 0, floatTensor(0.5f), "scalars")));
    LogDirReader first = new LogDirReader(logdir, ReaderState.EMPTY, line -> {});
    first.read(collect);
    ReaderState saved = first.state();
    assertEquals("scalars", saved.plugins().get("train").get("loss"));

    // Later values carry no metadata, as TensorFlow writes them.
    EventFiles.append(file, List.of(EventFiles.tensor("loss", 1, floatTensor(0.25f), null)));
    new LogDirReader(logdir, saved, line -> {}).read(collect);

    assertEquals(List.of("train/loss@0=0.5", "train/loss@1=0.25"), seen);
  }

  @Test
  void aBoundedPassStopsAtTheLimitAndTheNextContinuesExactly() {
    List<io.jenkins.plugins.mlops.tensorboard.proto.Event> events = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      events.add(EventFiles.simple("loss", i, i));
    }
    EventFiles.append(logdir.resolve("a/events.out.tfevents.1.x"), events);
    EventFiles.append(logdir.resolve("b/events.out.tfevents.1.x"), events);
    LogDirReader reader = new LogDirReader(logdir, ReaderState.EMPTY, line -> {});
    int passes = 0;
    while (reader.read(collect, 10)) {
      passes++;
    }
    assertEquals(5, passes);
    assertEquals(50, seen.size());
    assertEquals(50, new java.util.HashSet<>(seen).size());
    assertFalse(reader.hasUnread());
  }

  @Test
  void newFilesAndRunsAreFoundOnTheNextPass() {
    LogDirReader reader = new LogDirReader(logdir.resolve("not-yet"), ReaderState.EMPTY, l -> {});
    reader.read(collect);
    assertTrue(seen.isEmpty());

    EventFiles.append(
        logdir.resolve("not-yet/train/events.out.tfevents.1.x"),
        List.of(EventFiles.simple("loss", 1, 1)));
    assertTrue(reader.hasUnread());
    reader.read(collect);
    EventFiles.append(
        logdir.resolve("not-yet/train/events.out.tfevents.2.x"),
        List.of(EventFiles.simple("loss", 2, 2)));
    EventFiles.append(
        logdir.resolve("not-yet/validation/events.out.tfevents.1.x"),
        List.of(EventFiles.simple("acc", 2, 3)));
    reader.read(collect);

    assertEquals(List.of("train/loss@1=1.0", "train/loss@2=2.0", "validation/acc@2=3.0"), seen);
  }

  @Test
  void followTailsAGrowingFileAndNewRunsUntilStoppedThenReadsTheRest() throws Exception {
    LogDirReader reader = new LogDirReader(logdir, ReaderState.EMPTY, line -> {});
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    List<String> live = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread follower =
        new Thread(
            () ->
                reader.follow(
                    (run, tag, step, wallTime, value) -> live.add(run + "/" + tag + "@" + step),
                    java.time.Duration.ofMillis(20),
                    stop::get));
    follower.start();
    try (EventFileWriter train =
        EventFileWriter.open(logdir.resolve("train"), java.time.Duration.ofMillis(10))) {
      for (int step = 0; step < 20; step++) {
        train.scalar("loss", step, step);
        train.flush();
        Thread.sleep(5);
      }
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (live.size() < 20 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(20, live.size(), "points seen while the writer was still open");
      EventFiles.append(
          logdir.resolve("validation/events.out.tfevents.1.x"),
          List.of(EventFiles.simple("acc", 1, 1)));
      train.scalar("loss", 20, 20);
    }
    stop.set(true);
    follower.join(10_000);
    assertFalse(follower.isAlive());
    assertEquals(22, live.size());
    assertTrue(
        live.contains("validation/acc@1") && live.contains("train/loss@20"), live.toString());
  }

  @Test
  void aFileCutShortIsNotReadAgainAfterAResume() throws IOException {
    Path file = logdir.resolve("events.out.tfevents.1.x");
    EventFiles.append(file, List.of(EventFiles.simple("loss", 1, 1)));
    Files.write(
        file,
        new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13},
        java.nio.file.StandardOpenOption.APPEND);
    List<String> warnings = new ArrayList<>();
    LogDirReader reader = new LogDirReader(logdir, ReaderState.EMPTY, warnings::add);
    reader.read(collect);
    assertTrue(reader.state().positions().values().iterator().next().dead());
    assertEquals(1, warnings.size());

    LogDirReader resumed = new LogDirReader(logdir, reader.state(), warnings::add);
    resumed.read(collect);
    assertEquals(1, warnings.size());
    assertEquals(List.of("./loss@1=1.0"), seen);
  }

  @Test
  void aReplacedShorterFileIsReadFromTheStartWithAWarning() throws IOException {
    Path file = logdir.resolve("events.out.tfevents.1.x");
    EventFiles.append(
        file, List.of(EventFiles.simple("loss", 1, 1), EventFiles.simple("loss", 2, 2)));
    List<String> warnings = new ArrayList<>();
    LogDirReader reader = new LogDirReader(logdir, ReaderState.EMPTY, warnings::add);
    reader.read(collect);
    Files.delete(file);
    EventFiles.append(file, List.of(EventFiles.simple("loss", 9, 9)));
    reader.read(collect);
    assertEquals(List.of("./loss@1=1.0", "./loss@2=2.0", "./loss@9=9.0"), seen);
    assertTrue(warnings.get(0).contains("was replaced"), warnings.toString());
  }
}
