package io.jenkins.plugins.mlops.steps.data.internal;

import io.jenkins.plugins.mlops.steps.data.PrepareSpec.InputFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Turns the inputs a user names (files, directories, globs) into the data files to read, all of one
 * format, with errors that name the input and say what to do.
 */
public final class Inputs {

  /** The files to read and their format. */
  public record Resolved(List<Path> files, InputFormat format) {}

  private Inputs() {}

  /** Resolves {@code inputs} against {@code workDir}. */
  public static Resolved resolve(List<String> inputs, InputFormat format, Path workDir) {
    TreeSet<Path> files = new TreeSet<>();
    for (String input : inputs) {
      List<Path> found = expand(input, workDir);
      if (found.isEmpty()) {
        throw new IllegalArgumentException(
            "input ("
                + input
                + ") matches no data files (.csv,"
                + " .tsv, .parquet, .json, .jsonl); check the path or the pattern");
      }
      for (Path f : found) {
        if (!Files.isReadable(f)) {
          throw new IllegalArgumentException(
              "input (" + f + ") is not readable; check its" + " permissions");
        }
        files.add(f);
      }
    }
    InputFormat detected = format;
    if (format == InputFormat.AUTO) {
      for (Path f : files) {
        InputFormat of = formatOf(f);
        if (of == InputFormat.AUTO) {
          throw new IllegalArgumentException(
              "input ("
                  + f
                  + ") has no known data extension;"
                  + " name the format (--format csv|parquet|json)");
        }
        if (detected != InputFormat.AUTO && detected != of) {
          throw new IllegalArgumentException(
              "inputs mix "
                  + detected
                  + " and "
                  + of
                  + " files ("
                  + f
                  + "); prepare one format at a time");
        }
        detected = of;
      }
    }
    return new Resolved(List.copyOf(files), detected);
  }

  private static List<Path> expand(String input, Path workDir) {
    if (input.chars().anyMatch(c -> "*?[{".indexOf(c) >= 0)) {
      return glob(input, workDir);
    }
    Path path = workDir.resolve(input).normalize();
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (Files.isDirectory(path)) {
      try (Stream<Path> walk = Files.walk(path)) {
        return walk.filter(Files::isRegularFile)
            .filter(p -> !hidden(path.relativize(p)))
            .filter(p -> formatOf(p) != InputFormat.AUTO)
            .sorted()
            .toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list the input directory " + path, e);
      }
    }
    throw new IllegalArgumentException(
        "input ("
            + input
            + ") does not exist"
            + (path.toString().equals(input) ? "" : " (looked for " + path + ")"));
  }

  private static List<Path> glob(String pattern, Path workDir) {
    Path absolute = workDir.resolve(pattern);
    String text = absolute.toString();
    int firstGlob = indexOfGlob(text);
    int slash = text.lastIndexOf('/', firstGlob);
    Path base = Path.of(slash <= 0 ? "/" : text.substring(0, slash));
    if (!Files.isDirectory(base)) {
      return List.of();
    }
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + text);
    try (Stream<Path> walk = Files.walk(base)) {
      return walk.filter(Files::isRegularFile).filter(matcher::matches).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + base, e);
    }
  }

  private static int indexOfGlob(String text) {
    for (int i = 0; i < text.length(); i++) {
      if ("*?[{".indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return text.length();
  }

  private static boolean hidden(Path relative) {
    for (Path part : relative) {
      String name = part.toString();
      if (name.startsWith(".") || name.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  /** The format a file's extension names, or AUTO when it names none. */
  static InputFormat formatOf(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".gz")) {
      name = name.substring(0, name.length() - 3);
    }
    if (name.endsWith(".csv") || name.endsWith(".tsv") || name.endsWith(".txt")) {
      return InputFormat.CSV;
    }
    if (name.endsWith(".parquet")) {
      return InputFormat.PARQUET;
    }
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
      return InputFormat.JSON;
    }
    return InputFormat.AUTO;
  }
}
