package io.jenkins.plugins.mlops.tensorboard.internal;

/**
 * The shape nearly every record of a training log has: one scalar value without metadata, as a
 * {@code simple_value} or as a rank-0 {@code DT_FLOAT} tensor in {@code tensor_content}. Parsed by
 * a few static methods over the record's bytes, which the JVM compiles early and runs fast even
 * before then; anything else (metadata, other fields, other dtypes, malformed bytes) answers "not
 * mine" and goes to {@link EventDecoder}. Stateless.
 */
final class FastScalarPath {

  /** What a match found. Reused; one per decoder. */
  static final class Match {
    double wallTime;
    long step;
    int tagOffset;
    int tagLength;
    boolean tensor;
    float value;
  }

  private FastScalarPath() {}

  /** Whether {@code b[offset, offset + length)} is an event of that shape; fills {@code m}. */
  static boolean match(byte[] b, int offset, int length, Match m) {
    int end = offset + length;
    int p = offset;
    m.wallTime = 0;
    m.step = 0;
    int summaryStart = -1;
    int summaryEnd = -1;
    while (p < end) {
      int tag = b[p++];
      if (tag == EventDecoder.EVENT_WALL_TIME) {
        if (p + 8 > end) {
          return false;
        }
        m.wallTime = Double.longBitsToDouble(RecordReader.readLongLe(b, p));
        p += 8;
      } else if (tag == EventDecoder.EVENT_STEP) {
        long v = 0;
        int shift = 0;
        while (true) {
          if (p >= end || shift > 63) {
            return false;
          }
          byte x = b[p++];
          v |= (long) (x & 0x7f) << shift;
          if (x >= 0) {
            break;
          }
          shift += 7;
        }
        m.step = v;
      } else if (tag == EventDecoder.EVENT_SUMMARY && summaryStart < 0) {
        int len = smallLength(b, p, end);
        if (len < 0) {
          return false;
        }
        p += len >>> 24;
        len &= 0xffffff;
        summaryStart = p;
        summaryEnd = p + len;
        p = summaryEnd;
        if (p > end) {
          return false;
        }
      } else {
        return false;
      }
    }
    return summaryStart >= 0 && value(b, summaryStart, summaryEnd, m);
  }

  /** The summary holds exactly one value: a tag, then a simple value or a scalar tensor. */
  private static boolean value(byte[] b, int p, int end, Match m) {
    if (p >= end || b[p++] != EventDecoder.SUMMARY_VALUE) {
      return false;
    }
    int len = smallLength(b, p, end);
    if (len < 0) {
      return false;
    }
    p += len >>> 24;
    int valueEnd = p + (len & 0xffffff);
    if (valueEnd != end || p >= end || b[p++] != EventDecoder.VALUE_TAG) {
      return false;
    }
    int tagLen = smallLength(b, p, end);
    if (tagLen < 0) {
      return false;
    }
    p += tagLen >>> 24;
    m.tagOffset = p;
    m.tagLength = tagLen & 0xffffff;
    p += m.tagLength;
    if (p >= end) {
      return false;
    }
    int field = b[p++];
    if (field == EventDecoder.VALUE_SIMPLE && p + 4 == end) {
      m.tensor = false;
      m.value = Float.intBitsToFloat(RecordReader.readIntLe(b, p));
      return true;
    }
    // tensor { dtype: DT_FLOAT, tensor_shape {}, tensor_content: 4 bytes }, exactly.
    if (field == EventDecoder.VALUE_TENSOR
        && p + 11 == end
        && b[p] == 10
        && b[p + 1] == ScalarTensor.DTYPE
        && b[p + 2] == ScalarTensor.DT_FLOAT
        && b[p + 3] == ScalarTensor.SHAPE
        && b[p + 4] == 0
        && b[p + 5] == ScalarTensor.CONTENT
        && b[p + 6] == 4) {
      m.tensor = true;
      m.value = Float.intBitsToFloat(RecordReader.readIntLe(b, p + 7));
      return true;
    }
    return false;
  }

  /**
   * A varint length below 2^21 at {@code p}: the length in the low 24 bits and the varint's size in
   * the high 8; -1 when it is not one or does not fit before {@code end}.
   */
  private static int smallLength(byte[] b, int p, int end) {
    int v = 0;
    for (int i = 0; i < 3; i++) {
      if (p + i >= end) {
        return -1;
      }
      byte x = b[p + i];
      v |= (x & 0x7f) << (7 * i);
      if (x >= 0) {
        return p + i + 1 + v <= end ? ((i + 1) << 24) | v : -1;
      }
    }
    return -1;
  }
}
