package io.jenkins.plugins.mlops.tensorboard.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordReaderTest {

  @TempDir Path dir;

  private static byte[] records(String... payloads) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecordWriter writer = new RecordWriter(out);
    for (String p : payloads) {
      writer.write(p.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private Path file(byte[] bytes) throws IOException {
    return Files.write(dir.resolve("events.out.tfevents.1"), bytes);
  }

  private static String payload(RecordReader r) {
    return new String(r.data(), r.dataOffset(), r.dataLength(), StandardCharsets.UTF_8);
  }

  @Test
  void readsEveryRecordThenEnds() throws IOException {
    Path f = file(records("one", "two", ""));
    try (FileChannel ch = FileChannel.open(f)) {
      RecordReader r = new RecordReader(ch, 0);
      assertEquals(RecordReader.Outcome.RECORD, r.next());
      assertEquals("one", payload(r));
      assertEquals(RecordReader.Outcome.RECORD, r.next());
      assertEquals("two", payload(r));
      assertEquals(RecordReader.Outcome.RECORD, r.next());
      assertEquals("", payload(r));
      assertEquals(RecordReader.Outcome.END, r.next());
      assertEquals(Files.size(f), r.offset());
    }
  }

  @Test
  void anUnfinishedRecordIsLeftForLaterAtEveryCut() throws IOException {
    byte[] whole = records("first", "second record");
    int firstEnd = 12 + 5 + 4;
    for (int cut = firstEnd; cut < whole.length; cut++) {
      Path f = file(Arrays.copyOf(whole, cut));
      try (FileChannel ch = FileChannel.open(f)) {
        RecordReader r = new RecordReader(ch, 0);
        assertEquals(RecordReader.Outcome.RECORD, r.next());
        assertEquals(RecordReader.Outcome.END, r.next(), "cut at " + cut);
        assertEquals(firstEnd, r.offset(), "cut at " + cut);
      }
    }
  }

  @Test
  void resumesOnceTheWriterFinishesTheRecord() throws IOException {
    byte[] whole = records("first", "second");
    Path f = file(Arrays.copyOf(whole, whole.length - 3));
    long resumeAt;
    try (FileChannel ch = FileChannel.open(f)) {
      RecordReader r = new RecordReader(ch, 0);
      r.next();
      assertEquals(RecordReader.Outcome.END, r.next());
      resumeAt = r.offset();
    }
    Files.write(
        f, Arrays.copyOfRange(whole, whole.length - 3, whole.length), StandardOpenOption.APPEND);
    try (FileChannel ch = FileChannel.open(f)) {
      RecordReader r = new RecordReader(ch, resumeAt);
      assertEquals(RecordReader.Outcome.RECORD, r.next());
      assertEquals("second", payload(r));
    }
  }

  @Test
  void aBadDataChecksumSkipsOnlyThatRecord() throws IOException {
    byte[] bytes = records("good", "flip", "after");
    bytes[12 + 4 + 4 + 12] ^= 0x01; // a data byte of the second record
    try (FileChannel ch = FileChannel.open(file(bytes))) {
      RecordReader r = new RecordReader(ch, 0);
      assertEquals(RecordReader.Outcome.RECORD, r.next());
      assertEquals(RecordReader.Outcome.BAD_DATA_CRC, r.next());
      assertEquals(RecordReader.Outcome.RECORD, r.next());
      assertEquals("after", payload(r));
    }
  }

  @Test
  void aBadLengthChecksumEndsTheFile() throws IOException {
    byte[] bytes = records("good", "lost", "never");
    bytes[12 + 4 + 4 + 1] ^= 0x40; // the length of the second record
    try (FileChannel ch = FileChannel.open(file(bytes))) {
      RecordReader r = new RecordReader(ch, 0);
      assertEquals(RecordReader.Outcome.RECORD, r.next());
      assertEquals(RecordReader.Outcome.BAD_LENGTH, r.next());
      assertEquals(20, r.offset());
    }
  }

  @Test
  void recordsLargerThanTheBufferAreRead() throws IOException {
    char[] big = new char[3 << 20];
    Arrays.fill(big, 'x');
    String large = new String(big);
    try (FileChannel ch = FileChannel.open(file(records("a", large, "b")))) {
      RecordReader r = new RecordReader(ch, 0);
      r.next();
      assertEquals(RecordReader.Outcome.RECORD, r.next());
      assertEquals(large.length(), r.dataLength());
      assertEquals(RecordReader.Outcome.RECORD, r.next());
      assertArrayEquals(
          "b".getBytes(StandardCharsets.UTF_8),
          Arrays.copyOfRange(r.data(), r.dataOffset(), r.dataOffset() + r.dataLength()));
    }
  }
}
