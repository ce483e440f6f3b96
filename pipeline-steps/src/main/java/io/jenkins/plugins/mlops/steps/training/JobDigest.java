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
 * training script, the built-in trainer's jar), and the volumes. Two jobs with the same digest run
 * the same program with the same settings; the skip-when-unchanged decision ({@link Unchanged})
 * stands on it. What a digest cannot see (a module the script imports, an image tag that moved, a
 * file the program opens by itself) makes it no less equal: that limit is documented with {@code
 * --skip-unchanged}.
 */
public final class JobDigest {

  private JobDigest() {}

  /**
   * The digest of {@code spec} run as {@code program} (the words before the spec's command, such as
   * {@code java -jar trainer.jar} for the {@code djl} launcher) in {@code workDir}.
   */
  public static String of(TrainingJobSpec spec, Path workDir, List<String> program) {
    StringBuilder text = new StringBuilder("mlops job digest 2\n");
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
    spec.volumes()
        .forEach(
            v -> line(text, "volume", v.claimName() + " " + v.mountPath() + " " + v.readOnly()));
    return "sha256:" + sha256(text.toString());
  }

  /** One field, its key and value each prefixed by its length, so that no two fields read alike. */
  private static void line(StringBuilder text, String key, String value) {
    text.append(key.length())
        .append(':')
        .append(key)
        .append(value.length())
        .append(':')
        .append(value)
        .append('\n');
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
      // Always the contents, however large (the built-in trainer's jar, 200 MB, takes about 1 s):
      // a size and a time would call a different file of the same size and time "this job".
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
