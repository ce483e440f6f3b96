package io.jenkins.plugins.mlops.steps.gate;

import io.jenkins.plugins.mlops.steps.MlflowLookup;
import io.jenkins.plugins.mlops.steps.Suggest;
import io.jenkins.plugins.mlops.steps.gate.GateRow.Status;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Runs a gate against MLflow: reads the candidate run, finds the baseline, checks that every metric
 * exists and is a number before evaluating anything, evaluates every condition ({@link
 * GateEvaluator}), and records the verdict — tags on the candidate run ({@code mlops.gate.status},
 * {@code mlops.gate.verdict}, {@code mlops.gate.summary}, {@code mlops.gate.baseline_run}), the
 * report as artifacts under {@code gate/}, and in the report directory {@code
 * gate-report.json/.md/.html} and a {@code BLESSED} or {@code NOT_BLESSED} marker.
 */
public final class EvaluationGate {

  /** Tags the gate sets on the candidate run. */
  public static final String TAG_STATUS = "mlops.gate.status";

  public static final String TAG_VERDICT = "mlops.gate.verdict";
  public static final String TAG_SUMMARY = "mlops.gate.summary";
  public static final String TAG_BASELINE_RUN = "mlops.gate.baseline_run";

  private EvaluationGate() {}

  /**
   * Evaluates {@code spec}.
   *
   * @throws IllegalArgumentException before anything is evaluated or written, when the candidate
   *     run does not exist, a metric is unknown (the nearest known names suggested) or NaN, or the
   *     baseline cannot be read
   */
  public static GateReport run(TrackingClient client, GateSpec spec, Consumer<String> console) {
    clearVerdict(spec.reportDir());
    Run candidate =
        MlflowLookup.liveRun(client, spec.candidateRunId())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "candidate run ("
                            + spec.candidateRunId()
                            + ") does not exist or is deleted at "
                            + client.trackingUri()));
    Baselines.Found baseline = Baselines.resolve(client, spec.baseline(), candidate.id());
    console.accept("gate: candidate run " + candidate.id() + "; baseline: " + baseline.note());
    Map<Condition, Double> candidateValues =
        values(client, candidate, spec.conditions(), "candidate", true);
    Map<Condition, Double> baselineValues =
        baseline.run() == null
            ? Map.of()
            : values(
                client,
                baseline.run(),
                spec.conditions().stream().filter(Condition::needsBaseline).toList(),
                "baseline",
                false);
    List<GateRow> rows = new ArrayList<>();
    for (Condition c : spec.conditions()) {
      GateRow row =
          GateEvaluator.evaluate(
              c, candidateValues.get(c), baselineValues.get(c), baseline.run() != null);
      if (row.status() == Status.NO_BASELINE && spec.failWithoutBaseline()) {
        row =
            new GateRow(
                row.condition(),
                row.metric(),
                row.candidate(),
                null,
                null,
                null,
                Status.FAIL,
                row.reason()
                    .replace(
                        "the change is not checked",
                        "the change cannot be checked, and this gate fails without a baseline"));
      }
      rows.add(row);
      console.accept(
          "gate: "
              + (row.status() == Status.PASS
                  ? "pass"
                  : row.status() == Status.FAIL ? "FAIL" : "not checked")
              + ": "
              + row.condition()
              + " — "
              + row.reason());
    }
    long failed = rows.stream().filter(r -> r.status() == Status.FAIL).count();
    long checked = rows.stream().filter(r -> r.status() != Status.NO_BASELINE).count();
    long unchecked = rows.size() - checked;
    boolean passed = failed == 0 && checked > 0;
    String against =
        baseline.run() == null
            ? "with no baseline (" + baseline.note() + ")"
            : "against " + baseline.note();
    String summary;
    if (failed > 0) {
      summary =
          "not passed: "
              + failed
              + " of "
              + rows.size()
              + " condition(s) failed "
              + against
              + ": "
              + String.join(
                  "; ",
                  rows.stream()
                      .filter(r -> r.status() == Status.FAIL)
                      .map(GateRow::condition)
                      .toList());
    } else if (checked == 0) {
      summary =
          "not passed: nothing was checked, every condition needs a baseline and there is"
              + " none ("
              + baseline.note()
              + "); add an absolute condition such as"
              + " 'test_accuracy >= 0.9' for first runs";
    } else {
      summary =
          "passed: "
              + checked
              + " of "
              + rows.size()
              + " condition(s) hold "
              + against
              + (unchecked > 0
                  ? "; "
                      + unchecked
                      + " change condition(s) not checked for want of a"
                      + " baseline"
                  : "");
    }
    GateReport report =
        new GateReport(
            passed,
            passed ? GateReport.BLESSED : GateReport.NOT_BLESSED,
            summary,
            candidate.id(),
            spec.baseline(),
            baseline.run() == null ? null : baseline.run().id(),
            baseline.note(),
            rows,
            System.currentTimeMillis());
    console.accept("gate: " + report.verdict() + " — " + summary);
    record(client, report, spec.reportDir(), console);
    return report;
  }

  /** Each condition's value in {@code run}; unknown or NaN metrics are errors for the candidate. */
  private static Map<Condition, Double> values(
      TrackingClient client, Run run, List<Condition> conditions, String role, boolean strict) {
    Map<Condition, Double> values = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Condition c : conditions) {
      MetricSelector s = c.metric();
      Metric latest = run.metrics().get(s.name());
      if (latest == null) {
        if (strict) {
          String near = Suggest.nearest(s.name(), run.metrics().keySet());
          problems.add(
              "metric '"
                  + s.name()
                  + "' is not in the "
                  + role
                  + " run "
                  + run.id()
                  + (near == null ? "" : " (did you mean '" + near + "'?)")
                  + "; it has: "
                  + (run.metrics().isEmpty()
                      ? "no metrics"
                      : String.join(", ", new TreeSet<>(run.metrics().keySet()))));
        }
        continue;
      }
      Double value;
      switch (s.aggregate()) {
        case LAST -> value = latest.value();
        case MIN, MAX, STEP -> {
          List<Metric> history = client.runs().metricHistory(run.id(), s.name());
          value = null;
          for (Metric m : history) {
            double v = m.value();
            if (Double.isNaN(v) && s.aggregate() != MetricSelector.Aggregate.STEP) {
              continue; // a NaN point neither wins min() nor spoils it
            }
            switch (s.aggregate()) {
              case MIN -> value = value == null || v < value ? v : value;
              case MAX -> value = value == null || v > value ? v : value;
              default -> {
                if (m.step() == s.step()) {
                  value = v; // the last logged value at that step, as MLflow shows it
                }
              }
            }
          }
          if (value == null && strict) {
            problems.add(
                s.name()
                    + " of the "
                    + role
                    + " run "
                    + run.id()
                    + (s.aggregate() == MetricSelector.Aggregate.STEP
                        ? " has no value at step "
                            + s.step()
                            + "; its steps: "
                            + history.stream().map(Metric::step).distinct().toList()
                        : " has no value that is a number"));
            continue;
          }
        }
        default -> throw new IllegalStateException(s.aggregate().name());
      }
      // Infinities compare (and fail or pass as they should); NaN compares with nothing.
      if (value != null && Double.isNaN(value)) {
        problems.add(
            s
                + " of the "
                + role
                + " run "
                + run.id()
                + " is "
                + value
                + ", which no condition can compare");
        continue;
      }
      values.put(c, value);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "the gate cannot be evaluated:\n  - " + String.join("\n  - ", problems));
    }
    return values;
  }

  private static void record(
      TrackingClient client, GateReport report, Path dir, Consumer<String> console) {
    if (dir != null) {
      try {
        Files.createDirectories(dir);
        write(dir.resolve("gate-report.json"), report.toJson());
        write(dir.resolve("gate-report.md"), report.toMarkdown());
        write(dir.resolve("gate-report.html"), report.toHtml());
        Files.deleteIfExists(
            dir.resolve(report.passed() ? GateReport.NOT_BLESSED : GateReport.BLESSED));
        write(dir.resolve(report.verdict()), report.summary() + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the gate report into " + dir, e);
      }
      console.accept(
          "gate: report in "
              + dir.resolve("gate-report.md")
              + ", marker "
              + dir.resolve(report.verdict()));
    }
    String run = report.candidateRunId();
    client.runs().setTag(run, TAG_STATUS, report.passed() ? "passed" : "failed");
    client.runs().setTag(run, TAG_VERDICT, report.verdict());
    String summary = report.summary();
    client
        .runs()
        .setTag(
            run,
            TAG_SUMMARY,
            summary.length() > 4000 ? summary.substring(0, 3997) + "..." : summary);
    if (report.baselineRunId() != null) {
      client.runs().setTag(run, TAG_BASELINE_RUN, report.baselineRunId());
    }
    if (dir != null) {
      for (String name : List.of("gate-report.json", "gate-report.md", "gate-report.html")) {
        client.artifacts().upload(run, dir.resolve(name), "gate");
      }
    }
  }

  /**
   * An earlier verdict in the report directory goes first, so that a gate that stops leaves none.
   */
  private static void clearVerdict(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      for (String name :
          List.of(
              GateReport.BLESSED,
              GateReport.NOT_BLESSED,
              "gate-report.json",
              "gate-report.md",
              "gate-report.html")) {
        Files.deleteIfExists(dir.resolve(name));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear the earlier verdict in " + dir, e);
    }
  }

  private static void write(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
