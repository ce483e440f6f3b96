package io.jenkins.plugins.mlops.tensorboard.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jenkins.plugins.mlops.tensorboard.EventVisitor;
import io.jenkins.plugins.mlops.tensorboard.Histogram;
import io.jenkins.plugins.mlops.tensorboard.Image;
import io.jenkins.plugins.mlops.tensorboard.ReadStats;
import io.jenkins.plugins.mlops.tensorboard.proto.HistogramProto;
import io.jenkins.plugins.mlops.tensorboard.proto.Summary;
import io.jenkins.plugins.mlops.tensorboard.proto.TensorProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one {@code Event} record and hands its values to an {@link EventVisitor}. Scalars, by far
 * the most common values, are read field by field with protobuf-java's {@link CodedInputStream}
 * without building messages; histograms, images and text go through the generated message classes.
 * Not thread-safe: one per reader.
 */
public final class EventDecoder {

  // Field tags (field number << 3 | wire type) of event.proto and summary.proto;
  // TensorBoardProtoTagsTest checks them against the generated classes.
  static final int EVENT_WALL_TIME = 9;
  static final int EVENT_STEP = 16;
  static final int EVENT_FILE_VERSION = 26;
  static final int EVENT_GRAPH_DEF = 34;
  static final int EVENT_SUMMARY = 42;
  static final int EVENT_LOG_MESSAGE = 50;
  static final int EVENT_SESSION_LOG = 58;
  static final int EVENT_TAGGED_RUN_METADATA = 66;
  static final int EVENT_META_GRAPH_DEF = 74;
  static final int SUMMARY_VALUE = 10;
  static final int VALUE_TAG = 10;
  static final int VALUE_SIMPLE = 21;
  static final int VALUE_OLD_HISTOGRAM = 26;
  static final int VALUE_IMAGE = 34;
  static final int VALUE_HISTO = 42;
  static final int VALUE_AUDIO = 50;
  static final int VALUE_TENSOR = 66;
  static final int VALUE_METADATA = 74;
  static final int METADATA_PLUGIN_DATA = 10;
  static final int PLUGIN_NAME = 10;
  static final int SESSION_STATUS = 8;
  static final int SESSION_START = 1;

  private final ScalarTensor scalar = new ScalarTensor();
  private final ValueFields value = new ValueFields();
  private final FastScalarPath.Match fast = new FastScalarPath.Match();

  /** Where the fields of one {@code Summary.Value} lie in the record. */
  private static final class ValueFields {
    int tagOffset;
    int tagLength;
    int kind;
    float simple;
    int offset;
    int length;
    String plugin;

    void reset() {
      tagOffset = -1;
      tagLength = 0;
      kind = 0;
      offset = -1;
      length = 0;
      plugin = null;
    }
  }

  /**
   * Decodes the event in {@code bytes[offset, offset + length)}.
   *
   * @throws InvalidProtocolBufferException when the record is not a valid event (nothing of it has
   *     reached the visitor then)
   */
  public void decode(
      byte[] bytes,
      int offset,
      int length,
      String run,
      TagTable tags,
      EventVisitor visitor,
      ReadStats stats)
      throws IOException {
    if (FastScalarPath.match(bytes, offset, length, fast)) {
      TagTable.Entry entry = tags.lookup(bytes, fast.tagOffset, fast.tagLength);
      // A tensor is a scalar only once its tag was declared one (metadata on the first value).
      if (!fast.tensor || "scalars".equals(entry.plugin)) {
        stats.addScalar();
        visitor.scalar(run, entry.tag, fast.step, fast.wallTime, fast.value);
        return;
      }
    }
    CodedInputStream in = CodedInputStream.newInstance(bytes, offset, length);
    double wallTime = 0;
    long step = 0;
    int summaryOffset = -1;
    int summaryLength = 0;
    String fileVersion = null;
    boolean start = false;
    String other = null;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case EVENT_WALL_TIME -> wallTime = in.readDouble();
        case EVENT_STEP -> step = in.readInt64();
        case EVENT_FILE_VERSION -> fileVersion = in.readString();
        case EVENT_SUMMARY -> {
          summaryLength = in.readRawVarint32();
          summaryOffset = offset + in.getTotalBytesRead();
          in.skipRawBytes(summaryLength);
        }
        case EVENT_SESSION_LOG -> {
          int end = in.pushLimit(in.readRawVarint32());
          int status = 0;
          for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == SESSION_STATUS) {
              status = in.readEnum();
            } else if (!in.skipField(t)) {
              throw new InvalidProtocolBufferException("bad session log");
            }
          }
          in.popLimit(end);
          start = status == SESSION_START;
          other = start ? null : "session_log";
        }
        case EVENT_GRAPH_DEF, EVENT_META_GRAPH_DEF -> {
          in.skipField(tag);
          other = "graph";
        }
        case EVENT_TAGGED_RUN_METADATA -> {
          in.skipField(tag);
          other = "run_metadata";
        }
        case EVENT_LOG_MESSAGE -> {
          in.skipField(tag);
          other = "log_message";
        }
        default -> {
          if (!in.skipField(tag)) {
            throw new InvalidProtocolBufferException("end-group tag in an event");
          }
        }
      }
    }
    if (summaryOffset >= 0) {
      // Values are checked before any reaches the visitor: a bad record is dropped whole.
      validateSummary(bytes, summaryOffset, summaryLength);
      summary(bytes, summaryOffset, summaryLength, run, tags, step, wallTime, visitor, stats);
    } else if (fileVersion != null) {
      visitor.fileVersion(run, fileVersion);
    } else if (start) {
      stats.addSessionStart();
      visitor.sessionStart(run, step, wallTime);
    } else if (other != null) {
      stats.skip(other);
    }
  }

  private static void validateSummary(byte[] bytes, int offset, int length) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes, offset, length);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (!in.skipField(tag)) {
        throw new InvalidProtocolBufferException("end-group tag in a summary");
      }
    }
  }

  private void summary(
      byte[] bytes,
      int offset,
      int length,
      String run,
      TagTable tags,
      long step,
      double wallTime,
      EventVisitor visitor,
      ReadStats stats)
      throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes, offset, length);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag != SUMMARY_VALUE) {
        in.skipField(tag);
        continue;
      }
      int valueLength = in.readRawVarint32();
      int valueOffset = offset + in.getTotalBytesRead();
      in.skipRawBytes(valueLength);
      try {
        readValue(bytes, valueOffset, valueLength);
        dispatch(bytes, run, tags, step, wallTime, visitor, stats);
      } catch (GuardedVisitor.Failure visitorFailed) {
        throw visitorFailed;
      } catch (IOException | RuntimeException malformed) {
        // One bad value does not cost the event its other values.
        stats.skip("malformed value");
      }
    }
  }

  private void readValue(byte[] bytes, int offset, int length) throws IOException {
    value.reset();
    CodedInputStream in = CodedInputStream.newInstance(bytes, offset, length);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case VALUE_TAG -> {
          value.tagLength = in.readRawVarint32();
          value.tagOffset = offset + in.getTotalBytesRead();
          in.skipRawBytes(value.tagLength);
        }
        case VALUE_SIMPLE -> {
          value.kind = tag;
          value.simple = in.readFloat();
        }
        case VALUE_TENSOR, VALUE_HISTO, VALUE_IMAGE, VALUE_AUDIO, VALUE_OLD_HISTOGRAM -> {
          value.kind = tag;
          value.length = in.readRawVarint32();
          value.offset = offset + in.getTotalBytesRead();
          in.skipRawBytes(value.length);
        }
        case VALUE_METADATA -> value.plugin = pluginName(in);
        default -> {
          if (!in.skipField(tag)) {
            throw new InvalidProtocolBufferException("end-group tag in a value");
          }
        }
      }
    }
  }

  private static String pluginName(CodedInputStream in) throws IOException {
    int end = in.pushLimit(in.readRawVarint32());
    String name = "";
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      if (t == METADATA_PLUGIN_DATA) {
        int inner = in.pushLimit(in.readRawVarint32());
        for (int u = in.readTag(); u != 0; u = in.readTag()) {
          if (u == PLUGIN_NAME) {
            name = in.readString();
          } else if (!in.skipField(u)) {
            throw new InvalidProtocolBufferException("bad plugin data");
          }
        }
        in.popLimit(inner);
      } else if (!in.skipField(t)) {
        throw new InvalidProtocolBufferException("bad summary metadata");
      }
    }
    in.popLimit(end);
    return name;
  }

  private void dispatch(
      byte[] bytes,
      String run,
      TagTable tags,
      long step,
      double wallTime,
      EventVisitor visitor,
      ReadStats stats)
      throws IOException {
    TagTable.Entry entry =
        value.tagOffset >= 0 ? tags.lookup(bytes, value.tagOffset, value.tagLength) : null;
    if (entry == null) {
      stats.skip("untagged value");
      return;
    }
    if (value.plugin != null && entry.plugin == null) {
      entry.plugin = value.plugin;
    }
    String tag = entry.tag;
    switch (value.kind) {
      case VALUE_SIMPLE -> {
        stats.addScalar();
        visitor.scalar(run, tag, step, wallTime, value.simple);
      }
      case VALUE_HISTO -> {
        stats.addHistogram();
        visitor.histogram(run, tag, step, wallTime, histogram(bytes));
      }
      case VALUE_IMAGE -> {
        Summary.Image image = Summary.Image.parseFrom(slice(bytes));
        stats.addImage();
        visitor.image(
            run,
            tag,
            step,
            wallTime,
            new Image(
                0,
                image.getWidth(),
                image.getHeight(),
                image.getEncodedImageString().toByteArray()));
      }
      case VALUE_AUDIO -> stats.skip("audio");
      case VALUE_OLD_HISTOGRAM -> stats.skip("obsolete_old_style_histogram");
      case VALUE_TENSOR -> tensor(bytes, entry, step, wallTime, run, visitor, stats);
      default -> stats.skip("empty value");
    }
  }

  private void tensor(
      byte[] bytes,
      TagTable.Entry entry,
      long step,
      double wallTime,
      String run,
      EventVisitor visitor,
      ReadStats stats)
      throws IOException {
    String plugin = entry.plugin == null ? "" : entry.plugin;
    switch (plugin) {
      case "scalars" -> {
        if (scalar.decode(bytes, value.offset, value.length)) {
          stats.addScalar();
          visitor.scalar(run, entry.tag, step, wallTime, scalar.value());
        } else {
          stats.skip("scalars: " + scalar.problem());
        }
      }
      case "histograms" -> {
        Histogram histogram = histogramTensor(TensorProto.parseFrom(slice(bytes)));
        if (histogram == null) {
          stats.skip("histograms: not a [k, 3] tensor");
        } else {
          stats.addHistogram();
          visitor.histogram(run, entry.tag, step, wallTime, histogram);
        }
      }
      case "images" ->
          images(
              TensorProto.parseFrom(slice(bytes)), entry.tag, step, wallTime, run, visitor, stats);
      case "text" -> {
        TensorProto t = TensorProto.parseFrom(slice(bytes));
        List<String> lines = new ArrayList<>();
        for (ByteString s : t.getStringValList()) {
          lines.add(s.toStringUtf8());
        }
        stats.addText();
        visitor.text(run, entry.tag, step, wallTime, String.join("\n", lines));
      }
      default -> stats.skip(plugin.isEmpty() ? "tensor without plugin" : plugin);
    }
  }

  private ByteString slice(byte[] bytes) {
    return ByteString.copyFrom(bytes, value.offset, value.length);
  }

  private Histogram histogram(byte[] bytes) throws IOException {
    HistogramProto h = HistogramProto.parseFrom(slice(bytes));
    List<Histogram.Bucket> buckets = new ArrayList<>();
    int n = Math.min(h.getBucketCount(), h.getBucketLimitCount());
    for (int i = 0; i < n; i++) {
      double left = i == 0 ? h.getMin() : h.getBucketLimit(i - 1);
      double right = i == n - 1 ? h.getMax() : h.getBucketLimit(i);
      buckets.add(new Histogram.Bucket(left, right, h.getBucket(i)));
    }
    return new Histogram(
        h.getMin(), h.getMax(), h.getNum(), h.getSum(), h.getSumSquares(), true, buckets);
  }

  /** A TF2 histogram: a {@code [k, 3]} tensor of (left edge, right edge, count), or null. */
  static Histogram histogramTensor(TensorProto t) {
    double[] values = numbers(t);
    List<Long> dims = t.getTensorShape().getDimList().stream().map(d -> d.getSize()).toList();
    if (values == null
        || dims.size() != 2
        || dims.get(1) != 3
        || values.length != dims.get(0) * 3) {
      return null;
    }
    List<Histogram.Bucket> buckets = new ArrayList<>();
    for (int i = 0; i + 2 < values.length; i += 3) {
      buckets.add(new Histogram.Bucket(values[i], values[i + 1], values[i + 2]));
    }
    return Histogram.fromBuckets(buckets);
  }

  private static double[] numbers(TensorProto t) {
    ByteString content = t.getTensorContent();
    switch (t.getDtype()) {
      case DT_DOUBLE -> {
        if (!content.isEmpty()) {
          double[] out = new double[content.size() / 8];
          content
              .asReadOnlyByteBuffer()
              .order(java.nio.ByteOrder.LITTLE_ENDIAN)
              .asDoubleBuffer()
              .get(out);
          return out;
        }
        return t.getDoubleValList().stream().mapToDouble(Double::doubleValue).toArray();
      }
      case DT_FLOAT -> {
        if (!content.isEmpty()) {
          float[] f = new float[content.size() / 4];
          content
              .asReadOnlyByteBuffer()
              .order(java.nio.ByteOrder.LITTLE_ENDIAN)
              .asFloatBuffer()
              .get(f);
          double[] out = new double[f.length];
          for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
          }
          return out;
        }
        return t.getFloatValList().stream().mapToDouble(Float::doubleValue).toArray();
      }
      default -> {
        return null;
      }
    }
  }

  private static void images(
      TensorProto t,
      String tag,
      long step,
      double wallTime,
      String run,
      EventVisitor visitor,
      ReadStats stats) {
    List<ByteString> strings = t.getStringValList();
    if (t.getDtype() != io.jenkins.plugins.mlops.tensorboard.proto.DataType.DT_STRING
        || strings.size() < 2) {
      stats.skip("images: not a [2 + n] string tensor");
      return;
    }
    int width = parseInt(strings.get(0));
    int height = parseInt(strings.get(1));
    for (int i = 2; i < strings.size(); i++) {
      stats.addImage();
      visitor.image(
          run, tag, step, wallTime, new Image(i - 2, width, height, strings.get(i).toByteArray()));
    }
  }

  private static int parseInt(ByteString s) {
    try {
      return Integer.parseInt(new String(s.toByteArray(), StandardCharsets.US_ASCII).trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
