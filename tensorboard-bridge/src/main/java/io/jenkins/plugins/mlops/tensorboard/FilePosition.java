package io.jenkins.plugins.mlops.tensorboard;

/**
 * How far one event file has been read: the offset of the first record not read yet, and whether
 * the file was found corrupt at that offset (a bad length field), so reading it again is pointless.
 *
 * @param offset bytes from the start of the file; always a record boundary
 * @param dead true once the record boundaries were lost at {@code offset}
 */
public record FilePosition(long offset, boolean dead) {

  /** The start of a file not read yet. */
  public static final FilePosition START = new FilePosition(0, false);

  public FilePosition {
    if (offset < 0) {
      throw new IllegalArgumentException("offset (" + offset + ") may not be negative");
    }
  }
}
