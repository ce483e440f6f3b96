package io.jenkins.plugins.mlops.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReaderRobustnessTest {

  @TempDir Path dir;

  private Path realFile() {
    Path logdir = dir.resolve("source");
    try (EventFileWriter w = EventFileWriter.open(logdir)) {
      Random random = new Random(1);
      for (int step = 0; step < 60; step++) {
        w.scalar("loss", step, 1.7e9 + step, random.nextGaussian());
        w.scalar("accuracy", step, 1.7e9 + step, random.nextDouble());
        if (step % 15 == 0) {
          w.histogram(
              "weights", step, 1.7e9 + step, Histograms.of(random.doubles(200).toArray(), 10));
          w.text("note", step, "step " + step);
        }
      }
      return w.file();
    }
  }

  @Test
  void randomTruncationsAndBitFlipsNeverBreakTheReader() throws IOException {
    Fuzzing.fuzz(realFile(), dir.resolve("fuzz"), 400, 20261127L);
  }

  @Test
  void garbageIsCountedNotThrown() throws IOException {
    Path logdir = dir.resolve("garbage");
    Files.createDirectories(logdir);
    byte[] noise = new byte[100_000];
    new Random(5).nextBytes(noise);
    Files.write(logdir.resolve("events.out.tfevents.1.noise"), noise);
    List<String> warnings = new ArrayList<>();
    ReadStats.Snapshot stats = LogDirReader.readAll(logdir, (r, t, s, w, v) -> {}, warnings::add);
    assertEquals(1, stats.deadFiles());
    assertEquals(0, stats.scalars());
    assertTrue(warnings.get(0).contains("corrupt record length at offset 0"), warnings.toString());
  }

  @Test
  void validRecordsThatAreNotEventsAreSkippedWithAWarning() throws IOException {
    Path logdir = dir.resolve("not-events");
    Path file = logdir.resolve("events.out.tfevents.1.x");
    EventFiles.append(file, List.of(EventFiles.simple("loss", 1, 0.5f)));
    try (var out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
      // A record with a good CRC whose bytes are not a protobuf message (a truncated varint).
      new io.jenkins.plugins.mlops.tensorboard.internal.RecordWriter(out)
          .write(new byte[] {0x10, (byte) 0xff, (byte) 0xff});
    }
    EventFiles.append(file, List.of(EventFiles.simple("loss", 2, 0.25f)));
    List<String> warnings = new ArrayList<>();
    LogDirContents contents = LogDirContents.load(logdir, warnings::add);
    assertEquals(2, contents.scalars().size());
    assertEquals(1, contents.stats().unparseable());
    assertTrue(warnings.get(0).contains("not a valid event"), warnings.toString());
  }

  @Test
  void warningsAboutOneFileAreCappedButEverythingIsCounted() throws IOException {
    Path logdir = dir.resolve("many-bad");
    var bytes = new java.io.ByteArrayOutputStream();
    var records = new io.jenkins.plugins.mlops.tensorboard.internal.RecordWriter(bytes);
    for (int i = 0; i < 10; i++) {
      byte[] event = EventFiles.simple("loss", i, i).toByteArray();
      int before = bytes.size();
      records.write(event);
      if (i % 2 == 0) {
        // Spoil a data byte of every other record: rewrite it with one bit flipped.
        byte[] all = bytes.toByteArray();
        all[before + 12] ^= 1;
        bytes.reset();
        bytes.write(all);
      }
    }
    Files.createDirectories(logdir);
    Files.write(logdir.resolve("events.out.tfevents.1.x"), bytes.toByteArray());
    List<String> warnings = new ArrayList<>();
    ReadStats.Snapshot stats = LogDirReader.readAll(logdir, (r, t, s, w, v) -> {}, warnings::add);
    assertEquals(5, stats.badDataCrc());
    assertEquals(5, stats.scalars());
    assertEquals(4, warnings.size(), warnings.toString());
  }
}
