package io.jenkins.plugins.mlops.steps.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.tracking.DatasetInput;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Records a preparation in an MLflow run: each split as a dataset input (name {@code
 * <dataset>-<split>}, digest from the split's own fingerprint, the file as source, MLflow's
 * column-spec schema, a row-count profile, context {@code training}/{@code validation}/{@code
 * test}), the manifest as the artifact {@code datasets/<dataset>/manifest.json}, and its
 * fingerprint as the tag {@link #TAG_FINGERPRINT}.
 */
public final class DatasetLogging {

  /**
   * The prepared data's fingerprint, tagged on the run: what skip-when-unchanged compares ({@code
   * steps.training.Unchanged}).
   */
  public static final String TAG_FINGERPRINT = "mlops.data.fingerprint";

  /**
   * A digest of how the data was prepared, tagged on the run: the fingerprint, each split's
   * fingerprint, the label, the seed and the options ({@link #preparationDigest}). Equal
   * fingerprints with another label or options are other data to a model; skip-when-unchanged
   * compares this.
   */
  public static final String TAG_PREPARATION = "mlops.data.preparation";

  private static final ObjectMapper JSON = new ObjectMapper();

  private DatasetLogging() {}

  /**
   * Logs {@code manifest}, whose files lie in {@code outputDir}, into {@code runId}.
   *
   * @param dataset the dataset's name, e.g. {@code digits}
   */
  public static void log(
      TrackingClient client,
      String runId,
      DatasetManifest manifest,
      Path outputDir,
      String dataset) {
    if (dataset == null || !dataset.matches("[A-Za-z0-9_.-]{1,200}")) {
      throw new IllegalArgumentException(
          "dataset name (" + dataset + ") may only use letters," + " digits, '_', '.' and '-'");
    }
    String schema = schema(manifest.schema());
    List<DatasetInput> inputs = new ArrayList<>();
    for (Map.Entry<String, String> file : manifest.files().entrySet()) {
      String split = file.getKey();
      // Each split its own digest (its rows' fingerprint), so MLflow tells the splits apart.
      String fingerprint =
          manifest.splitFingerprints() == null
              ? manifest.fingerprint()
              : manifest.splitFingerprints().getOrDefault(split, manifest.fingerprint());
      String digest =
          fingerprint.replace("sha256:", "").substring(0, DatasetInput.MAX_DIGEST_LENGTH - 4);
      Path path = outputDir.resolve(file.getValue()).toAbsolutePath();
      ObjectNode source = JSON.createObjectNode().put("uri", path.toUri().toString());
      ObjectNode profile =
          JSON.createObjectNode()
              .put("num_rows", manifest.rows().get(split))
              .put("num_elements", manifest.rows().get(split) * manifest.schema().size())
              .put("fingerprint", manifest.fingerprint());
      inputs.add(
          new DatasetInput(
              dataset + "-" + split,
              digest,
              "local",
              source.toString(),
              schema,
              profile.toString(),
              context(split)));
    }
    client.runs().logInputs(runId, inputs);
    client.runs().setTag(runId, TAG_FINGERPRINT, manifest.fingerprint());
    client.runs().setTag(runId, TAG_PREPARATION, preparationDigest(manifest));
    client.artifacts().upload(runId, outputDir.resolve("manifest.json"), "datasets/" + dataset);
  }

  /**
   * SHA-256 over the manifest's fingerprint, split fingerprints, label, seed and options, each
   * field length-prefixed; null when the manifest has no fingerprint (nothing to compare).
   */
  public static String preparationDigest(DatasetManifest manifest) {
    if (manifest.fingerprint() == null || manifest.splitFingerprints() == null) {
      return null;
    }
    StringBuilder text = new StringBuilder("mlops preparation 1\n");
    java.util.function.BiConsumer<String, String> field =
        (k, v) -> {
          String value = String.valueOf(v);
          text.append(k.length()).append(':').append(k);
          text.append(value.length()).append(':').append(value).append('\n');
        };
    field.accept("fingerprint", manifest.fingerprint());
    new java.util.TreeMap<>(manifest.splitFingerprints())
        .forEach((k, v) -> field.accept("split " + k, v));
    field.accept("label", manifest.label());
    field.accept("seed", Long.toString(manifest.seed()));
    new java.util.TreeMap<>(
            manifest.options() == null ? Map.<String, String>of() : manifest.options())
        .forEach((k, v) -> field.accept("option " + k, v));
    try {
      return "sha256:"
          + java.util.HexFormat.of()
              .formatHex(
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The {@code mlflow.data.context} of a split: training, validation, test, or its own name. */
  static String context(String split) {
    return switch (split.toLowerCase(Locale.ROOT)) {
      case "train", "training" -> "training";
      case "validation", "val", "valid", "eval" -> "validation";
      case "test", "testing" -> "test";
      default -> split;
    };
  }

  /** MLflow's column-spec schema, as its pandas datasets write it. */
  static String schema(Map<String, String> columns) {
    ArrayNode specs = JSON.createArrayNode();
    columns.forEach(
        (name, type) ->
            specs
                .addObject()
                .put("type", mlflowType(type))
                .put("name", name)
                .put("required", true));
    return JSON.createObjectNode().set("mlflow_colspec", specs).toString();
  }

  private static String mlflowType(String duckType) {
    String t = duckType.toUpperCase(Locale.ROOT);
    if (t.equals("BIGINT") || t.equals("HUGEINT") || t.equals("UBIGINT")) {
      return "long";
    }
    if (t.matches("(TINY|SMALL|U?)INT(EGER)?|UTINYINT|USMALLINT|UINTEGER")) {
      return "integer";
    }
    if (t.equals("DOUBLE") || t.startsWith("DECIMAL")) {
      return "double";
    }
    if (t.equals("FLOAT") || t.equals("REAL")) {
      return "float";
    }
    if (t.equals("BOOLEAN")) {
      return "boolean";
    }
    if (t.startsWith("TIMESTAMP") || t.equals("DATE")) {
      return "datetime";
    }
    return t.equals("BLOB") ? "binary" : "string";
  }
}
