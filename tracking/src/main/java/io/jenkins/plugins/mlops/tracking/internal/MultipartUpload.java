package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * MLflow's multipart upload through the artifact proxy, for large files on object-store
 * destinations: {@code mpu/create} hands out one presigned URL per part, each part is {@code PUT}
 * straight to the store (without our credentials, its signature never logged), then {@code
 * mpu/complete} joins them; any failure aborts the upload. A server whose destination cannot do it
 * says so ({@code NOT_IMPLEMENTED}), which {@link #isUnsupported} recognises so the caller can fall
 * back to one streamed {@code PUT}.
 */
final class MultipartUpload {

  private static final String MPU = "api/2.0/mlflow-artifacts/mpu/";

  private final RestTransport rest;
  private final Consumer<String> console;

  MultipartUpload(RestTransport rest, Consumer<String> console) {
    this.rest = rest;
    this.console = console;
  }

  /**
   * Uploads {@code file} as {@code <directory>/<name>} in parts of {@code partSize} bytes.
   *
   * @param directory the proxy path of the target directory, already URL-encoded
   */
  void upload(Path file, String directory, String name, long size, long partSize) {
    int parts = (int) Math.max(1, (size + partSize - 1) / partSize);
    ObjectNode create = Json.object();
    create.put("path", name);
    create.put("num_parts", parts);
    JsonNode started = post("create", directory, create);
    String uploadId = Json.text(started, "upload_id");
    console.accept("mlflow: uploading " + name + " (" + size + " bytes) in " + parts + " parts");
    try {
      ArrayNode done = Json.MAPPER.createArrayNode();
      for (JsonNode credential : started.path("credentials")) {
        int number = credential.path("part_number").asInt();
        long start = (number - 1) * partSize;
        long length = Math.min(partSize, size - start);
        String etag =
            putPart(
                file,
                URI.create(Json.text(credential, "url")),
                headers(credential.path("headers")),
                start,
                length);
        ObjectNode part = done.addObject();
        part.put("part_number", number);
        part.put("etag", etag);
        part.put("url", Json.text(credential, "url"));
      }
      ObjectNode complete = Json.object();
      complete.put("path", name);
      complete.put("upload_id", uploadId);
      complete.set("parts", done);
      post("complete", directory, complete);
    } catch (RuntimeException e) {
      abort(directory, name, uploadId, e);
      throw e;
    }
  }

  /** Whether the server answered that its artifact destination cannot do multipart uploads. */
  static boolean isUnsupported(MlflowException e) {
    return e.errorCode().equals("NOT_IMPLEMENTED")
        || e.getMessage().contains("Multipart upload is not supported");
  }

  private String putPart(Path file, URI url, Map<String, String> headers, long start, long length) {
    byte[] bytes = new byte[(int) length];
    try (InputStream in = Files.newInputStream(file)) {
      in.skipNBytes(start);
      int read = in.readNBytes(bytes, 0, bytes.length);
      if (read != length) {
        throw new IOException("the file changed while it was uploaded");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
    }
    HttpResponse<Void> answer =
        rest.sendExternal(
            "PUT",
            url,
            headers,
            () -> HttpRequest.BodyPublishers.ofByteArray(bytes),
            HttpResponse.BodyHandlers.discarding());
    return answer.headers().firstValue("ETag").orElse("");
  }

  private JsonNode post(String action, String directory, ObjectNode body) {
    String answer =
        rest.send(
                "POST",
                MPU + action + "/" + directory,
                RestTransport.jsonBody(body),
                "application/json",
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
            .body();
    try {
      return answer == null || answer.isBlank() ? Json.object() : Json.MAPPER.readTree(answer);
    } catch (IOException e) {
      throw new UncheckedIOException("the multipart " + action + " answer is not JSON", e);
    }
  }

  private void abort(String directory, String name, String uploadId, RuntimeException cause) {
    ObjectNode abort = Json.object();
    abort.put("path", name);
    abort.put("upload_id", uploadId);
    try {
      post("abort", directory, abort);
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  private static Map<String, String> headers(JsonNode node) {
    Map<String, String> headers = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
    return headers;
  }
}
