package io.jenkins.plugins.mlops.steps.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a preparation compares with the one it replaces in the same directory: unchanged only when
 * the fingerprint, each split's fingerprint, the label, the seed and the options are all equal; a
 * previous manifest that lacks any of them counts as changed.
 */
public final class DataChange {

  private DataChange() {}

  /** The comparison in a sentence: {@code unchanged against manifest …} or {@code changed …}. */
  public static String describe(DatasetManifest previous, DatasetManifest current, Path file) {
    String against = " against manifest " + file;
    if (previous == null) {
      return "new: no earlier manifest in " + file.getParent();
    }
    if (previous.fingerprint() == null || previous.splitFingerprints() == null) {
      return "changed" + against + ": it records no fingerprint to compare with";
    }
    if (!previous.fingerprint().equals(current.fingerprint())) {
      return "changed"
          + against
          + ": fingerprint "
          + current.fingerprint()
          + ", was "
          + previous.fingerprint();
    }
    if (!previous.splitFingerprints().equals(current.splitFingerprints())) {
      return "changed" + against + ": the same rows, split differently";
    }
    if (!Objects.equals(previous.label(), current.label())
        || previous.seed() != current.seed()
        || !Objects.equals(previous.options(), current.options())) {
      return "changed" + against + ": the same data, prepared with other options";
    }
    return "unchanged" + against + " (fingerprint " + current.fingerprint() + ")";
  }
}
