package io.jenkins.plugins.mlops.tensorboard.internal;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes TFRecord frames: {@code uint64 length, uint32 masked CRC of length, data, uint32 masked
 * CRC of data}, little-endian. Not thread-safe; does not own the stream.
 */
public final class RecordWriter {

  private final OutputStream out;
  private final MaskedCrc32c crc = new MaskedCrc32c();
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];

  public RecordWriter(OutputStream out) {
    this.out = out;
  }

  /** Writes one record holding {@code data}. */
  public void write(byte[] data) throws IOException {
    long length = data.length;
    for (int i = 0; i < 8; i++) {
      header[i] = (byte) (length >>> (8 * i));
    }
    putIntLe(header, 8, crc.of(header, 0, 8));
    putIntLe(footer, 0, crc.of(data, 0, data.length));
    out.write(header);
    out.write(data);
    out.write(footer);
  }

  private static void putIntLe(byte[] b, int i, int v) {
    b[i] = (byte) v;
    b[i + 1] = (byte) (v >>> 8);
    b[i + 2] = (byte) (v >>> 16);
    b[i + 3] = (byte) (v >>> 24);
  }
}
