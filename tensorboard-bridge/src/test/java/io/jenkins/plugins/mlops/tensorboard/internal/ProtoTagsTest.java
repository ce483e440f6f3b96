package io.jenkins.plugins.mlops.tensorboard.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.WireFormat;
import io.jenkins.plugins.mlops.tensorboard.proto.DataType;
import io.jenkins.plugins.mlops.tensorboard.proto.Event;
import io.jenkins.plugins.mlops.tensorboard.proto.SessionLog;
import io.jenkins.plugins.mlops.tensorboard.proto.Summary;
import io.jenkins.plugins.mlops.tensorboard.proto.SummaryMetadata;
import io.jenkins.plugins.mlops.tensorboard.proto.TensorProto;
import io.jenkins.plugins.mlops.tensorboard.proto.TensorShapeProto;
import org.junit.jupiter.api.Test;

/** The hand-written field tags of the fast decoder match the generated classes of our .proto. */
class ProtoTagsTest {

  private static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }

  private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;
  private static final int VARINT = WireFormat.WIRETYPE_VARINT;
  private static final int I32 = WireFormat.WIRETYPE_FIXED32;
  private static final int I64 = WireFormat.WIRETYPE_FIXED64;

  @Test
  void eventTags() {
    assertEquals(tag(Event.WALL_TIME_FIELD_NUMBER, I64), EventDecoder.EVENT_WALL_TIME);
    assertEquals(tag(Event.STEP_FIELD_NUMBER, VARINT), EventDecoder.EVENT_STEP);
    assertEquals(tag(Event.FILE_VERSION_FIELD_NUMBER, LEN), EventDecoder.EVENT_FILE_VERSION);
    assertEquals(tag(Event.GRAPH_DEF_FIELD_NUMBER, LEN), EventDecoder.EVENT_GRAPH_DEF);
    assertEquals(tag(Event.SUMMARY_FIELD_NUMBER, LEN), EventDecoder.EVENT_SUMMARY);
    assertEquals(tag(Event.LOG_MESSAGE_FIELD_NUMBER, LEN), EventDecoder.EVENT_LOG_MESSAGE);
    assertEquals(tag(Event.SESSION_LOG_FIELD_NUMBER, LEN), EventDecoder.EVENT_SESSION_LOG);
    assertEquals(
        tag(Event.TAGGED_RUN_METADATA_FIELD_NUMBER, LEN), EventDecoder.EVENT_TAGGED_RUN_METADATA);
    assertEquals(tag(Event.META_GRAPH_DEF_FIELD_NUMBER, LEN), EventDecoder.EVENT_META_GRAPH_DEF);
    assertEquals(tag(SessionLog.STATUS_FIELD_NUMBER, VARINT), EventDecoder.SESSION_STATUS);
    assertEquals(SessionLog.SessionStatus.START_VALUE, EventDecoder.SESSION_START);
  }

  @Test
  void summaryTags() {
    assertEquals(tag(Summary.VALUE_FIELD_NUMBER, LEN), EventDecoder.SUMMARY_VALUE);
    assertEquals(tag(Summary.Value.TAG_FIELD_NUMBER, LEN), EventDecoder.VALUE_TAG);
    assertEquals(tag(Summary.Value.SIMPLE_VALUE_FIELD_NUMBER, I32), EventDecoder.VALUE_SIMPLE);
    assertEquals(
        tag(Summary.Value.OBSOLETE_OLD_STYLE_HISTOGRAM_FIELD_NUMBER, LEN),
        EventDecoder.VALUE_OLD_HISTOGRAM);
    assertEquals(tag(Summary.Value.IMAGE_FIELD_NUMBER, LEN), EventDecoder.VALUE_IMAGE);
    assertEquals(tag(Summary.Value.HISTO_FIELD_NUMBER, LEN), EventDecoder.VALUE_HISTO);
    assertEquals(tag(Summary.Value.AUDIO_FIELD_NUMBER, LEN), EventDecoder.VALUE_AUDIO);
    assertEquals(tag(Summary.Value.TENSOR_FIELD_NUMBER, LEN), EventDecoder.VALUE_TENSOR);
    assertEquals(tag(Summary.Value.METADATA_FIELD_NUMBER, LEN), EventDecoder.VALUE_METADATA);
    assertEquals(
        tag(SummaryMetadata.PLUGIN_DATA_FIELD_NUMBER, LEN), EventDecoder.METADATA_PLUGIN_DATA);
    assertEquals(
        tag(SummaryMetadata.PluginData.PLUGIN_NAME_FIELD_NUMBER, LEN), EventDecoder.PLUGIN_NAME);
  }

  @Test
  void tensorTags() {
    assertEquals(tag(TensorProto.DTYPE_FIELD_NUMBER, VARINT), ScalarTensor.DTYPE);
    assertEquals(tag(TensorProto.TENSOR_SHAPE_FIELD_NUMBER, LEN), ScalarTensor.SHAPE);
    assertEquals(tag(TensorProto.TENSOR_CONTENT_FIELD_NUMBER, LEN), ScalarTensor.CONTENT);
    assertEquals(tag(TensorProto.FLOAT_VAL_FIELD_NUMBER, LEN), ScalarTensor.FLOAT_PACKED);
    assertEquals(tag(TensorProto.FLOAT_VAL_FIELD_NUMBER, I32), ScalarTensor.FLOAT_ONE);
    assertEquals(tag(TensorProto.DOUBLE_VAL_FIELD_NUMBER, LEN), ScalarTensor.DOUBLE_PACKED);
    assertEquals(tag(TensorProto.DOUBLE_VAL_FIELD_NUMBER, I64), ScalarTensor.DOUBLE_ONE);
    assertEquals(tag(TensorProto.INT_VAL_FIELD_NUMBER, LEN), ScalarTensor.INT_PACKED);
    assertEquals(tag(TensorProto.INT_VAL_FIELD_NUMBER, VARINT), ScalarTensor.INT_ONE);
    assertEquals(tag(TensorProto.INT64_VAL_FIELD_NUMBER, LEN), ScalarTensor.INT64_PACKED);
    assertEquals(tag(TensorProto.INT64_VAL_FIELD_NUMBER, VARINT), ScalarTensor.INT64_ONE);
    assertEquals(tag(TensorProto.BOOL_VAL_FIELD_NUMBER, LEN), ScalarTensor.BOOL_PACKED);
    assertEquals(tag(TensorProto.BOOL_VAL_FIELD_NUMBER, VARINT), ScalarTensor.BOOL_ONE);
    assertEquals(tag(TensorProto.HALF_VAL_FIELD_NUMBER, LEN), ScalarTensor.HALF_PACKED);
    assertEquals(tag(TensorProto.HALF_VAL_FIELD_NUMBER, VARINT), ScalarTensor.HALF_ONE);
    assertEquals(tag(TensorProto.UINT32_VAL_FIELD_NUMBER, LEN), ScalarTensor.UINT32_PACKED);
    assertEquals(tag(TensorProto.UINT32_VAL_FIELD_NUMBER, VARINT), ScalarTensor.UINT32_ONE);
    assertEquals(tag(TensorProto.UINT64_VAL_FIELD_NUMBER, LEN), ScalarTensor.UINT64_PACKED);
    assertEquals(tag(TensorProto.UINT64_VAL_FIELD_NUMBER, VARINT), ScalarTensor.UINT64_ONE);
    assertEquals(tag(TensorShapeProto.DIM_FIELD_NUMBER, LEN), ScalarTensor.SHAPE_DIM);
    assertEquals(
        tag(TensorShapeProto.UNKNOWN_RANK_FIELD_NUMBER, VARINT), ScalarTensor.SHAPE_UNKNOWN_RANK);
    assertEquals(tag(TensorShapeProto.Dim.SIZE_FIELD_NUMBER, VARINT), ScalarTensor.DIM_SIZE);
  }

  @Test
  void dataTypes() {
    assertEquals(DataType.DT_FLOAT_VALUE, ScalarTensor.DT_FLOAT);
    assertEquals(DataType.DT_DOUBLE_VALUE, ScalarTensor.DT_DOUBLE);
    assertEquals(DataType.DT_INT32_VALUE, ScalarTensor.DT_INT32);
    assertEquals(DataType.DT_UINT8_VALUE, ScalarTensor.DT_UINT8);
    assertEquals(DataType.DT_INT16_VALUE, ScalarTensor.DT_INT16);
    assertEquals(DataType.DT_INT8_VALUE, ScalarTensor.DT_INT8);
    assertEquals(DataType.DT_INT64_VALUE, ScalarTensor.DT_INT64);
    assertEquals(DataType.DT_BOOL_VALUE, ScalarTensor.DT_BOOL);
    assertEquals(DataType.DT_BFLOAT16_VALUE, ScalarTensor.DT_BFLOAT16);
    assertEquals(DataType.DT_UINT16_VALUE, ScalarTensor.DT_UINT16);
    assertEquals(DataType.DT_HALF_VALUE, ScalarTensor.DT_HALF);
    assertEquals(DataType.DT_UINT32_VALUE, ScalarTensor.DT_UINT32);
    assertEquals(DataType.DT_UINT64_VALUE, ScalarTensor.DT_UINT64);
  }
}
