package io.jenkins.plugins.mlops.steps.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 of a file's bytes, as {@code sha256:<hex>}. */
public final class FileDigest {

  private FileDigest() {}

  /** Reads {@code file} once and returns {@code sha256:<64 hex digits>}. */
  public static String sha256(Path file) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return "sha256:" + HexFormat.of().formatHex(sha.digest());
  }
}
