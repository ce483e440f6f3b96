package io.jenkins.plugins.mlops.steps.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.steps.gate.GateReport;
import io.jenkins.plugins.mlops.steps.gate.GateRow;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunInfo;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Whatever a run holds, the page shows it as text: names, reasons and verdicts are escaped. */
class RunReportTest {

  private static final String HOSTILE = "<img src=x onerror=alert(1)>\"'&";

  @Test
  void everyStringFromTheRunIsEscapedAndNothingIsFetched() {
    Run run =
        new Run(
            new RunInfo(
                "0123456789abcdef0123456789abcdef",
                "1",
                HOSTILE,
                RunStatus.FINISHED,
                1L,
                2L,
                "file:///a",
                "active",
                "u"),
            Map.of(),
            Map.of(),
            Map.of("test_accuracy", new Metric("test_accuracy", 0.5, 1L, 0)),
            List.of());
    GateReport gate =
        new GateReport(
            false,
            HOSTILE,
            HOSTILE,
            run.info().runId(),
            null,
            null,
            HOSTILE,
            List.of(new GateRow(HOSTILE, "m", 0.5, null, 0.9, null, GateRow.Status.FAIL, HOSTILE)),
            3L);
    RunReport report =
        new RunReport(
            run,
            HOSTILE,
            "http://mlflow/#/experiments/1/runs/x\"><script>",
            "file:///tmp/" + HOSTILE,
            Map.of("train/epoch_loss", List.of(new Metric("train/epoch_loss", 1.0, 1L, 1))),
            gate,
            null,
            List.of(HOSTILE, "b"),
            List.of(List.of(1L, 0L), List.of(0L, 1L)));

    String html = report.toHtml();

    assertFalse(html.contains("<img"), html);
    assertFalse(html.contains("<script"), html);
    assertFalse(html.contains("onerror=alert(1)>"), "no raw attribute break-out");
    assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"), html);
    assertTrue(html.contains("The run has no prepared data set."), "a missing section says so");
  }
}
