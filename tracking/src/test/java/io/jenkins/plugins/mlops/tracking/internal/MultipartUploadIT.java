package io.jenkins.plugins.mlops.tracking.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.S3Server;
import io.jenkins.plugins.mlops.harness.internal.MlflowServerProcess;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large artifacts: in parts through presigned URLs when the server's destination is an object store
 * (a local S3 from moto), and in one streamed request when it is not (the harness's local folder).
 */
class MultipartUploadIT {

  @RegisterExtension static final MlflowServer local = MlflowServer.shared();

  private static final long MIB = 1024 * 1024;

  @TempDir Path work;
  private final List<String> console = new CopyOnWriteArrayList<>();

  private Path bigFile() throws Exception {
    byte[] bytes = new byte[(int) (12 * MIB + 123)];
    new Random(11).nextBytes(bytes);
    return Files.write(work.resolve("weights.bin"), bytes);
  }

  /** Uploads through artifacts that switch to multipart from 6 MiB, in 5 MiB parts. */
  private Path roundTrip(String uri, Path file) {
    try (TrackingClient client =
        TrackingClient.open(TrackingConfig.parse(uri, work), console::add)) {
      Experiment experiment = client.experiments().getOrCreate("mpu-" + UUID.randomUUID());
      Run run = client.runs().create(NewRun.of(experiment.id(), "large"));
      RestTransport rest =
          new RestTransport(
              TrackingConfig.parse(uri, work), d -> Thread.sleep(d.toMillis()), console::add);
      RestArtifacts artifacts =
          new RestArtifacts(rest, client.runs(), console::add, 6 * MIB, 5 * MIB);

      artifacts.upload(run.id(), file, "model");

      return artifacts.download(
          run.id(), "model/weights.bin", work.resolve("back-" + UUID.randomUUID()));
    }
  }

  @Test
  void uploadsInPartsToAnObjectStore() throws Exception {
    Path file = bigFile();
    try (S3Server s3 = S3Server.start("mlops");
        MlflowServerProcess server =
            MlflowServer.startStandalone(
                List.of("--artifacts-destination", s3.bucketUri() + "/artifacts"),
                s3.clientEnvironment())) {

      Path back = roundTrip(server.uri().toString(), file);

      assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(back));
      assertTrue(
          console.stream().anyMatch(l -> l.contains("in 3 parts")),
          "multipart was used: " + console);
      assertTrue(
          console.stream().noneMatch(l -> l.contains("X-Amz-Signature")), "no signature logged");
    }
  }

  @Test
  void fallsBackToOneStreamedRequestWhereMultipartIsNotSupported() throws Exception {
    Path file = bigFile();

    Path back = roundTrip(local.trackingUri(), file);

    assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(back));
    assertTrue(console.stream().noneMatch(l -> l.contains("parts")), console.toString());
  }
}
