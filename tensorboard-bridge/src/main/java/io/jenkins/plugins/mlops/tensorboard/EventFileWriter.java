package io.jenkins.plugins.mlops.tensorboard;

import com.google.protobuf.ByteString;
import io.jenkins.plugins.mlops.tensorboard.internal.RecordWriter;
import io.jenkins.plugins.mlops.tensorboard.proto.DataClass;
import io.jenkins.plugins.mlops.tensorboard.proto.DataType;
import io.jenkins.plugins.mlops.tensorboard.proto.Event;
import io.jenkins.plugins.mlops.tensorboard.proto.Summary;
import io.jenkins.plugins.mlops.tensorboard.proto.SummaryMetadata;
import io.jenkins.plugins.mlops.tensorboard.proto.TensorProto;
import io.jenkins.plugins.mlops.tensorboard.proto.TensorShapeProto;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one TensorBoard event file the way TensorFlow 2 does: the first record says {@code
 * brain.Event:2}, scalars are rank-0 {@code DT_FLOAT} tensors of the {@code scalars} plugin,
 * histograms {@code [k, 3]} {@code DT_DOUBLE} tensors of the {@code histograms} plugin, text {@code
 * DT_STRING} tensors of the {@code text} plugin; a tag's plugin metadata is written with its first
 * value. The file is named like TensorBoard's ({@code
 * events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2}) so that every reader finds it.
 *
 * <p>Buffered: what is written reaches the file on {@link #flush()}, every flush interval (a daemon
 * thread) and on {@link #close()}. A file that is being written is complete up to its last flushed
 * record, which readers expect: event files are appended in place, not renamed. Thread-safe.
 */
public final class EventFileWriter implements AutoCloseable {

  /** The flush interval of {@link #open(Path)}. */
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(5);

  private static final AtomicLong FILE_COUNTER = new AtomicLong();
  private static final ScheduledExecutorService FLUSHER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "mlops-tensorboard-flush");
            t.setDaemon(true);
            return t;
          });

  private final Path file;
  private final OutputStream out;
  private final RecordWriter records;
  private final Set<String> taggedOnce = new HashSet<>();
  private final ScheduledFuture<?> flushing;
  private boolean closed;

  private EventFileWriter(Path file, Duration flushInterval) throws IOException {
    this.file = file;
    this.out =
        new BufferedOutputStream(
            Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            1 << 16);
    this.records = new RecordWriter(out);
    writeEvent(Event.newBuilder().setWallTime(now()).setFileVersion("brain.Event:2").build());
    long millis = Math.max(1, flushInterval.toMillis());
    this.flushing =
        FLUSHER.scheduleWithFixedDelay(this::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Opens a new event file in {@code runDirectory} (created if missing), flushed every 5 s. */
  public static EventFileWriter open(Path runDirectory) {
    return open(runDirectory, DEFAULT_FLUSH_INTERVAL);
  }

  /** Opens a new event file in {@code runDirectory}, flushed every {@code flushInterval}. */
  public static EventFileWriter open(Path runDirectory, Duration flushInterval) {
    try {
      Files.createDirectories(runDirectory);
      return new EventFileWriter(runDirectory.resolve(fileName()), flushInterval);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create an event file in " + runDirectory, e);
    }
  }

  /** The file written. */
  public Path file() {
    return file;
  }

  /** Writes a scalar at the current time. */
  public void scalar(String tag, long step, double value) {
    scalar(tag, step, now(), value);
  }

  /** Writes a scalar (as a 32-bit float, as TensorFlow does) at {@code wallTime} seconds. */
  public synchronized void scalar(String tag, long step, double wallTime, double value) {
    byte[] content =
        ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat((float) value).array();
    TensorProto tensor =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_FLOAT)
            .setTensorShape(TensorShapeProto.getDefaultInstance())
            .setTensorContent(ByteString.copyFrom(content))
            .build();
    writeValue(tag, step, wallTime, "scalars", DataClass.DATA_CLASS_SCALAR, tensor);
  }

  /** Writes a histogram of {@code values} in {@code bucketCount} equal-width buckets. */
  public void histogram(String tag, long step, double[] values, int bucketCount) {
    histogram(tag, step, now(), Histograms.of(values, bucketCount));
  }

  /** Writes a histogram: its buckets as a {@code [k, 3]} tensor (left, right, count). */
  public synchronized void histogram(String tag, long step, double wallTime, Histogram histogram) {
    List<Histogram.Bucket> buckets = histogram.buckets();
    ByteBuffer content = ByteBuffer.allocate(buckets.size() * 24).order(ByteOrder.LITTLE_ENDIAN);
    for (Histogram.Bucket b : buckets) {
      content.putDouble(b.left()).putDouble(b.right()).putDouble(b.count());
    }
    TensorShapeProto shape =
        TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dim.newBuilder().setSize(buckets.size()))
            .addDim(TensorShapeProto.Dim.newBuilder().setSize(3))
            .build();
    TensorProto tensor =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_DOUBLE)
            .setTensorShape(shape)
            .setTensorContent(ByteString.copyFrom(content.array()))
            .build();
    writeValue(tag, step, wallTime, "histograms", DataClass.DATA_CLASS_TENSOR, tensor);
  }

  /** Writes a text summary (Markdown, as TensorBoard's text plugin renders it). */
  public synchronized void text(String tag, long step, String text) {
    TensorProto tensor =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_STRING)
            .setTensorShape(TensorShapeProto.getDefaultInstance())
            .addStringVal(ByteString.copyFrom(text, StandardCharsets.UTF_8))
            .build();
    writeValue(tag, step, now(), "text", DataClass.DATA_CLASS_TENSOR, tensor);
  }

  /** Sends what is buffered to the file. */
  public synchronized void flush() {
    if (closed) {
      return;
    }
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the event file " + file, e);
    }
  }

  /** Flushes and closes the file; later calls do nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    flushing.cancel(false);
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the event file " + file, e);
    } finally {
      closed = true;
    }
  }

  private void writeValue(
      String tag,
      long step,
      double wallTime,
      String plugin,
      DataClass dataClass,
      TensorProto tensor) {
    if (tag == null || tag.isEmpty()) {
      throw new IllegalArgumentException("tag (" + tag + ") may not be empty");
    }
    Summary.Value.Builder value = Summary.Value.newBuilder().setTag(tag).setTensor(tensor);
    if (taggedOnce.add(tag)) {
      value.setMetadata(
          SummaryMetadata.newBuilder()
              .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName(plugin))
              .setDataClass(dataClass));
    }
    writeEvent(
        Event.newBuilder()
            .setWallTime(wallTime)
            .setStep(step)
            .setSummary(Summary.newBuilder().addValue(value))
            .build());
  }

  private void writeEvent(Event event) {
    if (closed) {
      throw new IllegalStateException("the event file " + file + " is closed");
    }
    try {
      records.write(event.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the event file " + file, e);
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (RuntimeException e) {
      // The next explicit flush or close reports it.
    }
  }

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  private static String fileName() {
    return String.format(
        "events.out.tfevents.%010d.%s.%d.%d.v2",
        System.currentTimeMillis() / 1000,
        host(),
        ProcessHandle.current().pid(),
        FILE_COUNTER.incrementAndGet());
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.-]", "_");
    } catch (IOException e) {
      return "localhost";
    }
  }
}
