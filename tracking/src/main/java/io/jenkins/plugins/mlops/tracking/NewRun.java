package io.jenkins.plugins.mlops.tracking;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to create a run with. The run name is also written as tag {@code mlflow.runName}; a parent
 * makes it a nested run (tag {@code mlflow.parentRunId}).
 *
 * @param experimentId the experiment to create it in
 * @param runName its display name (may be empty: the server then picks one)
 * @param startTime milliseconds since the epoch
 * @param tags tags to set at creation (see {@link StandardTags})
 * @param parentRunId the parent run for a nested run, or empty
 */
public record NewRun(
    String experimentId,
    String runName,
    long startTime,
    Map<String, String> tags,
    String parentRunId) {

  public NewRun {
    if (experimentId == null || experimentId.isBlank()) {
      throw new IllegalArgumentException("experimentId may not be blank");
    }
    runName = runName == null ? "" : runName;
    parentRunId = parentRunId == null ? "" : parentRunId;
    tags = Map.copyOf(tags);
  }

  /** A run named {@code runName} in {@code experimentId}, starting now, with no tags. */
  public static NewRun of(String experimentId, String runName) {
    return new NewRun(experimentId, runName, System.currentTimeMillis(), Map.of(), "");
  }

  /** This run with {@code more} tags added (later keys win). */
  public NewRun withTags(Map<String, String> more) {
    Map<String, String> merged = new LinkedHashMap<>(tags);
    merged.putAll(more);
    return new NewRun(experimentId, runName, startTime, merged, parentRunId);
  }

  /** This run nested under {@code parent}. */
  public NewRun withParent(String parent) {
    return new NewRun(experimentId, runName, startTime, tags, Objects.requireNonNull(parent));
  }

  /** The tags to send: the given ones plus the run name and parent tags MLflow's UI reads. */
  public Map<String, String> effectiveTags() {
    Map<String, String> all = new LinkedHashMap<>(tags);
    if (!runName.isEmpty()) {
      all.put(StandardTags.RUN_NAME, runName);
    }
    if (!parentRunId.isEmpty()) {
      all.put(StandardTags.PARENT_RUN_ID, parentRunId);
    }
    return all;
  }
}
