package io.jenkins.plugins.mlops.steps.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jenkins.plugins.mlops.steps.gate.GateRow.Status;
import java.util.List;

/**
 * A gate's verdict: passed or not, and why, condition by condition. Immutable and JSON-serializable
 * (the Jenkins step stores it, {@code mlops gate --json} prints it); also written as Markdown and
 * HTML for people.
 *
 * @param passed whether the candidate may replace the baseline
 * @param verdict {@code BLESSED} or {@code NOT_BLESSED} (TFX's words, also the marker file's name)
 * @param summary the verdict in a sentence
 * @param candidateRunId the candidate's MLflow run
 * @param baseline how the baseline was asked for ({@code models:/digits@champion}, a run id, ...);
 *     null when none was
 * @param baselineRunId the run the baseline resolved to; null when there is none
 * @param baselineNote how the baseline was found, or why there is none
 * @param rows one per condition, in the order given
 * @param evaluatedAt when, epoch milliseconds
 */
public record GateReport(
    boolean passed,
    String verdict,
    String summary,
    String candidateRunId,
    String baseline,
    String baselineRunId,
    String baselineNote,
    List<GateRow> rows,
    long evaluatedAt) {

  public static final String BLESSED = "BLESSED";
  public static final String NOT_BLESSED = "NOT_BLESSED";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public GateReport {
    rows = List.copyOf(rows);
  }

  /** The report as JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the gate report as JSON", e);
    }
  }

  /** Reads what {@link #toJson()} wrote. */
  public static GateReport fromJson(String json) {
    try {
      return JSON.readValue(json, GateReport.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a gate report: " + e.getOriginalMessage(), e);
    }
  }

  /** The report as a Markdown table. */
  public String toMarkdown() {
    StringBuilder b = new StringBuilder();
    b.append("## Evaluation gate: ").append(verdict).append("\n\n");
    b.append(summary).append("\n\n");
    b.append("Candidate run `")
        .append(candidateRunId)
        .append("`; baseline: ")
        .append(baselineNote)
        .append("\n\n");
    b.append("| condition | candidate | baseline | threshold | delta | verdict | reason |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | --- | --- |\n");
    for (GateRow r : rows) {
      b.append("| `")
          .append(r.condition().replace("|", "\\|"))
          .append("` | ")
          .append(num(r.candidate()))
          .append(" | ")
          .append(num(r.baseline()))
          .append(" | ")
          .append(num(r.threshold()))
          .append(" | ")
          .append(r.delta() == null ? "" : (r.delta() >= 0 ? "+" : "") + num(r.delta()))
          .append(" | ")
          .append(word(r.status()))
          .append(" | ")
          .append(r.reason().replace("|", "\\|"))
          .append(" |\n");
    }
    return b.toString();
  }

  /** The report as a small standalone HTML page. */
  public String toHtml() {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Evaluation gate: ")
        .append(verdict)
        .append(
            "</title>\n<style>body{font-family:sans-serif}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:4px 8px}td.n{text-align:right}"
                + ".PASS{color:#1a7f37}.FAIL{color:#cf222e}.NO_BASELINE{color:#9a6700}</style>"
                + "</head><body>\n<h2>Evaluation gate: ")
        .append(verdict)
        .append("</h2>\n<p>")
        .append(esc(summary))
        .append("</p>\n<p>Candidate run <code>")
        .append(esc(candidateRunId))
        .append("</code>; baseline: ")
        .append(esc(baselineNote))
        .append(
            "</p>\n<table><tr><th>condition</th><th>candidate</th><th>baseline</th>"
                + "<th>threshold</th><th>delta</th><th>verdict</th><th>reason</th></tr>\n");
    for (GateRow r : rows) {
      b.append("<tr><td><code>")
          .append(esc(r.condition()))
          .append("</code></td><td class=\"n\">")
          .append(num(r.candidate()))
          .append("</td><td class=\"n\">")
          .append(num(r.baseline()))
          .append("</td><td class=\"n\">")
          .append(num(r.threshold()))
          .append("</td><td class=\"n\">")
          .append(r.delta() == null ? "" : (r.delta() >= 0 ? "+" : "") + num(r.delta()))
          .append("</td><td class=\"")
          .append(r.status())
          .append("\">")
          .append(word(r.status()))
          .append("</td><td>")
          .append(esc(r.reason()))
          .append("</td></tr>\n");
    }
    return b.append("</table>\n</body></html>\n").toString();
  }

  private static String word(Status s) {
    return switch (s) {
      case PASS -> "pass";
      case FAIL -> "FAIL";
      case NO_BASELINE -> "no baseline";
    };
  }

  private static String num(Double d) {
    return d == null ? "" : GateEvaluator.fmt(d);
  }

  private static String esc(String s) {
    return s == null
        ? ""
        : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
