package io.jenkins.plugins.mlops.tensorboard.internal;

import java.util.zip.CRC32C;

/**
 * TFRecord's checksum: CRC-32C (Castagnoli) of the bytes, rotated right by 15 bits plus the
 * constant {@code 0xa282ead8}, so that a CRC of data that itself holds CRCs stays strong.
 * Thread-confined: one instance per reader.
 */
public final class MaskedCrc32c {

  private static final int MASK_DELTA = 0xa282ead8;

  private final CRC32C crc = new CRC32C();

  /** The masked CRC of {@code length} bytes of {@code bytes} from {@code offset}. */
  public int of(byte[] bytes, int offset, int length) {
    crc.reset();
    crc.update(bytes, offset, length);
    return mask((int) crc.getValue());
  }

  /** Masks a plain CRC-32C value. */
  public static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  /** Undoes {@link #mask}. */
  public static int unmask(int masked) {
    int rotated = masked - MASK_DELTA;
    return (rotated >>> 17) | (rotated << 15);
  }
}
