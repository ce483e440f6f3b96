package io.jenkins.plugins.mlops.tensorboard;

import io.jenkins.plugins.mlops.tensorboard.internal.EventDecoder;
import io.jenkins.plugins.mlops.tensorboard.internal.GuardedVisitor;
import io.jenkins.plugins.mlops.tensorboard.internal.RecordReader;
import io.jenkins.plugins.mlops.tensorboard.internal.TagTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a TensorBoard log directory incrementally: each {@link #read} pass finds new runs and files
 * and reads what was appended since the last pass, from positions that can be saved and handed to a
 * later reader (a restarted process resumes exactly where this one stopped).
 *
 * <p>Made for files that are still being written: an unfinished last record is left for the next
 * pass. A record with a bad data CRC, or that is not a valid event, is skipped with a warning and a
 * count; a bad length CRC ends that file with a warning. Nothing in a file can make the reader fail
 * or loop: only I/O errors on the directory itself and exceptions thrown by the visitor escape.
 * Memory is bounded by the tags per run and the largest record. Not thread-safe.
 *
 * <pre>{@code
 * LogDirReader reader = new LogDirReader(logdir, ReaderState.EMPTY, System.err::println);
 * reader.read((run, tag, step, wallTime, value) -> System.out.println(run + " " + tag + " " + value));
 * }</pre>
 */
public final class LogDirReader {

  private static final int WARNINGS_PER_FILE = 3;

  private final Path logdir;
  private final Consumer<String> console;
  private final Map<String, FilePosition> positions;
  private final Map<String, TagTable> tagsByRun = new HashMap<>();
  private final Map<String, Integer> warningsByFile = new HashMap<>();
  private final Set<Path> loopsReported = new HashSet<>();
  private final EventDecoder decoder = new EventDecoder();
  private final ReadStats stats = new ReadStats();

  /**
   * A reader of {@code logdir} that resumes from {@code state} ({@link ReaderState#EMPTY} reads
   * everything).
   *
   * @param console receives one line per warning (corrupt records, files cut short)
   */
  public LogDirReader(Path logdir, ReaderState state, Consumer<String> console) {
    this.logdir = logdir;
    this.console = console;
    this.positions = new LinkedHashMap<>(state.positions());
    state
        .plugins()
        .forEach(
            (run, tags) -> {
              TagTable table = tagsByRun.computeIfAbsent(run, r -> new TagTable());
              tags.forEach(table::remember);
            });
  }

  /** Reads everything in {@code logdir} once and returns what was seen. */
  public static ReadStats.Snapshot readAll(
      Path logdir, EventVisitor visitor, Consumer<String> console) {
    LogDirReader reader = new LogDirReader(logdir, ReaderState.EMPTY, console);
    reader.read(visitor);
    return reader.stats().snapshot();
  }

  /** The log directory. */
  public Path logdir() {
    return logdir;
  }

  /** Where each file has been read to, and what the reader learnt of tags: save it to resume. */
  public ReaderState state() {
    Map<String, Map<String, String>> plugins = new HashMap<>();
    tagsByRun.forEach((run, table) -> plugins.put(run, table.plugins()));
    return new ReaderState(positions, plugins);
  }

  /** What this reader has seen so far. */
  public ReadStats stats() {
    return stats;
  }

  /** Reads everything that is new. */
  public void read(EventVisitor visitor) {
    read(visitor, Long.MAX_VALUE);
  }

  /**
   * Reads what is new in every file, stopping after {@code maxRecords} records so that a caller can
   * hand over bounded batches.
   *
   * @return true when it stopped at the limit (more may be waiting), false when it is caught up
   */
  public boolean read(EventVisitor visitor, long maxRecords) {
    EventVisitor guarded = new GuardedVisitor(visitor);
    long budget = maxRecords;
    try {
      for (LogDir.EventFile file : LogDir.scan(logdir, this::loop)) {
        budget -= readFile(file, guarded, budget);
        if (budget <= 0) {
          return true;
        }
      }
    } catch (GuardedVisitor.Failure visitorFailed) {
      throw visitorFailed.original();
    }
    return false;
  }

  /**
   * Follow mode: reads what is new every {@code interval} until {@code stop} says so, then once
   * more, so that nothing written before the stop is missed. Memory stays bounded however long it
   * runs: the reader keeps positions and tag names, never points.
   */
  public void follow(
      EventVisitor visitor, java.time.Duration interval, java.util.function.BooleanSupplier stop) {
    long pause = Math.max(1, interval.toMillis());
    while (!stop.getAsBoolean()) {
      read(visitor);
      long until = System.currentTimeMillis() + pause;
      while (!stop.getAsBoolean() && System.currentTimeMillis() < until) {
        try {
          Thread.sleep(Math.min(50, pause));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    read(visitor);
  }

  /** Whether some file has bytes that were not read yet (cheap: one stat per file). */
  public boolean hasUnread() {
    for (LogDir.EventFile file : LogDir.scan(logdir)) {
      FilePosition at = positions.getOrDefault(file.key(), FilePosition.START);
      try {
        if (!at.dead() && Files.size(file.path()) > at.offset()) {
          return true;
        }
      } catch (IOException gone) {
        // Removed since the scan: nothing to read there.
      }
    }
    return false;
  }

  private long readFile(LogDir.EventFile file, EventVisitor visitor, long budget) {
    FilePosition at = positions.getOrDefault(file.key(), FilePosition.START);
    if (at.dead()) {
      return 0;
    }
    long count = 0;
    try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ)) {
      long size = channel.size();
      if (size == at.offset()) {
        return 0;
      }
      if (size < at.offset()) {
        warn(
            file,
            "is shorter ("
                + size
                + " bytes) than where it was read to ("
                + at.offset()
                + "): it was replaced; reading it again from the start");
        at = FilePosition.START;
      }
      TagTable tags = tagsByRun.computeIfAbsent(file.run(), run -> new TagTable());
      RecordReader records = new RecordReader(channel, at.offset());
      boolean dead = false;
      reading:
      while (count < budget) {
        long recordStart = records.offset();
        switch (records.next()) {
          case END -> {
            break reading;
          }
          case RECORD -> {
            stats.addRecord(records.dataLength());
            decode(file, records, tags, visitor, recordStart);
          }
          case BAD_DATA_CRC -> {
            stats.addRecord(records.dataLength());
            stats.addBadDataCrc();
            warn(
                file,
                "has a record with a bad data checksum at offset " + recordStart + "; skipped it");
          }
          case BAD_LENGTH -> {
            stats.addDeadFile();
            dead = true;
            warn(
                file,
                "has a corrupt record length at offset "
                    + recordStart
                    + "; the rest of the file cannot be read");
            break reading;
          }
        }
        count++;
      }
      positions.put(file.key(), new FilePosition(records.offset(), dead));
    } catch (NoSuchFileException gone) {
      return count;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the event file " + file.path(), e);
    }
    return count;
  }

  private void decode(
      LogDir.EventFile file,
      RecordReader records,
      TagTable tags,
      EventVisitor visitor,
      long recordStart) {
    try {
      decoder.decode(
          records.data(),
          records.dataOffset(),
          records.dataLength(),
          file.run(),
          tags,
          visitor,
          stats);
    } catch (GuardedVisitor.Failure visitorFailed) {
      throw visitorFailed;
    } catch (IOException | RuntimeException notAnEvent) {
      stats.addUnparseable();
      warn(
          file,
          "has a record at offset "
              + recordStart
              + " that is not a valid event ("
              + notAnEvent.getMessage()
              + "); skipped it");
    }
  }

  private void loop(Path link) {
    if (loopsReported.add(link)) {
      console.accept(
          "WARNING: "
              + link
              + " in the log directory links back to a directory above it; not followed there");
    }
  }

  private void warn(LogDir.EventFile file, String problem) {
    int seen = warningsByFile.merge(file.key(), 1, Integer::sum);
    if (seen <= WARNINGS_PER_FILE) {
      console.accept("WARNING: the event file " + file.key() + " " + problem);
    }
    if (seen == WARNINGS_PER_FILE) {
      console.accept(
          "WARNING: further problems in " + file.key() + " are counted, not reported one by one");
    }
  }
}
