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
    client.artifacts().upload(runId, outputDir.resolve("manifest.json"), "datasets/" + dataset);
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
