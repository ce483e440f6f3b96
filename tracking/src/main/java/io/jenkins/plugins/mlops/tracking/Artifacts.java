package io.jenkins.plugins.mlops.tracking;

import java.nio.file.Path;
import java.util.List;

/**
 * A run's artifacts, through the MLflow server's artifact proxy ({@code mlflow-artifacts:} run
 * URIs, the default of {@code mlflow server}). Files are streamed from and to disk, never held in
 * memory. A run whose artifacts live elsewhere ({@code s3://}, {@code gs://}, a server-side path)
 * gets an {@link MlflowException} that says how to configure the server to proxy them.
 */
public interface Artifacts {

  /**
   * Uploads {@code file} as {@code <artifactDir>/<file name>} ({@code artifactDir} may be empty).
   *
   * @throws IllegalArgumentException when {@code file} is not a readable file or {@code
   *     artifactDir} is not a relative path
   */
  void upload(String runId, Path file, String artifactDir);

  /** Uploads every file under {@code directory}, keeping the tree, under {@code artifactDir}. */
  void uploadDirectory(String runId, Path directory, String artifactDir);

  /** The entries directly under {@code path} ({@code ""} for the root). */
  List<ArtifactInfo> list(String runId, String path);

  /**
   * Downloads the file or directory tree at {@code path} into {@code destination}, which must not
   * exist yet; files are written under temporary names and renamed when complete.
   *
   * @return {@code destination}
   */
  Path download(String runId, String path, Path destination);
}
