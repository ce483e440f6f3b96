package io.jenkins.plugins.mlops.steps.training;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * What a job runs, as one SHA-256: the launcher, image, command, workers and processes, the
 * hyperparameters and environment values, and the contents of every file the command names (the
 * training script, the built-in trainer's jar). Two jobs with the same digest run the same program
 * with the same settings; the skip-when-unchanged decision ({@link Unchanged}) stands on it. What a
 * digest cannot see (a module the script imports, an image tag that moved, a file the program opens
 * by itself) makes it no less equal: that limit is documented with {@code --skip-unchanged}.
 */
public final class JobDigest {

  /** Files above this size are identified by size and modification time instead of contents. */
  static final long HASHED_UP_TO = 32L << 20;

  private JobDigest() {}

  /**
   * The digest of {@code spec} run as {@code program} (the words before the spec's command, such as
   * {@code java -jar trainer.jar} for the {@code djl} launcher) in {@code workDir}.
   */
  public static String of(TrainingJobSpec spec, Path workDir, List<String> program) {
    StringBuilder text = new StringBuilder("mlops job digest 1\n");
    line(text, "launcher", spec.launcher().id());
    line(text, "image", String.valueOf(spec.image()));
    line(text, "workers", Integer.toString(spec.workers()));
    line(text, "processes", Integer.toString(spec.processesPerWorker()));
    line(text, "gpus", spec.gpusPerWorker() + " " + spec.gpuType());
    for (String word : program) {
      line(text, "program", word + file(workDir, word));
    }
    for (String word : spec.command()) {
      line(text, "command", word + file(workDir, word));
    }
    new TreeMap<>(spec.hyperparameters()).forEach((k, v) -> line(text, "param " + k, v));
    new TreeMap<>(spec.env()).forEach((k, v) -> line(text, "env " + k, v));
    new TreeMap<>(spec.secretEnv())
        .forEach((k, v) -> line(text, "secret " + k, v.secret() + "/" + v.key()));
    return "sha256:" + sha256(text.toString());
  }

  private static void line(StringBuilder text, String key, String value) {
    text.append(key).append('=').append(value.replace("\n", "\\n")).append('\n');
  }

  /** {@code " [sha256:…]"} for a word that names a regular file, else nothing. */
  private static String file(Path workDir, String word) {
    Path file;
    try {
      file = workDir.resolve(word);
    } catch (InvalidPathException e) {
      return "";
    }
    if (word.isEmpty() || !Files.isRegularFile(file)) {
      return "";
    }
    try {
      long size = Files.size(file);
      if (size > HASHED_UP_TO) {
        return " [" + size + " bytes, modified " + Files.getLastModifiedTime(file).toMillis() + "]";
      }
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
      return " [sha256:" + HexFormat.of().formatHex(sha.digest()) + "]";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " for the job's digest", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
