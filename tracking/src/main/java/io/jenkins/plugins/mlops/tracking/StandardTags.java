package io.jenkins.plugins.mlops.tracking;

import java.util.LinkedHashMap;
import java.util.Map;

/** The tag keys MLflow's UI and clients understand, and this project's own {@code mlops.*} tags. */
public final class StandardTags {

  public static final String RUN_NAME = "mlflow.runName";
  public static final String PARENT_RUN_ID = "mlflow.parentRunId";
  public static final String SOURCE_NAME = "mlflow.source.name";
  public static final String SOURCE_TYPE = "mlflow.source.type";
  public static final String GIT_COMMIT = "mlflow.source.git.commit";
  public static final String USER = "mlflow.user";
  public static final String NOTE = "mlflow.note.content";

  /** The CI build that produced the run (e.g. a Jenkins build URL). */
  public static final String BUILD_URL = "mlops.build.url";

  /** The Jenkins job (or other CI pipeline) name. */
  public static final String JOB_NAME = "mlops.job.name";

  /** The CI build number. */
  public static final String BUILD_NUMBER = "mlops.build.number";

  private StandardTags() {}

  /**
   * The source tags of a CI job: {@code mlflow.source.type=JOB}, its name, the git commit and the
   * user; blank values are left out.
   */
  public static Map<String, String> forJob(String sourceName, String gitCommit, String user) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(SOURCE_TYPE, "JOB");
    putIfPresent(tags, SOURCE_NAME, sourceName);
    putIfPresent(tags, GIT_COMMIT, gitCommit);
    putIfPresent(tags, USER, user);
    return tags;
  }

  /** The {@code mlops.*} tags of a CI build; blank values are left out. */
  public static Map<String, String> forBuild(String buildUrl, String jobName, String buildNumber) {
    Map<String, String> tags = new LinkedHashMap<>();
    putIfPresent(tags, BUILD_URL, buildUrl);
    putIfPresent(tags, JOB_NAME, jobName);
    putIfPresent(tags, BUILD_NUMBER, buildNumber);
    return tags;
  }

  private static void putIfPresent(Map<String, String> tags, String key, String value) {
    if (value != null && !value.isBlank()) {
      tags.put(key, value);
    }
  }
}
