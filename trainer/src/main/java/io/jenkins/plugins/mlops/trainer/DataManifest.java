package io.jenkins.plugins.mlops.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the trainer takes from {@code manifest.json}, which {@code mlops prepare} writes next to the
 * splits: the label, the file of each split ({@code files}), each file's SHA-256 ({@code
 * fileDigests}) and the data's fingerprint. With a manifest, the trainer reads exactly the files it
 * lists, and only when their bytes are the ones it describes; other files in the directory (a stale
 * split of an earlier preparation) are ignored.
 *
 * @param label the label column, or null
 * @param files split name to file name, in the manifest's order
 * @param fileDigests file name to {@code sha256:<hex>}; a split without one is refused, so a
 *     manifest written before prepare recorded them is refused too
 * @param fingerprint the prepared data's content fingerprint, or null
 */
record DataManifest(
    String label, Map<String, String> files, Map<String, String> fileDigests, String fingerprint) {

  static final String FILE = "manifest.json";

  DataManifest {
    files = Map.copyOf(files);
    fileDigests = Map.copyOf(fileDigests);
  }

  /**
   * The manifest of {@code dir}, or null when it has none.
   *
   * @throws IllegalArgumentException when it is not a manifest the trainer can read
   */
  static DataManifest read(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          file + " is not JSON (" + e.getMessage().split("\n")[0] + "); run mlops prepare again");
    }
    if (root == null || !root.isObject() || !root.path("files").isObject()) {
      throw new IllegalArgumentException(
          file + " has no \"files\" object: not a manifest of mlops prepare; run it again");
    }
    Map<String, String> files = new LinkedHashMap<>();
    root.get("files").fields().forEachRemaining(e -> files.put(e.getKey(), e.getValue().asText()));
    Map<String, String> digests = new LinkedHashMap<>();
    root.path("fileDigests")
        .fields()
        .forEachRemaining(e -> digests.put(e.getKey(), e.getValue().asText()));
    String label = root.hasNonNull("label") ? root.get("label").asText() : null;
    String fingerprint = root.hasNonNull("fingerprint") ? root.get("fingerprint").asText() : null;
    return new DataManifest(label, files, digests, fingerprint);
  }

  /**
   * The file of {@code split} in {@code dir}, checked against its digest; null when the manifest
   * lists no such split.
   *
   * @throws IllegalArgumentException when the file is missing or its bytes are not the ones the
   *     manifest describes
   */
  Path verifiedFile(Path dir, String split) {
    String name = files.get(split);
    if (name == null) {
      return null;
    }
    Path file = dir.resolve(name).normalize();
    if (!file.getParent().equals(dir.normalize()) || !Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "the "
              + split
              + " split ("
              + name
              + ") that "
              + dir.resolve(FILE)
              + " lists is not a file in "
              + dir
              + "; run mlops prepare again");
    }
    String expected = fileDigests.get(name);
    if (expected == null) {
      // Without a digest nothing proves the file is the one prepared (a manifest written before
      // prepare recorded digests, or edited by hand): refused, never trusted.
      throw new IllegalArgumentException(
          dir.resolve(FILE)
              + " has no SHA-256 of "
              + name
              + " in fileDigests"
              + (fileDigests.isEmpty() ? " (it was written by an older mlops prepare)" : "")
              + ", so the file cannot be checked; run mlops prepare again");
    }
    String actual = sha256(file);
    if (!actual.equalsIgnoreCase(expected)) {
      throw new IllegalArgumentException(
          "the "
              + split
              + " split ("
              + file
              + ") is not the file "
              + FILE
              + " describes: its SHA-256 is "
              + actual
              + ", the manifest says "
              + expected
              + "; the directory changed after mlops prepare wrote it; run mlops prepare again");
    }
    return file;
  }

  static String sha256(Path file) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
      return "sha256:" + HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
