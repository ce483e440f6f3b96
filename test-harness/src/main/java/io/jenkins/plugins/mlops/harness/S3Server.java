package io.jenkins.plugins.mlops.harness;

import io.jenkins.plugins.mlops.harness.internal.Processes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A local S3 (moto's server, from the harness's Python environment) on a free loopback port, with
 * one bucket, for tests of what only object stores do, such as MLflow's multipart artifact uploads
 * through presigned URLs. {@link #close()} stops its whole process tree.
 */
public final class S3Server implements AutoCloseable {

  private final Process process;
  private final URI endpoint;
  private final String bucket;
  private final Path log;

  private S3Server(Process process, URI endpoint, String bucket, Path log) {
    this.process = process;
    this.endpoint = endpoint;
    this.bucket = bucket;
    this.log = log;
  }

  /** Starts the server and creates {@code bucket}. */
  public static S3Server start(String bucket) {
    try {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      Path log = Files.createTempFile("mlops-s3-", ".log");
      ProcessBuilder builder =
          PythonEnvironment.shared()
              .processBuilder(
                  List.of("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port)))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      Process process = builder.start();
      URI endpoint = URI.create("http://127.0.0.1:" + port);
      S3Server server = new S3Server(process, endpoint, bucket, log);
      try {
        server.createBucket();
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("could not start the local S3 server: " + e.getMessage(), e);
    }
  }

  /** The S3 endpoint, e.g. {@code http://127.0.0.1:5000} ({@code MLFLOW_S3_ENDPOINT_URL}). */
  public URI endpoint() {
    return endpoint;
  }

  /** The bucket's URI, {@code s3://<bucket>}. */
  public String bucketUri() {
    return "s3://" + bucket;
  }

  /** What an S3 client needs in its environment to use this server (dummy credentials). */
  public Map<String, String> clientEnvironment() {
    return Map.of(
        "MLFLOW_S3_ENDPOINT_URL", endpoint.toString(),
        "AWS_ACCESS_KEY_ID", "testing",
        "AWS_SECRET_ACCESS_KEY", "testing",
        "AWS_DEFAULT_REGION", "us-east-1");
  }

  private void createBucket() {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest put =
        HttpRequest.newBuilder(endpoint.resolve("/" + bucket))
            .timeout(Duration.ofSeconds(5))
            .PUT(HttpRequest.BodyPublishers.noBody())
            .build();
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("moto_server exited: " + output());
      }
      try {
        HttpResponse<String> answer = http.send(put, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200) {
          return;
        }
        throw new IllegalStateException(
            "creating bucket "
                + bucket
                + " answered "
                + answer.statusCode()
                + ": "
                + answer.body());
      } catch (IOException notYet) {
        sleep();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting the local S3 server", e);
      }
    }
    throw new IllegalStateException("moto_server did not answer within 60 s: " + output());
  }

  private String output() {
    try {
      return Processes.tail(Files.readString(log), 40);
    } catch (IOException e) {
      return "(no output)";
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    Processes.killTree(process.toHandle(), Duration.ofSeconds(5));
    try {
      Files.deleteIfExists(log);
    } catch (IOException ignored) {
      // a leftover log is harmless
    }
  }
}
