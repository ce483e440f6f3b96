package io.jenkins.plugins.mlops.tracking.internal;

import io.jenkins.plugins.mlops.tracking.ArtifactInfo;
import io.jenkins.plugins.mlops.tracking.Artifacts;
import io.jenkins.plugins.mlops.tracking.Runs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@link Artifacts} of the file store: copies into and out of the run's {@code artifacts/}. */
final class FileArtifacts implements Artifacts {

  private final Runs runs;

  FileArtifacts(Runs runs) {
    this.runs = runs;
  }

  @Override
  public void upload(String runId, Path file, String artifactDir) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException("file (" + file + ") is not a readable file");
    }
    copy(
        file,
        resolve(runId, RestArtifacts.checked(artifactDir)).resolve(file.getFileName().toString()));
  }

  @Override
  public void uploadDirectory(String runId, Path directory, String artifactDir) {
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException("directory (" + directory + ") is not a directory");
    }
    Path target = resolve(runId, RestArtifacts.checked(artifactDir));
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
        copy(file, target.resolve(directory.relativize(file).toString()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + directory, e);
    }
  }

  @Override
  public List<ArtifactInfo> list(String runId, String path) {
    String relative = RestArtifacts.checked(path);
    Path dir = resolve(runId, relative);
    List<ArtifactInfo> entries = new ArrayList<>();
    for (Path entry : FileStore.subdirsAndFiles(dir)) {
      String name =
          relative.isEmpty()
              ? entry.getFileName().toString()
              : relative + "/" + entry.getFileName();
      try {
        entries.add(
            new ArtifactInfo(
                name, Files.isDirectory(entry), Files.isDirectory(entry) ? 0 : Files.size(entry)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return entries;
  }

  @Override
  public Path download(String runId, String path, Path destination) {
    Path source = resolve(runId, RestArtifacts.checked(path));
    if (Files.exists(destination)) {
      throw new IllegalArgumentException("destination (" + destination + ") already exists");
    }
    if (!Files.exists(source)) {
      throw FileStore.notFound("run " + runId + " has no artifact '" + path + "'");
    }
    Path partial = destination.resolveSibling(destination.getFileName() + ".partial");
    try {
      FileTrees.delete(partial);
      if (Files.isDirectory(source)) {
        try (Stream<Path> walk = Files.walk(source)) {
          for (Path file : walk.filter(Files::isRegularFile).toList()) {
            copy(file, partial.resolve(source.relativize(file).toString()));
          }
        }
        Files.createDirectories(partial);
      } else {
        copy(source, partial);
      }
      Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE);
      return destination;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + destination + ": " + e.getMessage(), e);
    }
  }

  private Path resolve(String runId, String relative) {
    Path root = Path.of(URI.create(runs.get(runId).info().artifactUri()));
    return relative.isEmpty() ? root : root.resolve(relative);
  }

  private static void copy(Path from, Path to) {
    try {
      Files.createDirectories(to.getParent());
      Path temp = to.resolveSibling(to.getFileName() + ".partial");
      Files.copy(from, temp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(temp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not copy " + from + " to " + to + ": " + e.getMessage(), e);
    }
  }
}
