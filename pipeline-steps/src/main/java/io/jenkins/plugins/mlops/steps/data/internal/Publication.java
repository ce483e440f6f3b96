package io.jenkins.plugins.mlops.steps.data.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Publishes a preparation so that the output directory holds exactly the manifest's files: the new
 * files are staged in a hidden directory next to the output, and the finished stage replaces the
 * output as a whole (the old directory renamed aside, the stage renamed into place, the old one
 * deleted). Nothing is created at the output's place before that, so a preparation that fails
 * leaves no output directory behind. An output that holds files of its own (not an earlier
 * preparation's) is refused, unless forced: then the splits and the manifest are replaced one by
 * one, the earlier manifest's other files removed, and the user's files kept.
 */
public final class Publication {

  private static final String MANIFEST = "manifest.json";

  private final Path output;
  private final boolean force;
  private final Path stage;
  private final Path createdAncestor;

  private Publication(Path output, boolean force, Path stage, Path createdAncestor) {
    this.output = output;
    this.force = force;
    this.stage = stage;
    this.createdAncestor = createdAncestor;
  }

  /**
   * Checks {@code output} and makes the stage next to it.
   *
   * @param argument how the user spells the output, for messages ({@code --output}, {@code output})
   * @throws IllegalArgumentException when the output is not a directory, cannot be written, or
   *     holds files of its own and {@code force} is false
   */
  public static Publication start(Path output, boolean force, String argument) {
    if (Files.exists(output) && !Files.isDirectory(output)) {
      throw new IllegalArgumentException(
          argument + " (" + output + ") is a file, not a directory; choose a directory");
    }
    if (Files.isDirectory(output) && !force) {
      List<String> foreign = foreignFiles(output);
      if (!foreign.isEmpty()) {
        throw new IllegalArgumentException(
            argument
                + " ("
                + output
                + ") holds files that no earlier preparation wrote ("
                + String.join(", ", foreign.subList(0, Math.min(5, foreign.size())))
                + (foreign.size() > 5 ? ", and " + (foreign.size() - 5) + " more" : "")
                + "), which replacing the directory would delete; choose a new or empty"
                + " directory, or pass --force to keep them and replace only the splits and the"
                + " manifest");
      }
    }
    Path parent = output.toAbsolutePath().getParent();
    Path missing = firstMissing(parent);
    try {
      Files.createDirectories(parent);
      Path stage = Files.createTempDirectory(parent, "." + output.getFileName() + ".prepare-");
      return new Publication(output, force, stage, missing);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          argument
              + " ("
              + output
              + ") cannot be written: "
              + e.getMessage()
              + "; choose a writable directory",
          e);
    }
  }

  /** Where the files are written before they are published. */
  public Path stage() {
    return stage;
  }

  /**
   * Puts the staged files in place; {@code files} are the staged data files, published before the
   * manifest.
   */
  public void publish(List<String> files) throws IOException {
    if (!Files.exists(output)) {
      Files.move(stage, output, StandardCopyOption.ATOMIC_MOVE);
    } else if (!force && !Files.isSymbolicLink(output)) {
      Path old = output.resolveSibling("." + output.getFileName() + ".old-" + UUID.randomUUID());
      Files.move(output, old, StandardCopyOption.ATOMIC_MOVE);
      Files.move(stage, output, StandardCopyOption.ATOMIC_MOVE);
      deleteTree(old);
    } else {
      inPlace(files);
    }
  }

  /** Removes what a preparation that did not finish made: the stage, and directories it made. */
  public void abandon() {
    deleteTree(stage);
    if (createdAncestor != null && !Files.exists(output)) {
      deleteEmptyTree(createdAncestor);
    }
  }

  /** Replaces the splits and the manifest inside the output, keeping other files. */
  private void inPlace(List<String> files) throws IOException {
    Set<String> stale = new LinkedHashSet<>(earlierFiles(output));
    for (String name : files) {
      Files.move(
          stage.resolve(name),
          output.resolve(name),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      stale.remove(name);
    }
    for (String name : stale) {
      Files.deleteIfExists(output.resolve(name));
    }
    Files.move(
        stage.resolve(MANIFEST),
        output.resolve(MANIFEST),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    deleteTree(stage);
  }

  /**
   * The files in {@code dir} that are neither an earlier manifest, its files, nor our leftovers.
   */
  static List<String> foreignFiles(Path dir) {
    Set<String> ours = new LinkedHashSet<>(earlierFiles(dir));
    ours.add(MANIFEST);
    List<String> foreign = new ArrayList<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : list.sorted().toList()) {
        String name = p.getFileName().toString();
        if (!ours.contains(name) && !name.startsWith(".prepare-")) {
          foreign.add(name + (Files.isDirectory(p) ? "/" : ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return foreign;
  }

  /**
   * The data files an earlier manifest in {@code dir} lists; none when there is no readable one.
   */
  private static List<String> earlierFiles(Path dir) {
    Path manifest = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(manifest)) {
      return List.of();
    }
    try {
      JsonNode files = new ObjectMapper().readTree(manifest.toFile()).path("files");
      List<String> names = new ArrayList<>();
      files.forEach(
          f -> {
            String name = f.asText();
            if (!name.contains("/") && !name.contains("\\") && !name.startsWith(".")) {
              names.add(name);
            }
          });
      return names;
    } catch (IOException e) {
      return List.of();
    }
  }

  private static Path firstMissing(Path dir) {
    Path missing = null;
    for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
      missing = p;
    }
    return missing;
  }

  private static void deleteEmptyTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        if (!Files.isDirectory(p)) {
          return; // someone put a file there meanwhile: leave it all
        }
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Best effort: an empty directory left behind is harmless.
    }
  }

  /** Deletes {@code dir} and everything in it; best effort. */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Best effort: a leftover hidden temporary directory is harmless.
    }
  }
}
