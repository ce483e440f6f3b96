package io.jenkins.plugins.mlops.tensorboard.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.jenkins.plugins.mlops.tensorboard.proto.DataType;
import io.jenkins.plugins.mlops.tensorboard.proto.TensorProto;
import io.jenkins.plugins.mlops.tensorboard.proto.TensorShapeProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ScalarTensorTest {

  private final ScalarTensor scalar = new ScalarTensor();

  private double decode(TensorProto.Builder t) throws IOException {
    byte[] bytes = t.build().toByteArray();
    assertTrue(scalar.decode(bytes, 0, bytes.length), () -> "not decoded: " + scalar.problem());
    return scalar.value();
  }

  private static TensorProto.Builder tensor(DataType dtype) {
    return TensorProto.newBuilder()
        .setDtype(dtype)
        .setTensorShape(TensorShapeProto.getDefaultInstance());
  }

  private static ByteString le(int bytes, long bits) {
    ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    switch (bytes) {
      case 2 -> b.putShort((short) bits);
      case 4 -> b.putInt((int) bits);
      default -> b.putLong(bits);
    }
    return ByteString.copyFrom(b.array());
  }

  @Test
  void floatInContentAndInValueList() throws IOException {
    assertEquals(
        0.25,
        decode(tensor(DataType.DT_FLOAT).setTensorContent(le(4, Float.floatToIntBits(0.25f)))));
    assertEquals((double) 1.1f, decode(tensor(DataType.DT_FLOAT).addFloatVal(1.1f)));
  }

  @Test
  void doubleKeepsItsPrecision() throws IOException {
    assertEquals(0.1, decode(tensor(DataType.DT_DOUBLE).addDoubleVal(0.1)));
    assertEquals(
        1.0 / 3,
        decode(
            tensor(DataType.DT_DOUBLE).setTensorContent(le(8, Double.doubleToLongBits(1.0 / 3)))));
  }

  @Test
  void integersIncludingNegativeAndLarge() throws IOException {
    assertEquals(-7, decode(tensor(DataType.DT_INT32).addIntVal(-7)));
    assertEquals(-7, decode(tensor(DataType.DT_INT32).setTensorContent(le(4, -7))));
    assertEquals(
        (double) (1L << 40) + 3, decode(tensor(DataType.DT_INT64).addInt64Val((1L << 40) + 3)));
    assertEquals(
        -(double) (1L << 40),
        decode(tensor(DataType.DT_INT64).setTensorContent(le(8, -(1L << 40)))));
  }

  @Test
  void halfPrecisionIncludingSubnormalsAndSpecials() throws IOException {
    assertEquals(1.0, decode(tensor(DataType.DT_HALF).addHalfVal(0x3c00)));
    assertEquals(-2.0, decode(tensor(DataType.DT_HALF).setTensorContent(le(2, 0xc000))));
    assertEquals(0x1p-24, decode(tensor(DataType.DT_HALF).addHalfVal(1)));
    assertEquals(65504.0, decode(tensor(DataType.DT_HALF).addHalfVal(0x7bff)));
    assertEquals(Double.POSITIVE_INFINITY, decode(tensor(DataType.DT_HALF).addHalfVal(0x7c00)));
    assertTrue(Double.isNaN(decode(tensor(DataType.DT_HALF).addHalfVal(0x7e00))));
  }

  @Test
  void bfloat16IsTheHighHalfOfAFloat() throws IOException {
    int bits = Float.floatToIntBits(-6.125f) >>> 16;
    assertEquals(-6.125, decode(tensor(DataType.DT_BFLOAT16).addHalfVal(bits)));
    assertEquals(-6.125, decode(tensor(DataType.DT_BFLOAT16).setTensorContent(le(2, bits))));
  }

  @Test
  void anEmptyValueListMeansZeroAsInTensorFlow() throws IOException {
    assertEquals(0.0, decode(tensor(DataType.DT_FLOAT)));
  }

  @Test
  void aShapeOfOneElementIsAScalarButMoreIsNot() throws IOException {
    TensorShapeProto one =
        TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)).build();
    assertEquals(4.0, decode(tensor(DataType.DT_FLOAT).setTensorShape(one).addFloatVal(4f)));

    TensorShapeProto three =
        TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(3)).build();
    byte[] bytes =
        tensor(DataType.DT_FLOAT).setTensorShape(three).addFloatVal(1f).build().toByteArray();
    assertFalse(scalar.decode(bytes, 0, bytes.length));
    assertEquals("a tensor of 3 elements", scalar.problem());
  }

  @Test
  void stringsAndWrongContentLengthsAreNotScalars() throws IOException {
    byte[] text =
        tensor(DataType.DT_STRING).addStringVal(ByteString.copyFromUtf8("x")).build().toByteArray();
    assertFalse(scalar.decode(text, 0, text.length));
    byte[] shortContent =
        tensor(DataType.DT_DOUBLE).setTensorContent(le(4, 1)).build().toByteArray();
    assertFalse(scalar.decode(shortContent, 0, shortContent.length));
    assertEquals("tensor_content of 4 bytes for dtype 2", scalar.problem());
  }
}
