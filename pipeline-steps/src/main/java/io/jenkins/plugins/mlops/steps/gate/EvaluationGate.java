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
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Runs a gate against MLflow: reads the candidate run, clears its earlier verdict, finds the
 * baseline, evaluates every condition ({@link GateEvaluator}), and records the verdict — tags on
 * the candidate run ({@code mlops.gate.status} last, after {@code mlops.gate.verdict}, {@code
 * mlops.gate.summary}, {@code mlops.gate.baseline}, {@code mlops.gate.baseline_run}, and the
 * fingerprint of the metrics it read, {@code mlops.gate.metrics} and {@code
 * mlops.gate.metrics_digest}, which promotion checks), the report as artifacts under {@code gate/},
 * and in the report directory {@code gate-report.json/.md/.html} and a {@code BLESSED} or {@code
 * NOT_BLESSED} marker. A candidate metric that is missing or NaN is a failed condition, not an
 * error.
 */
public final class EvaluationGate {

  /** Tags the gate sets on the candidate run; every tag it sets starts with {@link #TAG_PREFIX}. */
  public static final String TAG_PREFIX = "mlops.gate.";

  public static final String TAG_STATUS = "mlops.gate.status";
  public static final String TAG_VERDICT = "mlops.gate.verdict";
  public static final String TAG_SUMMARY = "mlops.gate.summary";
  public static final String TAG_BASELINE = "mlops.gate.baseline";
  public static final String TAG_BASELINE_RUN = "mlops.gate.baseline_run";
  public static final String TAG_METRICS = "mlops.gate.metrics";
  public static final String TAG_METRICS_DIGEST = "mlops.gate.metrics_digest";

  private EvaluationGate() {}

  /** A condition's value in a run, or why there is none that can be compared. */
  private record Value(Double value, String problem) {}

  /**
   * Evaluates {@code spec}.
   *
   * @throws IllegalArgumentException before anything is evaluated, when the candidate run does not
   *     exist or the baseline is misspelt or cannot be read; the run's earlier verdict is gone by
   *     then (its gate tags removed), so that no stale "passed" survives a gate that stopped
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
    clearTags(client, candidate, console);
    Baselines.Found baseline =
        Baselines.resolve(
            client,
            spec.baseline(),
            candidate.id(),
            spec.allowFirstRun(),
            w -> console.accept("gate: warning: " + w));
    console.accept("gate: candidate run " + candidate.id() + "; baseline: " + baseline.note());
    MetricsDigest candidateHistory = new MetricsDigest(client, candidate.id());
    Map<Condition, Value> candidateValues =
        values(candidateHistory, candidate, spec.conditions(), "candidate");
    Map<Condition, Value> baselineValues =
        baseline.run() == null
            ? Map.of()
            : values(
                new MetricsDigest(client, baseline.run().id()),
                baseline.run(),
                spec.conditions().stream().filter(Condition::needsBaseline).toList(),
                "baseline");
    List<GateRow> rows = new ArrayList<>();
    for (Condition c : spec.conditions()) {
      GateRow row = row(c, candidateValues.get(c), baselineValues.get(c), baseline);
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
    GateReport report = report(candidate.id(), spec, baseline, rows);
    console.accept("gate: " + report.verdict() + " — " + report.summary());
    Set<String> read = new TreeSet<>();
    spec.conditions().forEach(c -> read.add(c.metric().name()));
    record(client, report, spec.reportDir(), read, candidateHistory.of(read), console);
    return report;
  }

  /** One condition's row: a missing or NaN candidate value fails it with the reason. */
  private static GateRow row(Condition c, Value cand, Value base, Baselines.Found baseline) {
    Double baseValue = base == null ? null : base.value();
    if (cand.problem() != null) {
      return new GateRow(
          c.text(),
          c.metric().toString(),
          cand.value(),
          baseValue,
          null,
          null,
          Status.FAIL,
          cand.problem());
    }
    GateRow row = GateEvaluator.evaluate(c, cand.value(), baseValue, baseline.run() != null);
    if (row.status() != Status.NO_BASELINE) {
      return row;
    }
    // The evaluator knows only that there is no baseline; the note says why, and whether the
    // caller allowed a first run.
    String reason =
        row.reason()
            .replace(
                GateEvaluator.NO_BASELINE_REASON,
                "no baseline: "
                    + baseline.note()
                    + (baseline.firstRun()
                        ? "; the change is not checked"
                        : "; the change cannot be checked, so it fails"));
    return new GateRow(
        row.condition(),
        row.metric(),
        row.candidate(),
        null,
        row.threshold(),
        row.delta(),
        baseline.firstRun() ? Status.NO_BASELINE : Status.FAIL,
        reason);
  }

  private static GateReport report(
      String candidateRunId, GateSpec spec, Baselines.Found baseline, List<GateRow> rows) {
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
    return new GateReport(
        passed,
        passed ? GateReport.BLESSED : GateReport.NOT_BLESSED,
        summary,
        candidateRunId,
        spec.baseline(),
        baseline.run() == null ? null : baseline.run().id(),
        baseline.note(),
        rows,
        System.currentTimeMillis());
  }

  /**
   * Each condition's value in {@code run}, or the reason there is none: the metric is missing (with
   * the nearest known names), has no number, no value at the step, or is NaN.
   */
  private static Map<Condition, Value> values(
      MetricsDigest histories, Run run, List<Condition> conditions, String role) {
    Map<Condition, Value> values = new LinkedHashMap<>();
    for (Condition c : conditions) {
      MetricSelector s = c.metric();
      Metric latest = run.metrics().get(s.name());
      if (latest == null) {
        String near = Suggest.nearest(s.name(), run.metrics().keySet());
        values.put(
            c,
            new Value(
                null,
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
                        : String.join(", ", new TreeSet<>(run.metrics().keySet())))
                    + ", so it cannot pass"));
        continue;
      }
      Double value = s.aggregate() == MetricSelector.Aggregate.LAST ? latest.value() : null;
      if (s.aggregate() != MetricSelector.Aggregate.LAST) {
        List<Metric> history = histories.history(s.name());
        value = aggregate(s, history);
        if (value == null) {
          values.put(
              c,
              new Value(
                  null,
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
                          : " has no value that is a number")
                      + ", so it cannot pass"));
          continue;
        }
      }
      // Infinities compare (and fail or pass as they should); NaN compares with nothing.
      values.put(
          c,
          Double.isNaN(value)
              ? new Value(
                  value,
                  s
                      + " of the "
                      + role
                      + " run "
                      + run.id()
                      + " is NaN, which no condition can compare, so it cannot pass")
              : new Value(value, null));
    }
    return values;
  }

  /** The min, max, or value at a step of {@code history}; null when there is none. */
  private static Double aggregate(MetricSelector s, List<Metric> history) {
    Double value = null;
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
    return value;
  }

  /** Removes the run's earlier verdict, so that a gate that stops leaves none behind. */
  private static void clearTags(TrackingClient client, Run run, Consumer<String> console) {
    List<String> old =
        run.tags().keySet().stream().filter(k -> k.startsWith(TAG_PREFIX)).sorted().toList();
    // The status first: from then on, promotion refuses the run whatever else is left.
    if (old.contains(TAG_STATUS)) {
      client.runs().deleteTag(run.id(), TAG_STATUS);
      console.accept(
          "gate: cleared the earlier verdict of run "
              + run.id()
              + " ("
              + run.tags().get(TAG_STATUS)
              + ")");
    }
    for (String key : old) {
      if (!key.equals(TAG_STATUS)) {
        client.runs().deleteTag(run.id(), key);
      }
    }
  }

  private static void record(
      TrackingClient client,
      GateReport report,
      Path dir,
      Set<String> metricsRead,
      String digest,
      Consumer<String> console) {
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
    if (dir != null) {
      for (String name : List.of("gate-report.json", "gate-report.md", "gate-report.html")) {
        client.artifacts().upload(run, dir.resolve(name), "gate");
      }
    }
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(TAG_VERDICT, report.verdict());
    String summary = report.summary();
    tags.put(TAG_SUMMARY, summary.length() > 4000 ? summary.substring(0, 3997) + "..." : summary);
    if (report.baseline() != null) {
      tags.put(TAG_BASELINE, report.baseline());
    }
    if (report.baselineRunId() != null) {
      tags.put(TAG_BASELINE_RUN, report.baselineRunId());
    }
    tags.put(TAG_METRICS, String.join(",", metricsRead));
    tags.put(TAG_METRICS_DIGEST, digest);
    client.runs().logBatch(run, List.of(), Map.of(), tags);
    // The status last: "passed" is never there without the facts promotion checks it against.
    client.runs().setTag(run, TAG_STATUS, report.passed() ? "passed" : "failed");
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
