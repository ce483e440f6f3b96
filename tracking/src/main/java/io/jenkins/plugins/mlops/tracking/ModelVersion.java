package io.jenkins.plugins.mlops.tracking;

import java.util.List;
import java.util.Objects;

/**
 * A version of a registered model.
 *
 * @param name the registered model's name
 * @param version the version number, as MLflow writes it ({@code "3"})
 * @param source where its files are, e.g. {@code runs:/<run id>/model}
 * @param runId the run it came from, or empty
 * @param status {@code READY}, {@code PENDING_REGISTRATION} or {@code FAILED_REGISTRATION}
 * @param aliases the aliases that point at it
 * @param creationTimestamp milliseconds since the epoch
 */
public record ModelVersion(
    String name,
    String version,
    String source,
    String runId,
    String status,
    List<String> aliases,
    long creationTimestamp) {

  public ModelVersion {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    source = Objects.requireNonNullElse(source, "");
    runId = Objects.requireNonNullElse(runId, "");
    status = Objects.requireNonNullElse(status, "");
    aliases = List.copyOf(aliases);
  }
}
