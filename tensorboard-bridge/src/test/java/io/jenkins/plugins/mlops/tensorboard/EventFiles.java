package io.jenkins.plugins.mlops.tensorboard;

import io.jenkins.plugins.mlops.tensorboard.internal.RecordWriter;
import io.jenkins.plugins.mlops.tensorboard.proto.Event;
import io.jenkins.plugins.mlops.tensorboard.proto.SessionLog;
import io.jenkins.plugins.mlops.tensorboard.proto.Summary;
import io.jenkins.plugins.mlops.tensorboard.proto.SummaryMetadata;
import io.jenkins.plugins.mlops.tensorboard.proto.TensorProto;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Crafted event files for tests: any events, framed as TFRecords. */
final class EventFiles {

  private EventFiles() {}

  /** Appends {@code events} to {@code file} (created with its directories if missing). */
  static Path append(Path file, List<Event> events) {
    try {
      Files.createDirectories(file.getParent());
      try (OutputStream out =
          Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        RecordWriter records = new RecordWriter(out);
        for (Event e : events) {
          records.write(e.toByteArray());
        }
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Event version(String version) {
    return Event.newBuilder().setWallTime(1.0).setFileVersion(version).build();
  }

  static Event simple(String tag, long step, float value) {
    return Event.newBuilder()
        .setWallTime(1000.0 + step)
        .setStep(step)
        .setSummary(
            Summary.newBuilder()
                .addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue(value)))
        .build();
  }

  static Event tensor(String tag, long step, TensorProto tensor, String plugin) {
    Summary.Value.Builder value = Summary.Value.newBuilder().setTag(tag).setTensor(tensor);
    if (plugin != null) {
      value.setMetadata(
          SummaryMetadata.newBuilder()
              .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName(plugin)));
    }
    return Event.newBuilder()
        .setWallTime(1000.0 + step)
        .setStep(step)
        .setSummary(Summary.newBuilder().addValue(value))
        .build();
  }

  static Event start(long step) {
    return Event.newBuilder()
        .setWallTime(2000.0 + step)
        .setStep(step)
        .setSessionLog(SessionLog.newBuilder().setStatus(SessionLog.SessionStatus.START))
        .build();
  }
}
