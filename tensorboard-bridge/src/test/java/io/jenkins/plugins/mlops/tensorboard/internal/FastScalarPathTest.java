package io.jenkins.plugins.mlops.tensorboard.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.jenkins.plugins.mlops.tensorboard.proto.DataType;
import io.jenkins.plugins.mlops.tensorboard.proto.Event;
import io.jenkins.plugins.mlops.tensorboard.proto.Summary;
import io.jenkins.plugins.mlops.tensorboard.proto.SummaryMetadata;
import io.jenkins.plugins.mlops.tensorboard.proto.TensorProto;
import io.jenkins.plugins.mlops.tensorboard.proto.TensorShapeProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast path agrees with protobuf on the shape it takes, and leaves every other shape alone. */
class FastScalarPathTest {

  private final FastScalarPath.Match m = new FastScalarPath.Match();

  private static TensorProto floatTensor(float v) {
    return TensorProto.newBuilder()
        .setDtype(DataType.DT_FLOAT)
        .setTensorShape(TensorShapeProto.getDefaultInstance())
        .setTensorContent(
            ByteString.copyFrom(
                ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array()))
        .build();
  }

  private static Event event(double wall, long step, Summary.Value.Builder value) {
    return Event.newBuilder()
        .setWallTime(wall)
        .setStep(step)
        .setSummary(Summary.newBuilder().addValue(value))
        .build();
  }

  private boolean match(Event e) {
    byte[] bytes = e.toByteArray();
    byte[] padded = new byte[bytes.length + 7];
    System.arraycopy(bytes, 0, padded, 3, bytes.length);
    return FastScalarPath.match(padded, 3, bytes.length, m);
  }

  @Test
  void agreesWithProtobufOnRandomScalars() {
    Random random = new Random(11);
    for (int i = 0; i < 2000; i++) {
      double wall = 1.7e9 + random.nextDouble() * 1e6;
      long step = random.nextBoolean() ? random.nextInt(1000) : random.nextLong() & Long.MAX_VALUE;
      float value = (float) random.nextGaussian();
      String tag = "tag/" + "x".repeat(random.nextInt(300));
      boolean tensor = random.nextBoolean();
      Summary.Value.Builder v = Summary.Value.newBuilder().setTag(tag);
      if (tensor) {
        v.setTensor(floatTensor(value));
      } else {
        v.setSimpleValue(value);
      }
      Event e = event(wall, step, v);
      byte[] bytes = e.toByteArray();
      assertTrue(match(e), "event " + i);
      assertEquals(wall, m.wallTime);
      assertEquals(step, m.step);
      assertEquals(value, m.value);
      assertEquals(tensor, m.tensor);
      assertEquals(
          tag, new String(padding(bytes), m.tagOffset, m.tagLength, StandardCharsets.UTF_8));
    }
  }

  private static byte[] padding(byte[] bytes) {
    byte[] padded = new byte[bytes.length + 7];
    System.arraycopy(bytes, 0, padded, 3, bytes.length);
    return padded;
  }

  @Test
  void leavesEveryOtherShapeToTheFullDecoder() {
    Summary.Value.Builder withMetadata =
        Summary.Value.newBuilder()
            .setTag("loss")
            .setTensor(floatTensor(1))
            .setMetadata(
                SummaryMetadata.newBuilder()
                    .setPluginData(
                        SummaryMetadata.PluginData.newBuilder().setPluginName("scalars")));
    assertFalse(match(event(1, 1, withMetadata)));

    TensorProto asDouble =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_DOUBLE)
            .setTensorShape(TensorShapeProto.getDefaultInstance())
            .addDoubleVal(1)
            .build();
    assertFalse(match(event(1, 1, Summary.Value.newBuilder().setTag("d").setTensor(asDouble))));

    TensorProto inList =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_FLOAT)
            .setTensorShape(TensorShapeProto.getDefaultInstance())
            .addFloatVal(1)
            .build();
    assertFalse(match(event(1, 1, Summary.Value.newBuilder().setTag("f").setTensor(inList))));

    Event twoValues =
        Event.newBuilder()
            .setStep(1)
            .setSummary(
                Summary.newBuilder()
                    .addValue(Summary.Value.newBuilder().setTag("a").setSimpleValue(1))
                    .addValue(Summary.Value.newBuilder().setTag("b").setSimpleValue(2)))
            .build();
    assertFalse(match(twoValues));

    assertFalse(match(Event.newBuilder().setWallTime(1).setFileVersion("brain.Event:2").build()));
  }

  @Test
  void cutsAndFlipsNeverMatchOutsideTheRecord() {
    byte[] bytes =
        event(1.7e9, 5, Summary.Value.newBuilder().setTag("loss").setSimpleValue(1)).toByteArray();
    for (int cut = 0; cut < bytes.length; cut++) {
      // A shorter record either still parses (cut at a field end) or is refused; never throws.
      FastScalarPath.match(bytes, 0, cut, m);
    }
    Random random = new Random(3);
    for (int i = 0; i < 5000; i++) {
      byte[] copy = bytes.clone();
      copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
      if (FastScalarPath.match(copy, 0, copy.length, m)) {
        assertTrue(m.tagOffset + m.tagLength <= copy.length);
      }
    }
  }
}
