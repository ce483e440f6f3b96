package io.jenkins.plugins.mlops.tensorboard;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counts of what a reader saw, accumulated over passes. Values of other plugins (audio, graphs,
 * hparams, …) are skipped and counted by plugin name, never an error. Not thread-safe: owned by one
 * reader; {@link #snapshot()} gives an immutable copy.
 */
public final class ReadStats {

  long records;
  long bytes;
  long scalars;
  long histograms;
  long images;
  long texts;
  long sessionStarts;
  long badDataCrc;
  long unparseable;
  long deadFiles;
  final Map<String, Long> skipped = new TreeMap<>();

  /** Counts one skipped value (or event) of {@code kind}. */
  public void skip(String kind) {
    skipped.merge(kind, 1L, Long::sum);
  }

  public void addRecord(int length) {
    records++;
    bytes += length + 16L;
  }

  public void addScalar() {
    scalars++;
  }

  public void addHistogram() {
    histograms++;
  }

  public void addImage() {
    images++;
  }

  public void addText() {
    texts++;
  }

  public void addSessionStart() {
    sessionStarts++;
  }

  public void addBadDataCrc() {
    badDataCrc++;
  }

  public void addUnparseable() {
    unparseable++;
  }

  public void addDeadFile() {
    deadFiles++;
  }

  /** An immutable copy of the counts so far. */
  public Snapshot snapshot() {
    return new Snapshot(
        records,
        bytes,
        scalars,
        histograms,
        images,
        texts,
        sessionStarts,
        badDataCrc,
        unparseable,
        deadFiles,
        skipped);
  }

  /**
   * What a reader saw.
   *
   * @param records whole records read (good or bad)
   * @param bytes bytes of those records, framing included
   * @param badDataCrc records skipped because their data CRC was wrong
   * @param unparseable records with a good CRC that are not a valid event
   * @param deadFiles files that ended at a corrupt length field
   * @param skipped values and events of other kinds, by plugin or event kind
   */
  public record Snapshot(
      long records,
      long bytes,
      long scalars,
      long histograms,
      long images,
      long texts,
      long sessionStarts,
      long badDataCrc,
      long unparseable,
      long deadFiles,
      Map<String, Long> skipped) {

    public Snapshot {
      skipped = Map.copyOf(skipped);
    }

    /** Total values and events skipped. */
    public long skippedTotal() {
      return skipped.values().stream().mapToLong(Long::longValue).sum();
    }

    /** One line for a log, e.g. {@code 1200 records, 1000 scalars, 2 histograms, …}. */
    public String describe() {
      StringBuilder s = new StringBuilder();
      s.append(records).append(" records (").append(bytes).append(" bytes), ");
      s.append(scalars).append(" scalars, ").append(histograms).append(" histograms, ");
      s.append(images).append(" images, ").append(texts).append(" texts");
      if (sessionStarts > 0) {
        s.append(", ").append(sessionStarts).append(" session starts");
      }
      if (!skipped.isEmpty()) {
        s.append(", skipped ").append(new TreeMap<>(skipped));
      }
      if (badDataCrc + unparseable + deadFiles > 0) {
        s.append(", corrupt: ").append(badDataCrc).append(" bad CRC, ");
        s.append(unparseable).append(" unparseable, ").append(deadFiles).append(" files cut short");
      }
      return s.toString();
    }
  }
}
