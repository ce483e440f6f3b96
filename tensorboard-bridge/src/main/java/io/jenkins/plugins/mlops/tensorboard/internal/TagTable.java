package io.jenkins.plugins.mlops.tensorboard.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The tags of one run, looked up by their UTF-8 bytes so that a tag seen a million times is decoded
 * into a {@code String} once. Also remembers each tag's plugin: TensorBoard writers put the summary
 * metadata on the first value of a tag only. Open addressing; grows at half load. Not thread-safe.
 */
public final class TagTable {

  /** A tag and what its first metadata said. */
  public static final class Entry {
    final byte[] utf8;
    final int hash;

    /** The tag. */
    public final String tag;

    /** The plugin its first metadata named, or {@code null} before any metadata was seen. */
    public String plugin;

    Entry(byte[] utf8, int hash) {
      this.utf8 = utf8;
      this.hash = hash;
      this.tag = new String(utf8, StandardCharsets.UTF_8);
    }
  }

  private Entry[] slots = new Entry[64];
  private int size;

  /** The entry for the tag in {@code bytes[offset, offset + length)}, created on first sight. */
  public Entry lookup(byte[] bytes, int offset, int length) {
    int hash = hash(bytes, offset, length);
    int mask = slots.length - 1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      Entry e = slots[i];
      if (e == null) {
        Entry created = new Entry(Arrays.copyOfRange(bytes, offset, offset + length), hash);
        slots[i] = created;
        if (++size * 2 > slots.length) {
          grow();
        }
        return created;
      }
      if (e.hash == hash
          && Arrays.equals(e.utf8, 0, e.utf8.length, bytes, offset, offset + length)) {
        return e;
      }
    }
  }

  /**
   * Remembers {@code plugin} for {@code tag} (a saved state), unless metadata named one already.
   */
  public void remember(String tag, String plugin) {
    byte[] utf8 = tag.getBytes(StandardCharsets.UTF_8);
    Entry e = lookup(utf8, 0, utf8.length);
    if (e.plugin == null) {
      e.plugin = plugin;
    }
  }

  /** Every tag whose plugin is known, with it. */
  public java.util.Map<String, String> plugins() {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    for (Entry e : slots) {
      if (e != null && e.plugin != null) {
        out.put(e.tag, e.plugin);
      }
    }
    return out;
  }

  private void grow() {
    Entry[] old = slots;
    slots = new Entry[old.length * 2];
    int mask = slots.length - 1;
    for (Entry e : old) {
      if (e != null) {
        int i = e.hash & mask;
        while (slots[i] != null) {
          i = (i + 1) & mask;
        }
        slots[i] = e;
      }
    }
  }

  private static int hash(byte[] bytes, int offset, int length) {
    int h = 0x811c9dc5;
    for (int i = offset; i < offset + length; i++) {
      h = (h ^ bytes[i]) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }
}
