package io.jenkins.plugins.mlops.tracking;

import java.util.Objects;

/**
 * A dataset a run used, as MLflow's {@code runs/log-inputs} records it.
 *
 * @param name the dataset's name, e.g. {@code digits-train}
 * @param digest a content digest of at most 36 characters (our prepared data's fingerprint)
 * @param sourceType where it comes from, e.g. {@code local}, {@code s3}, {@code http}
 * @param source a JSON document describing the source, e.g. {@code {"uri": "..."}}
 * @param schema a JSON schema document, or empty
 * @param profile a JSON profile document (row counts, ...), or empty
 * @param context the input tag {@code mlflow.data.context}: {@code training}, {@code validation},
 *     {@code test}, or empty
 */
public record DatasetInput(
    String name,
    String digest,
    String sourceType,
    String source,
    String schema,
    String profile,
    String context) {

  /** The longest digest MLflow stores. */
  public static final int MAX_DIGEST_LENGTH = 36;

  public DatasetInput {
    require("name", name);
    require("digest", digest);
    require("sourceType", sourceType);
    require("source", source);
    if (digest.length() > MAX_DIGEST_LENGTH) {
      throw new IllegalArgumentException(
          "digest ("
              + digest
              + ") has "
              + digest.length()
              + " characters; MLflow allows at most "
              + MAX_DIGEST_LENGTH);
    }
    schema = Objects.requireNonNullElse(schema, "");
    profile = Objects.requireNonNullElse(profile, "");
    context = Objects.requireNonNullElse(context, "");
  }

  private static void require(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("dataset " + field + " may not be blank");
    }
  }
}
