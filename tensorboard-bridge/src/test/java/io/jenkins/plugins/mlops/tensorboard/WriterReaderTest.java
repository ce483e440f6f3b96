package io.jenkins.plugins.mlops.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our writer read back by our reader. (TensorBoard and tbparse read it in PeerCompatibilityIT.) */
class WriterReaderTest {

  @TempDir Path logdir;

  @Test
  void scalarsHistogramsAndTextComeBackWithStepsAndTimes() {
    try (EventFileWriter w = EventFileWriter.open(logdir.resolve("train"))) {
      w.scalar("epoch_loss", 0, 1700000000.5, 0.75);
      w.scalar("epoch_loss", 1, 1700000001.25, 0.5);
      w.histogram("weights", 1, new double[] {1, 2, 2, 3, 10}, 3);
      w.text("notes", 1, "**hello**");
    }
    LogDirContents contents = LogDirContents.load(logdir, line -> {});

    assertEquals(
        List.of(
            new ScalarPoint("train", "epoch_loss", 0, 1700000000.5, 0.75),
            new ScalarPoint("train", "epoch_loss", 1, 1700000001.25, 0.5)),
        contents.scalars());
    Histogram h = contents.histograms().get(0).value();
    assertEquals(3, h.buckets().size());
    assertEquals(5, h.buckets().stream().mapToDouble(Histogram.Bucket::count).sum());
    assertEquals(1.0, h.buckets().get(0).left());
    assertEquals(10.0, h.buckets().get(2).right());
    assertEquals("**hello**", contents.texts().get(0).value());
    assertEquals(0, contents.stats().skippedTotal());
  }

  @Test
  void theFileIsNamedLikeTensorBoardsAndStartsWithTheVersion() {
    List<String> versions = new ArrayList<>();
    Path file;
    try (EventFileWriter w = EventFileWriter.open(logdir)) {
      file = w.file();
    }
    assertTrue(
        file.getFileName()
            .toString()
            .matches("events\\.out\\.tfevents\\.\\d{10}\\.[^.]+(\\.[^.]+)*\\.\\d+\\.\\d+\\.v2"),
        file.toString());
    LogDirReader.readAll(
        logdir,
        new EventVisitor() {
          @Override
          public void scalar(String run, String tag, long step, double wallTime, double value) {}

          @Override
          public void fileVersion(String run, String version) {
            versions.add(run + " " + version);
          }
        },
        line -> {});
    assertEquals(List.of(". brain.Event:2"), versions);
  }

  @Test
  void pointsReachTheFileOnTheFlushSchedule() throws Exception {
    try (EventFileWriter w = EventFileWriter.open(logdir, Duration.ofMillis(100))) {
      w.scalar("loss", 1, 0.5);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (LogDirContents.load(logdir, line -> {}).scalars().isEmpty()
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(1, LogDirContents.load(logdir, line -> {}).scalars().size());
    }
  }

  @Test
  void aClosedWriterRefusesMoreAndAnEmptyTagIsRefused() {
    EventFileWriter w = EventFileWriter.open(logdir);
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> w.scalar("", 0, 1.0));
    assertTrue(empty.getMessage().contains("tag"));
    w.close();
    assertThrows(IllegalStateException.class, () -> w.scalar("loss", 0, 1.0));
    assertFalse(Files.notExists(w.file()));
  }
}
