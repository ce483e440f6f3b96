package io.jenkins.plugins.mlops.tensorboard.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads TFRecord frames ({@code uint64 length, uint32 masked CRC of length, data, uint32 masked CRC
 * of data}, little-endian) from a file that may still be growing, starting at a saved offset.
 *
 * <p>A record that is not complete yet ends the pass without moving the offset, so a later pass
 * reads it once its writer has finished it. A record whose data CRC is wrong is skipped (its length
 * is trusted: the length CRC was right). A wrong length CRC means the record boundaries are lost:
 * the file cannot be read further. Memory grows only to the largest record actually present in the
 * file. Not thread-safe; the caller owns and closes the channel.
 */
public final class RecordReader {

  /** What {@link #next()} found. */
  public enum Outcome {
    /** A whole record: {@link #data()}, {@link #dataOffset()}, {@link #dataLength()} hold it. */
    RECORD,
    /** Nothing more for now: the end of the file, or a record its writer has not finished. */
    END,
    /** A whole record whose data CRC is wrong; skipped. */
    BAD_DATA_CRC,
    /** A record whose length CRC is wrong, or whose length is absurd: the file ends here. */
    BAD_LENGTH
  }

  private static final int HEADER = 12;
  private static final int FOOTER = 4;
  private static final int INITIAL_BUFFER = 1 << 20;

  /** Records above this are treated as corrupt rather than read into memory (1 GiB). */
  public static final long MAX_RECORD_BYTES = 1L << 30;

  private final FileChannel channel;
  private final MaskedCrc32c crc = new MaskedCrc32c();
  private byte[] buffer = new byte[INITIAL_BUFFER];
  private long bufferStart;
  private int position;
  private int limit;
  private int dataOffset;
  private int dataLength;
  private long badLength;

  /** Reads {@code channel} from {@code offset}, a record boundary. */
  public RecordReader(FileChannel channel, long offset) {
    this.channel = channel;
    this.bufferStart = offset;
  }

  /** The file offset after the last record consumed (read or skipped): where to resume. */
  public long offset() {
    return bufferStart + position;
  }

  /** The length field of the record that ended the file with {@link Outcome#BAD_LENGTH}. */
  public long badLength() {
    return badLength;
  }

  /**
   * What the first record of {@code file} is: {@link Outcome#RECORD} for a file that starts as a
   * TFRecord file does, {@link Outcome#END} while its first record is not complete (or the file is
   * empty), otherwise the corruption found. Reads only as far as the first record.
   */
  public static Outcome firstRecord(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return new RecordReader(channel, 0).next();
    }
  }

  /** Reads the next record. */
  public Outcome next() throws IOException {
    if (!ensure(HEADER)) {
      return Outcome.END;
    }
    long length = readLongLe(buffer, position);
    int lengthCrc = readIntLe(buffer, position + 8);
    if (crc.of(buffer, position, 8) != lengthCrc || length < 0 || length > MAX_RECORD_BYTES) {
      badLength = length;
      return Outcome.BAD_LENGTH;
    }
    int total = HEADER + (int) length + FOOTER;
    if (!ensure(total)) {
      return Outcome.END;
    }
    dataOffset = position + HEADER;
    dataLength = (int) length;
    int dataCrc = readIntLe(buffer, dataOffset + dataLength);
    position += total;
    return crc.of(buffer, dataOffset, dataLength) == dataCrc
        ? Outcome.RECORD
        : Outcome.BAD_DATA_CRC;
  }

  /** The buffer holding the last record's data (valid until the next call). */
  public byte[] data() {
    return buffer;
  }

  /** Where the last record's data starts in {@link #data()}. */
  public int dataOffset() {
    return dataOffset;
  }

  /** How many bytes of data the last record has. */
  public int dataLength() {
    return dataLength;
  }

  /**
   * Makes {@code needed} bytes from {@link #position} available; false when the file is shorter.
   */
  private boolean ensure(int needed) throws IOException {
    if (limit - position >= needed) {
      return true;
    }
    long fileOffset = bufferStart + position;
    if (channel.size() - fileOffset < needed) {
      return false;
    }
    compact(needed);
    ByteBuffer target = ByteBuffer.wrap(buffer, limit, buffer.length - limit);
    while (limit - position < needed) {
      int read = channel.read(target, bufferStart + limit);
      if (read < 0) {
        return false;
      }
      limit += read;
    }
    return true;
  }

  private void compact(int needed) {
    int remaining = limit - position;
    byte[] target = needed > buffer.length ? new byte[Math.max(needed, buffer.length * 2)] : buffer;
    System.arraycopy(buffer, position, target, 0, remaining);
    buffer = target;
    bufferStart += position;
    position = 0;
    limit = remaining;
  }

  static long readLongLe(byte[] b, int i) {
    return (b[i] & 0xffL)
        | (b[i + 1] & 0xffL) << 8
        | (b[i + 2] & 0xffL) << 16
        | (b[i + 3] & 0xffL) << 24
        | (b[i + 4] & 0xffL) << 32
        | (b[i + 5] & 0xffL) << 40
        | (b[i + 6] & 0xffL) << 48
        | (b[i + 7] & 0xffL) << 56;
  }

  static int readIntLe(byte[] b, int i) {
    return (b[i] & 0xff)
        | (b[i + 1] & 0xff) << 8
        | (b[i + 2] & 0xff) << 16
        | (b[i + 3] & 0xff) << 24;
  }
}
