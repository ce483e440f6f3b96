package io.jenkins.plugins.mlops.tracking.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunInfo;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunFilterTest {

  private static Run run(String id, long start, double acc, String optimizer, RunStatus status) {
    return new Run(
        new RunInfo(id, "1", "run-" + id, status, start, 0, "", "active", "ci"),
        Map.of("optimizer", optimizer),
        Map.of("team", "vision"),
        Map.of(
            "acc",
            new Metric("acc", acc, start, 0),
            "train/loss",
            new Metric("train/loss", 1 - acc, start, 0)),
        List.of());
  }

  private final Run a = run("a", 1, 0.90, "adam", RunStatus.FINISHED);
  private final Run b = run("b", 2, 0.95, "sgd", RunStatus.FAILED);
  private final Run bare =
      new Run(
          new RunInfo("c", "1", "bare", RunStatus.RUNNING, 3, 0, "", "active", ""),
          Map.of(),
          Map.of(),
          Map.of(),
          List.of());

  @Test
  void comparesNumbersTextAndAttributes() {
    assertTrue(RunFilter.parse("metrics.acc > 0.92").test(b));
    assertFalse(RunFilter.parse("metrics.acc > 0.92").test(a));
    assertTrue(RunFilter.parse("params.optimizer = 'adam' and tags.team != 'nlp'").test(a));
    assertTrue(RunFilter.parse("attributes.status = 'FAILED'").test(b));
    assertTrue(RunFilter.parse("status IN ('FINISHED', 'KILLED')").test(a));
    assertFalse(RunFilter.parse("status NOT IN ('FINISHED')").test(a));
    assertTrue(RunFilter.parse("params.optimizer LIKE 'ad%'").test(a));
    assertTrue(RunFilter.parse("params.optimizer ILIKE 'SG_'").test(b));
    assertTrue(RunFilter.parse("metrics.`train/loss` <= 0.1").test(a));
    assertTrue(RunFilter.parse("metrics.\"train/loss\" < 0.06").test(b));
    assertTrue(RunFilter.parse("").test(bare));
  }

  @Test
  void aRunWithoutTheKeyNeverMatches() {
    assertFalse(RunFilter.parse("metrics.acc != 0.5").test(bare));
    assertFalse(RunFilter.parse("params.optimizer != 'adam'").test(bare));
  }

  @Test
  void keepsQuotedAndInsideValues() {
    Run odd = run("d", 4, 0.5, "x and y", RunStatus.FINISHED);

    assertTrue(RunFilter.parse("params.optimizer = 'x and y' AND metrics.acc = 0.5").test(odd));
  }

  @Test
  void ordersByMetricWithMissingValuesLastThenNewestFirst() {
    List<Run> runs = List.of(bare, a, b);

    assertEquals(
        List.of("b", "a", "c"),
        runs.stream()
            .sorted(RunFilter.order(List.of("metrics.acc DESC")))
            .map(r -> r.info().runId())
            .toList());
    assertEquals(
        List.of("a", "b", "c"),
        runs.stream()
            .sorted(RunFilter.order(List.of("metrics.acc")))
            .map(r -> r.info().runId())
            .toList());
    assertEquals(
        List.of("c", "b", "a"),
        runs.stream().sorted(RunFilter.order(List.of())).map(r -> r.info().runId()).toList());
  }

  @Test
  void unreadableFiltersNameThePartAndWhatIsAllowed() {
    IllegalArgumentException entity =
        assertThrows(IllegalArgumentException.class, () -> RunFilter.parse("metric_s.acc > 1"));
    IllegalArgumentException number =
        assertThrows(IllegalArgumentException.class, () -> RunFilter.parse("metrics.acc > 'high'"));
    IllegalArgumentException quote =
        assertThrows(IllegalArgumentException.class, () -> RunFilter.parse("params.lr = 0.1"));

    assertTrue(entity.getMessage().contains("entities are metrics, params, tags, attributes"));
    assertTrue(number.getMessage().contains("compare it with a number"), number.getMessage());
    assertTrue(quote.getMessage().contains("text values are quoted"), quote.getMessage());
  }
}
