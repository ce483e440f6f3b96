package io.jenkins.plugins.mlops.steps.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.steps.data.DatasetManifest;
import io.jenkins.plugins.mlops.steps.data.DatasetPreparer;
import io.jenkins.plugins.mlops.steps.gate.GateReport;
import io.jenkins.plugins.mlops.steps.gate.GateRow;
import io.jenkins.plugins.mlops.tracking.ArtifactInfo;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What a person wants to see of one training run, read back from MLflow alone, so that every front
 * end (the demo, later the Jenkins build page) shows the same thing: the curves per epoch, the
 * gate's verdict with its reasons, the data set, the confusion matrix of the test split, and where
 * the run is. {@link #toHtml()} renders it as one self-contained page: inline SVG drawn here,
 * inline CSS, no script, nothing fetched.
 *
 * @param run the run
 * @param experimentName its experiment's name
 * @param runUrl the run's page in MLflow's UI; null for a file store (see {@code trackingUri})
 * @param trackingUri the server or file store the run is in
 * @param curves series name ({@code train/epoch_loss}, ...) to its points by step, for the series
 *     the run has
 * @param gate the gate's report (the run's {@code gate/gate-report.json}); null when not gated
 * @param dataset the prepared data's manifest (the run's {@code datasets/<name>/manifest.json});
 *     null when the run has none
 * @param classes the class names of the confusion matrix, in its order; empty when there is none
 * @param confusion rows are the true classes, columns the predicted ones; empty when there is none
 */
public record RunReport(
    Run run,
    String experimentName,
    String runUrl,
    String trackingUri,
    Map<String, List<Metric>> curves,
    GateReport gate,
    DatasetManifest dataset,
    List<String> classes,
    List<List<Long>> confusion) {

  /** The series the report draws, two to a chart. */
  static final List<String> QUANTITIES = List.of("epoch_loss", "epoch_accuracy");

  static final List<String> SPLITS = List.of("train", "validation");

  private static final ObjectMapper JSON = new ObjectMapper();

  public RunReport {
    curves = Map.copyOf(curves);
    classes = List.copyOf(classes);
    confusion = confusion.stream().map(List::copyOf).toList();
  }

  /**
   * Reads everything the report shows from the run in MLflow.
   *
   * @throws IllegalArgumentException when the run does not exist
   */
  public static RunReport collect(TrackingClient client, String runId) {
    Run run = client.runs().get(runId);
    String experiment;
    try {
      experiment = client.experiments().get(run.info().experimentId()).name();
    } catch (MlflowException e) {
      experiment = run.info().experimentId();
    }
    Map<String, List<Metric>> curves = new LinkedHashMap<>();
    for (String quantity : QUANTITIES) {
      for (String split : SPLITS) {
        String key = split + "/" + quantity;
        List<Metric> points = new ArrayList<>(client.runs().metricHistory(runId, key));
        if (!points.isEmpty()) {
          points.sort(Comparator.comparingLong(Metric::step));
          curves.put(key, points);
        }
      }
    }
    Path scratch;
    try {
      scratch = Files.createTempDirectory("mlops-report");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      GateReport gate =
          read(client, runId, "gate", "gate-report.json", scratch)
              .map(text -> GateReport.fromJson(text))
              .orElse(null);
      DatasetManifest dataset = null;
      for (ArtifactInfo dir : list(client, runId, "datasets")) {
        String path = dir.path() + "/manifest.json";
        if (dir.directory()
            && list(client, runId, dir.path()).stream().anyMatch(a -> a.path().equals(path))) {
          Path file = download(client, runId, path, scratch);
          if (file != null) {
            dataset = DatasetPreparer.readManifest(file);
            break;
          }
        }
      }
      List<String> classes = new ArrayList<>();
      List<List<Long>> confusion = new ArrayList<>();
      String metrics = read(client, runId, "training", "metrics.json", scratch).orElse(null);
      if (metrics != null) {
        JsonNode root = JSON.readTree(metrics);
        root.path("classes").forEach(c -> classes.add(c.asText()));
        root.path("confusion_matrix")
            .forEach(
                row -> {
                  List<Long> cells = new ArrayList<>();
                  row.forEach(cell -> cells.add(cell.asLong()));
                  confusion.add(cells);
                });
        if (confusion.size() != classes.size()) { // not a matrix of these classes: not shown
          classes.clear();
          confusion.clear();
        }
      }
      String uri = client.trackingUri().toString();
      String url =
          uri.startsWith("file:")
              ? null
              : uri.replaceAll("/+$", "")
                  + "/#/experiments/"
                  + run.info().experimentId()
                  + "/runs/"
                  + runId;
      return new RunReport(run, experiment, url, uri, curves, gate, dataset, classes, confusion);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the artifacts of run " + runId, e);
    } finally {
      deleteTree(scratch);
    }
  }

  private static List<ArtifactInfo> list(TrackingClient client, String runId, String path) {
    try {
      return client.artifacts().list(runId, path);
    } catch (MlflowException e) {
      if (e.isNotFound()) {
        return List.of();
      }
      throw e;
    }
  }

  private static java.util.Optional<String> read(
      TrackingClient client, String runId, String dir, String name, Path scratch)
      throws IOException {
    boolean present =
        list(client, runId, dir).stream()
            .anyMatch(a -> !a.directory() && a.path().equals(dir + "/" + name));
    if (!present) {
      return java.util.Optional.empty();
    }
    Path file = download(client, runId, dir + "/" + name, scratch);
    return file == null
        ? java.util.Optional.empty()
        : java.util.Optional.of(Files.readString(file, StandardCharsets.UTF_8));
  }

  private static Path download(TrackingClient client, String runId, String path, Path scratch) {
    Path target =
        scratch.resolve(Integer.toHexString(path.hashCode()) + "-" + Path.of(path).getFileName());
    try {
      return client.artifacts().download(runId, path, target);
    } catch (MlflowException e) {
      if (e.isNotFound()) {
        return null; // a run without that artifact: the section says so
      }
      throw e;
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary folder left behind is no reason to fail a report
    }
  }

  /** How many epochs the curves cover (the longest series). */
  public int epochs() {
    return curves.values().stream().mapToInt(List::size).max().orElse(0);
  }

  /** Writes {@link #toHtml()} to {@code file}, under a temporary name renamed when complete. */
  public Path write(Path file) {
    Path target = file.toAbsolutePath().normalize();
    try {
      Files.createDirectories(target.getParent());
      // a sibling with a unique name, created with the umask's mode (createTempFile would be 0600)
      Path temp =
          target.resolveSibling(
              "." + target.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
      try {
        Files.writeString(temp, toHtml(), StandardCharsets.UTF_8);
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the report " + target + ": " + e.getMessage(), e);
    }
    return target;
  }

  /** The report as one self-contained HTML page. */
  public String toHtml() {
    StringBuilder b = new StringBuilder(16_384);
    String title = "Run " + run.info().runId() + (gate == null ? "" : " — " + gate.verdict());
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>")
        .append(Html.esc(title))
        .append("</title>\n<style>")
        .append(STYLE)
        .append("</style></head>\n<body>\n");
    header(b);
    b.append("<h2>Training</h2>\n<div class=\"charts\">\n");
    for (String quantity : QUANTITIES) {
      Map<String, List<Metric>> series = new LinkedHashMap<>();
      for (String split : SPLITS) {
        List<Metric> points = curves.get(split + "/" + quantity);
        if (points != null) {
          series.put(split, points);
        }
      }
      b.append(Chart.svg(quantity.substring("epoch_".length()), series));
    }
    b.append("</div>\n");
    finalMetrics(b);
    gate(b);
    dataset(b);
    confusion(b);
    b.append("</body></html>\n");
    return b.toString();
  }

  private void header(StringBuilder b) {
    b.append("<h1>")
        .append(gate == null ? "" : "<span class=\"verdict " + Html.esc(gate.verdict()) + "\">")
        .append(gate == null ? "" : Html.esc(gate.verdict()) + "</span> ")
        .append("Run <code>")
        .append(Html.esc(run.info().runId()))
        .append("</code></h1>\n<p>Experiment <b>")
        .append(Html.esc(experimentName))
        .append("</b>, run name <b>")
        .append(Html.esc(run.info().runName()))
        .append("</b>, status ")
        .append(Html.esc(String.valueOf(run.info().status())))
        .append(". ");
    if (runUrl != null) {
      b.append("<a href=\"").append(Html.esc(runUrl)).append("\">Open the run in MLflow</a>");
    } else {
      b.append("In the file store <code>")
          .append(Html.esc(trackingUri.replaceAll("/+$", "")))
          .append("</code>: <code>MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri ")
          .append(Html.esc(trackingUri.replaceAll("/+$", "")))
          .append("</code>");
    }
    b.append("</p>\n");
  }

  private void finalMetrics(StringBuilder b) {
    TreeSet<String> keys = new TreeSet<>();
    run.metrics().keySet().stream().filter(k -> k.startsWith("test_")).forEach(keys::add);
    if (keys.isEmpty()) {
      return;
    }
    b.append("<table class=\"metrics\"><tr><th>test metric</th><th>value</th></tr>\n");
    for (String key : keys) {
      b.append("<tr><td>")
          .append(Html.esc(key))
          .append("</td><td class=\"n\">")
          .append(String.format(Locale.ROOT, "%.4f", run.metrics().get(key).value()))
          .append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  private void gate(StringBuilder b) {
    b.append("<h2>Evaluation gate</h2>\n");
    if (gate == null) {
      b.append("<p>This run was not gated.</p>\n");
      return;
    }
    b.append("<p>")
        .append(Html.esc(gate.summary()))
        .append("</p>\n<table class=\"gate\"><tr><th>condition</th><th>candidate</th>")
        .append("<th>baseline</th><th>verdict</th><th>reason</th></tr>\n");
    for (GateRow row : gate.rows()) {
      b.append("<tr><td><code>")
          .append(Html.esc(row.condition()))
          .append("</code></td><td class=\"n\">")
          .append(Html.num(row.candidate()))
          .append("</td><td class=\"n\">")
          .append(Html.num(row.baseline()))
          .append("</td><td class=\"")
          .append(Html.esc(String.valueOf(row.status())))
          .append("\">")
          .append(Html.esc(String.valueOf(row.status())))
          .append("</td><td>")
          .append(Html.esc(row.reason()))
          .append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  private void dataset(StringBuilder b) {
    b.append("<h2>Data</h2>\n");
    if (dataset == null) {
      b.append("<p>The run has no prepared data set.</p>\n");
      return;
    }
    b.append("<p><b>")
        .append(Html.esc(dataset.name() == null ? "data" : dataset.name()))
        .append("</b>: ")
        .append(String.format(Locale.ROOT, "%,d", dataset.totalRows()))
        .append(" rows, label <code>")
        .append(Html.esc(String.valueOf(dataset.label())))
        .append("</code>, seed ")
        .append(dataset.seed())
        .append(", fingerprint <code>")
        .append(Html.esc(dataset.fingerprint()))
        .append("</code></p>\n");
    Map<String, Map<String, Long>> balance =
        dataset.labelDistribution() == null ? Map.of() : dataset.labelDistribution();
    TreeSet<String> labels = new TreeSet<>();
    balance.values().forEach(m -> labels.addAll(m.keySet()));
    b.append("<table class=\"data\"><tr><th>split</th><th>rows</th>");
    labels.forEach(l -> b.append("<th>").append(Html.esc(l)).append("</th>"));
    b.append("</tr>\n");
    dataset
        .rows()
        .forEach(
            (split, rows) -> {
              b.append("<tr><td>")
                  .append(Html.esc(split))
                  .append("</td><td class=\"n\">")
                  .append(String.format(Locale.ROOT, "%,d", rows))
                  .append("</td>");
              Map<String, Long> counts = balance.getOrDefault(split, Map.of());
              labels.forEach(
                  l ->
                      b.append("<td class=\"n\">")
                          .append(String.format(Locale.ROOT, "%,d", counts.getOrDefault(l, 0L)))
                          .append("</td>"));
              b.append("</tr>\n");
            });
    b.append("</table>\n");
  }

  private void confusion(StringBuilder b) {
    b.append("<h2>Confusion matrix (test split)</h2>\n");
    if (confusion.isEmpty()) {
      b.append("<p>The run has no confusion matrix (training/metrics.json).</p>\n");
      return;
    }
    b.append("<table class=\"confusion\"><tr><th>true \\ predicted</th>");
    classes.forEach(c -> b.append("<th>").append(Html.esc(c)).append("</th>"));
    b.append("</tr>\n");
    for (int i = 0; i < classes.size(); i++) {
      List<Long> row = confusion.get(i);
      long total = row.stream().mapToLong(Long::longValue).sum();
      b.append("<tr><th>").append(Html.esc(classes.get(i))).append("</th>");
      for (int j = 0; j < row.size(); j++) {
        double share = total == 0 ? 0 : row.get(j) / (double) total;
        String colour = i == j ? "26,127,55" : "207,34,46";
        b.append("<td class=\"n\" style=\"background:rgba(")
            .append(colour)
            .append(',')
            .append(String.format(Locale.ROOT, "%.2f", 0.55 * share))
            .append(")\">")
            .append(row.get(j))
            .append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</table>\n");
  }

  private static final String STYLE =
      "body{font-family:system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1100px}"
          + "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;"
          + "padding:4px 8px}td.n{text-align:right;font-variant-numeric:tabular-nums}"
          + ".PASS,.BLESSED{color:#1a7f37}.FAIL,.NOT_BLESSED{color:#cf222e}"
          + ".NO_BASELINE{color:#9a6700}.verdict{font-weight:bold}"
          + ".charts{display:flex;flex-wrap:wrap;gap:16px}"
          + "svg text{font-size:11px;fill:#57606a}";
}
