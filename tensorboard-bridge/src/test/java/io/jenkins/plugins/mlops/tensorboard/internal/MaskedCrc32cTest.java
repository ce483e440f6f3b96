package io.jenkins.plugins.mlops.tensorboard.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Test vectors from TensorBoard's Rust loader (rustboard's masked_crc.rs and tf_record.rs). */
class MaskedCrc32cTest {

  private final MaskedCrc32c crc = new MaskedCrc32c();

  @Test
  void lengthFieldOf24() {
    byte[] length = {0x18, 0, 0, 0, 0, 0, 0, 0};
    assertEquals(0x224b7fa3, crc.of(length, 0, 8));
  }

  @Test
  void textVector() {
    byte[] data = "\u001a\u0011CRC test, one two".getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(0x5794d08a, crc.of(data, 0, data.length));
  }

  @Test
  void fileVersionRecord() {
    byte[] prefix = {
      0x09, 0, 0, (byte) 0x80, 0x38, (byte) 0x99, (byte) 0xd6, (byte) 0xd7, 0x41, 0x1a, 0x0d
    };
    byte[] version = "brain.Event:2".getBytes(StandardCharsets.US_ASCII);
    byte[] data = new byte[prefix.length + version.length];
    System.arraycopy(prefix, 0, data, 0, prefix.length);
    System.arraycopy(version, 0, data, prefix.length, version.length);
    assertEquals(0xab364b12, crc.of(data, 0, data.length));
  }

  @Test
  void unmaskUndoesMask() {
    for (int v : new int[] {0, 1, -1, 0x12345678, 0xa282ead8, Integer.MIN_VALUE}) {
      assertEquals(v, MaskedCrc32c.unmask(MaskedCrc32c.mask(v)));
    }
  }
}
