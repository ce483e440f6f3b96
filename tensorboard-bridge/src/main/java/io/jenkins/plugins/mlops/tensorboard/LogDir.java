package io.jenkins.plugins.mlops.tensorboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * The event files of a TensorBoard log directory, as TensorBoard sees them: a run is a directory
 * that directly holds event files (a basename containing {@code tfevents}, but not {@code
 * .profile-empty}), named by its path relative to the log directory ({@code "."} for the log
 * directory itself), and the files of a run are read in lexicographic order, which is the order
 * they were written in (their names start with a zero-padded timestamp).
 *
 * <p>Symbolic links are followed, as TensorBoard and tbparse follow them: a log directory that is a
 * link, linked run directories and linked event files are read where they point. A link back to a
 * directory above it (a loop) is not followed.
 */
public final class LogDir {

  private LogDir() {}

  /**
   * One event file.
   *
   * @param run the run's name
   * @param key the file's path relative to the log directory, with {@code /}: its identity in saved
   *     positions
   * @param path the file
   */
  public record EventFile(String run, String key, Path path) {}

  /** Whether {@code name} is an event file's name. */
  public static boolean isEventFile(String name) {
    return name.contains("tfevents") && !name.endsWith(".profile-empty");
  }

  /**
   * Lists the event files under {@code logdir}, by run then name; empty when the directory does not
   * exist yet (training has not started writing).
   */
  public static List<EventFile> scan(Path logdir) {
    return scan(logdir, loop -> {});
  }

  /**
   * Lists the event files under {@code logdir} as {@link #scan(Path)} does, telling {@code loops}
   * each link that was not followed because it leads back to a directory above it.
   */
  public static List<EventFile> scan(Path logdir, Consumer<Path> loops) {
    List<EventFile> files = new ArrayList<>();
    if (!Files.isDirectory(logdir)) {
      return files;
    }
    try {
      Files.walkFileTree(
          logdir,
          EnumSet.of(FileVisitOption.FOLLOW_LINKS),
          Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              String name = file.getFileName().toString();
              if (attrs.isRegularFile() && isEventFile(name)) {
                String key = relative(logdir, file);
                files.add(new EventFile(runOf(key), key, file));
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              if (e instanceof FileSystemLoopException) {
                loops.accept(file);
              }
              // A file or directory removed while we walk is simply not there any more.
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (NoSuchFileException gone) {
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the log directory " + logdir, e);
    }
    files.sort(Comparator.comparing(EventFile::run).thenComparing(EventFile::key));
    return files;
  }

  /** The run a file key belongs to: its directory, or {@code "."}. */
  static String runOf(String key) {
    int slash = key.lastIndexOf('/');
    return slash < 0 ? "." : key.substring(0, slash);
  }

  private static String relative(Path logdir, Path file) {
    StringBuilder key = new StringBuilder();
    for (Path part : logdir.relativize(file)) {
      if (key.length() > 0) {
        key.append('/');
      }
      key.append(part);
    }
    return key.toString();
  }
}
