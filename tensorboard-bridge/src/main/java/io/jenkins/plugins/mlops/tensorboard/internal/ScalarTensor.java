package io.jenkins.plugins.mlops.tensorboard.internal;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;

/**
 * Reads the one value of a scalar {@code TensorProto} straight from its bytes, whichever field the
 * writer used: {@code tensor_content} (TF2, Keras) or a typed value list ({@code float_val} from
 * PyTorch's new-style scalars, {@code double_val}, {@code int_val}, {@code int64_val}, {@code
 * half_val}, …), for every numeric dtype. Like TensorFlow's {@code make_ndarray}, an empty value
 * list means zero. Not thread-safe; one per reader.
 */
public final class ScalarTensor {

  // TensorProto field tags (field number << 3 | wire type); TensorBoardProtoTagsTest checks them.
  static final int DTYPE = 8;
  static final int SHAPE = 18;
  static final int CONTENT = 34;
  static final int FLOAT_PACKED = 42;
  static final int FLOAT_ONE = 45;
  static final int DOUBLE_PACKED = 50;
  static final int DOUBLE_ONE = 49;
  static final int INT_PACKED = 58;
  static final int INT_ONE = 56;
  static final int INT64_PACKED = 82;
  static final int INT64_ONE = 80;
  static final int BOOL_PACKED = 90;
  static final int BOOL_ONE = 88;
  static final int HALF_PACKED = 106;
  static final int HALF_ONE = 104;
  static final int UINT32_PACKED = 130;
  static final int UINT32_ONE = 128;
  static final int UINT64_PACKED = 138;
  static final int UINT64_ONE = 136;
  static final int SHAPE_DIM = 18;
  static final int SHAPE_UNKNOWN_RANK = 24;
  static final int DIM_SIZE = 8;

  // DataType numbers, as in TensorFlow's types.proto.
  static final int DT_FLOAT = 1;
  static final int DT_DOUBLE = 2;
  static final int DT_INT32 = 3;
  static final int DT_UINT8 = 4;
  static final int DT_INT16 = 5;
  static final int DT_INT8 = 6;
  static final int DT_INT64 = 9;
  static final int DT_BOOL = 10;
  static final int DT_BFLOAT16 = 14;
  static final int DT_UINT16 = 17;
  static final int DT_HALF = 19;
  static final int DT_UINT32 = 22;
  static final int DT_UINT64 = 23;

  private double value;
  private String problem;

  /** The value read by the last successful {@link #decode}. */
  public double value() {
    return value;
  }

  /** Why the last {@link #decode} failed, e.g. {@code "3 elements"}. */
  public String problem() {
    return problem;
  }

  /**
   * Decodes the tensor in {@code bytes[offset, offset + length)}.
   *
   * @return true when it holds exactly one numeric value, now in {@link #value()}
   */
  public boolean decode(byte[] bytes, int offset, int length) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes, offset, length);
    int dtype = 0;
    long elements = 1;
    int contentOffset = -1;
    int contentLength = 0;
    int listTag = 0;
    double listValue = 0;
    boolean unknownRank = false;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case DTYPE -> dtype = in.readEnum();
        case SHAPE -> {
          int end = in.pushLimit(in.readRawVarint32());
          for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == SHAPE_DIM) {
              elements *= dimSize(in);
            } else if (t == SHAPE_UNKNOWN_RANK) {
              unknownRank |= in.readBool();
            } else if (!in.skipField(t)) {
              throw new IOException("bad tensor shape");
            }
          }
          in.popLimit(end);
        }
        case CONTENT -> {
          contentLength = in.readRawVarint32();
          contentOffset = offset + in.getTotalBytesRead();
          in.skipRawBytes(contentLength);
        }
        default -> {
          if (listTag == 0 && isValueList(tag)) {
            listTag = tag;
            listValue = firstOfList(in, tag);
          } else if (!in.skipField(tag)) {
            throw new IOException("bad tensor");
          }
        }
      }
    }
    if (unknownRank || elements != 1) {
      problem = unknownRank ? "a tensor of unknown rank" : "a tensor of " + elements + " elements";
      return false;
    }
    int width = width(dtype);
    if (width == 0) {
      problem = "a tensor of dtype " + dtype;
      return false;
    }
    if (contentOffset >= 0 && contentLength > 0) {
      if (contentLength != width) {
        problem = "tensor_content of " + contentLength + " bytes for dtype " + dtype;
        return false;
      }
      value = fromContent(dtype, bytes, contentOffset);
    } else if (listTag != 0) {
      value = fromList(dtype, listTag, listValue);
    } else {
      value = 0;
    }
    return true;
  }

  private static long dimSize(CodedInputStream in) throws IOException {
    int end = in.pushLimit(in.readRawVarint32());
    long size = 1;
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      if (t == DIM_SIZE) {
        size = in.readInt64();
      } else if (!in.skipField(t)) {
        throw new IOException("bad tensor dimension");
      }
    }
    in.popLimit(end);
    return size < 0 ? Long.MAX_VALUE / 4 : size;
  }

  private static boolean isValueList(int tag) {
    return switch (tag) {
      case FLOAT_PACKED,
          FLOAT_ONE,
          DOUBLE_PACKED,
          DOUBLE_ONE,
          INT_PACKED,
          INT_ONE,
          INT64_PACKED,
          INT64_ONE,
          BOOL_PACKED,
          BOOL_ONE,
          HALF_PACKED,
          HALF_ONE,
          UINT32_PACKED,
          UINT32_ONE,
          UINT64_PACKED,
          UINT64_ONE ->
          true;
      default -> false;
    };
  }

  /** Reads the first element of a value list (packed or not) and skips the rest of the field. */
  private static double firstOfList(CodedInputStream in, int tag) throws IOException {
    boolean packed = (tag & 7) == 2;
    int end = packed ? in.pushLimit(in.readRawVarint32()) : -1;
    double first = 0;
    if (!packed || !in.isAtEnd()) {
      int field = tag >>> 3;
      first =
          switch (field) {
            case 5 -> in.readFloat();
            case 6 -> in.readDouble();
            case 7, 13 -> in.readInt32();
            case 10 -> in.readInt64();
            case 11 -> in.readBool() ? 1 : 0;
            case 16 -> Integer.toUnsignedLong(in.readUInt32());
            case 17 -> unsignedToDouble(in.readUInt64());
            default -> throw new IOException("field " + field);
          };
    }
    if (packed) {
      in.skipRawBytes(in.getBytesUntilLimit());
      in.popLimit(end);
    }
    return first;
  }

  private static double fromList(int dtype, int listTag, double first) {
    int field = listTag >>> 3;
    if (field == 13 || (field == 7 && (dtype == DT_HALF || dtype == DT_BFLOAT16))) {
      int bits = (int) first & 0xffff;
      return dtype == DT_BFLOAT16 ? bfloat16ToFloat(bits) : halfToFloat(bits);
    }
    if (dtype == DT_UINT8 || dtype == DT_UINT16) {
      return (long) first & (dtype == DT_UINT8 ? 0xff : 0xffff);
    }
    return first;
  }

  private static double fromContent(int dtype, byte[] b, int i) {
    return switch (dtype) {
      case DT_FLOAT -> Float.intBitsToFloat(RecordReader.readIntLe(b, i));
      case DT_DOUBLE -> Double.longBitsToDouble(RecordReader.readLongLe(b, i));
      case DT_INT32 -> RecordReader.readIntLe(b, i);
      case DT_UINT32 -> Integer.toUnsignedLong(RecordReader.readIntLe(b, i));
      case DT_INT64 -> RecordReader.readLongLe(b, i);
      case DT_UINT64 -> unsignedToDouble(RecordReader.readLongLe(b, i));
      case DT_INT16 -> (short) ((b[i] & 0xff) | (b[i + 1] & 0xff) << 8);
      case DT_UINT16 -> (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
      case DT_HALF -> halfToFloat((b[i] & 0xff) | (b[i + 1] & 0xff) << 8);
      case DT_BFLOAT16 -> bfloat16ToFloat((b[i] & 0xff) | (b[i + 1] & 0xff) << 8);
      case DT_INT8 -> b[i];
      case DT_UINT8 -> b[i] & 0xff;
      case DT_BOOL -> b[i] != 0 ? 1 : 0;
      default -> Double.NaN;
    };
  }

  /** Bytes per element of a numeric dtype, 0 for a dtype that is not a number. */
  static int width(int dtype) {
    return switch (dtype) {
      case DT_FLOAT, DT_INT32, DT_UINT32 -> 4;
      case DT_DOUBLE, DT_INT64, DT_UINT64 -> 8;
      case DT_HALF, DT_BFLOAT16, DT_INT16, DT_UINT16 -> 2;
      case DT_INT8, DT_UINT8, DT_BOOL -> 1;
      default -> 0;
    };
  }

  /** IEEE 754 binary16 bits to a float. */
  public static float halfToFloat(int bits) {
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0) {
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    if (exponent == 31) {
      return Float.intBitsToFloat(sign | 0x7f800000 | mantissa << 13);
    }
    return Float.intBitsToFloat(sign | (exponent + 112) << 23 | mantissa << 13);
  }

  /** bfloat16 bits (the high half of a float) to a float. */
  public static float bfloat16ToFloat(int bits) {
    return Float.intBitsToFloat(bits << 16);
  }

  private static double unsignedToDouble(long v) {
    return v >= 0 ? v : (double) (v >>> 1) * 2 + (v & 1);
  }
}
