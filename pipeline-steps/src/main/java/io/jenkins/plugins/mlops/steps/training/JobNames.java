package io.jenkins.plugins.mlops.steps.training;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Job names: the spec's prefix and the first 10 hex digits of SHA-256 of the job key. The same key
 * gives the same name, so a resumed caller finds its job; the name is a DNS label (at most 51
 * characters), usable for pods, services and directories.
 */
public final class JobNames {

  private JobNames() {}

  /** {@code <prefix>-<hash of key>}. */
  public static String of(String prefix, String jobKey) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(jobKey.getBytes(StandardCharsets.UTF_8));
      return prefix + "-" + HexFormat.of().formatHex(digest).substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
