package io.jenkins.plugins.mlops.tensorboard;

import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.nio.file.Path;

/** A sync in a process of its own, for tests that kill it: {@code TRACKING_URI RUN_ID LOGDIR N}. */
public final class SyncChild {

  private SyncChild() {}

  public static void main(String[] args) {
    Path work = Path.of(args[2]).getParent();
    try (TrackingClient client =
        TrackingClient.open(TrackingConfig.parse(args[0], work), System.out::println)) {
      SyncOptions options =
          SyncOptions.DEFAULTS.withBatchRecords(Integer.parseInt(args[3])).withUploadFiles(false);
      new TensorBoardSync(client, args[1], Path.of(args[2]), options, System.out::println).sync();
    }
  }
}
