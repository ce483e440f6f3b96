package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.mlops.tracking.ArtifactInfo;
import io.jenkins.plugins.mlops.tracking.Artifacts;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.Runs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** {@link Artifacts} through the server's artifact proxy ({@code /api/2.0/mlflow-artifacts/}). */
final class RestArtifacts implements Artifacts {

  private static final String PROXY = "api/2.0/mlflow-artifacts/artifacts";

  private final RestTransport rest;
  private final Runs runs;
  private final Map<String, String> roots = new ConcurrentHashMap<>();

  /** MLflow's defaults: multipart from 500 MB, in parts of 100 MB. */
  static final long MULTIPART_MIN_SIZE = 500L * 1024 * 1024;

  static final long MULTIPART_PART_SIZE = 100L * 1024 * 1024;

  private final MultipartUpload multipart;
  private final long multipartMinSize;
  private final long partSize;
  private volatile boolean multipartUnsupported;

  RestArtifacts(RestTransport rest, Runs runs, Consumer<String> console) {
    this(rest, runs, console, MULTIPART_MIN_SIZE, MULTIPART_PART_SIZE);
  }

  RestArtifacts(
      RestTransport rest,
      Runs runs,
      Consumer<String> console,
      long multipartMinSize,
      long partSize) {
    if (partSize < 5L * 1024 * 1024) {
      throw new IllegalArgumentException(
          "multipart part size ("
              + partSize
              + ") must be at least 5 MiB, as object stores require");
    }
    this.rest = rest;
    this.runs = runs;
    this.multipart = new MultipartUpload(rest, console);
    this.multipartMinSize = multipartMinSize;
    this.partSize = partSize;
  }

  @Override
  public void upload(String runId, Path file, String artifactDir) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException("file (" + file + ") is not a readable file");
    }
    String target = join(checked(artifactDir), file.getFileName().toString());
    put(runId, file, target);
  }

  @Override
  public void uploadDirectory(String runId, Path directory, String artifactDir) {
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException("directory (" + directory + ") is not a directory");
    }
    String base = checked(artifactDir);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(directory)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + directory, e);
    }
    for (Path file : files) {
      String relative =
          directory.relativize(file).toString().replace(java.io.File.separatorChar, '/');
      put(runId, file, join(base, relative));
    }
  }

  @Override
  public List<ArtifactInfo> list(String runId, String path) {
    String relative = checked(path);
    JsonNode answer =
        json(
            rest.send(
                    "GET",
                    PROXY + RestTransport.queryString(Map.of("path", join(root(runId), relative))),
                    null,
                    null,
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .body());
    List<ArtifactInfo> entries = new ArrayList<>();
    for (JsonNode file : answer.path("files")) {
      entries.add(
          new ArtifactInfo(
              join(relative, Json.text(file, "path")),
              file.path("is_dir").asBoolean(false),
              Json.number(file, "file_size")));
    }
    return entries;
  }

  @Override
  public Path download(String runId, String path, Path destination) {
    String relative = checked(path);
    if (Files.exists(destination)) {
      throw new IllegalArgumentException("destination (" + destination + ") already exists");
    }
    Path partial = destination.resolveSibling(destination.getFileName() + ".partial");
    try {
      FileTrees.delete(partial);
      List<ArtifactInfo> children = relative.isEmpty() ? list(runId, "") : list(runId, relative);
      if (children.isEmpty() && !relative.isEmpty()) {
        fetch(runId, relative, partial);
      } else {
        Files.createDirectories(partial);
        fetchTree(runId, relative, children, partial);
      }
      Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE);
      return destination;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + destination + ": " + e.getMessage(), e);
    } finally {
      try {
        FileTrees.delete(partial);
      } catch (IOException ignored) {
        // best effort: a leftover .partial never counts as a download
      }
    }
  }

  private void fetchTree(String runId, String base, List<ArtifactInfo> entries, Path target)
      throws IOException {
    for (ArtifactInfo entry : entries) {
      String name = base.isEmpty() ? entry.path() : entry.path().substring(base.length() + 1);
      Path local = target.resolve(checked(name)).normalize();
      if (!local.startsWith(target.normalize())) {
        throw new IllegalStateException(
            "the server listed an artifact outside the download folder: " + entry.path());
      }
      if (entry.directory()) {
        Files.createDirectories(local);
        fetchTree(runId, entry.path(), list(runId, entry.path()), local);
      } else {
        fetch(runId, entry.path(), local);
      }
    }
  }

  private void fetch(String runId, String relative, Path target) throws IOException {
    HttpResponse<InputStream> response =
        rest.send(
            "GET",
            PROXY + "/" + encodePath(join(root(runId), relative)),
            null,
            null,
            HttpResponse.BodyHandlers.ofInputStream());
    Files.createDirectories(target.getParent());
    try (InputStream in = response.body()) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void put(String runId, Path file, String relative) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file, e);
    }
    if (size >= multipartMinSize && !multipartUnsupported) {
      String target = join(root(runId), relative);
      int slash = target.lastIndexOf('/');
      try {
        multipart.upload(
            file,
            encodePath(target.substring(0, slash)),
            target.substring(slash + 1),
            size,
            partSize);
        return;
      } catch (MlflowException e) {
        if (!MultipartUpload.isUnsupported(e)) {
          throw e;
        }
        multipartUnsupported = true; // this server's destination cannot: one streamed PUT instead
      }
    }
    // The request limit covers the whole body: allow for a link as slow as 1 MB/s on top of it.
    Duration limit = rest.timeout().plusSeconds(size / 1_000_000);
    rest.send(
        "PUT",
        PROXY + "/" + encodePath(join(root(runId), relative)),
        () -> {
          try {
            return HttpRequest.BodyPublishers.ofFile(file);
          } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
          }
        },
        "application/octet-stream",
        HttpResponse.BodyHandlers.discarding(),
        limit);
  }

  /** The proxy path of the run's artifact root, e.g. {@code 1/<run id>/artifacts}. */
  private String root(String runId) {
    return roots.computeIfAbsent(runId, id -> proxyPath(id, runs.get(id).info().artifactUri()));
  }

  static String proxyPath(String runId, String artifactUri) {
    URI uri = URI.create(artifactUri);
    if ("mlflow-artifacts".equals(uri.getScheme())) {
      String path = uri.getPath() == null ? "" : uri.getPath();
      return path.startsWith("/") ? path.substring(1) : path;
    }
    throw new MlflowException(
        "run "
            + runId
            + " stores its artifacts at "
            + artifactUri
            + ", which this client does not write to directly",
        0,
        "ARTIFACTS_NOT_PROXIED",
        "start the MLflow server with --serve-artifacts (the default) and --artifacts-destination "
            + artifactUri.replaceAll("/\\d+/" + runId + "/artifacts$", "")
            + " so that clients upload through the server (runs then get mlflow-artifacts: URIs)",
        null);
  }

  static String checked(String path) {
    String p = path == null ? "" : path.strip();
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.startsWith("/")
        || p.contains("\\")
        || p.equals("..")
        || p.startsWith("../")
        || p.contains("/../")
        || p.endsWith("/..")
        || p.contains("//")) {
      throw new IllegalArgumentException(
          "artifact path (" + path + ") must be relative, '/'-separated, without '..'");
    }
    return p;
  }

  private static String join(String a, String b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.isEmpty() ? a : a + "/" + b;
  }

  private static String encodePath(String path) {
    StringBuilder out = new StringBuilder();
    for (String segment : path.split("/")) {
      if (out.length() > 0) {
        out.append('/');
      }
      out.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return out.toString();
  }

  private static JsonNode json(String body) {
    try {
      return body == null || body.isBlank() ? Json.object() : Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("the artifact list is not JSON", e);
    }
  }
}
