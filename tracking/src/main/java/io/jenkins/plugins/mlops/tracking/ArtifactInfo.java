package io.jenkins.plugins.mlops.tracking;

import java.util.Objects;

/**
 * One entry of a run's artifact tree.
 *
 * @param path the path relative to the run's artifact root, '/'-separated
 * @param directory whether it is a directory
 * @param size its size in bytes (0 for directories)
 */
public record ArtifactInfo(String path, boolean directory, long size) {

  public ArtifactInfo {
    Objects.requireNonNull(path, "path");
  }
}
