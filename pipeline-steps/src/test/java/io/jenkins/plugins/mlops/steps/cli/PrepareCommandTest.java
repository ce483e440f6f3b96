package io.jenkins.plugins.mlops.steps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlops prepare} on real DuckDB. */
class PrepareCommandTest {

  @TempDir Path work;
  private Path data;

  private record Outcome(int status, String out, String err) {}

  private static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = MlopsCli.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Outcome(status, out.toString(), err.toString());
  }

  @BeforeEach
  void data() throws IOException {
    List<String> lines = new ArrayList<>(List.of("pixel_1,pixel_2,digit"));
    for (int i = 0; i < 2_000; i++) {
      lines.add((i % 16) + "," + (i % 5 == 0 ? "NA" : Integer.toString(i % 9)) + "," + (i % 10));
    }
    data = Files.write(work.resolve("digits.csv"), lines);
  }

  @Test
  void preparesStratifiedSplitsAndPrintsTheManifest() throws IOException {
    Outcome o =
        run(
            "prepare",
            "--input",
            data.toString(),
            "--label",
            "digit",
            "--split",
            "train=0.8,test=0.2",
            "--seed",
            "7",
            "--stratify",
            "--null",
            "NA",
            "--drop-na",
            "--output",
            work.resolve("out").toString(),
            "--json");

    assertEquals(0, o.status(), o.err());
    JsonNode m = new ObjectMapper().readTree(o.out());
    assertEquals(1_600, m.get("rows").get("train").asLong() + m.get("rows").get("test").asLong());
    assertEquals(1_280, m.get("rows").get("train").asLong());
    assertEquals(400, m.get("cleaning").get("drop_na").asLong());
    assertTrue(Files.exists(work.resolve("out/train.parquet")));
    assertTrue(o.err().contains("prepare: 2,000 rows read"), o.err());
  }

  @Test
  void aRunThatDoesNotExistIsRefusedBeforeAnythingIsPrepared() throws IOException {
    Path store = work.resolve("mlruns");
    Outcome o =
        run(
            "prepare",
            "--input",
            data.toString(),
            "--label",
            "digit",
            "--output",
            work.resolve("out").toString(),
            "--run-id",
            "0123456789abcdef0123456789abcdef",
            "--tracking-uri",
            store.toString());
    assertEquals(2, o.status(), o.err());
    assertTrue(
        o.err().contains("--run-id (0123456789abcdef0123456789abcdef) is not a run at"), o.err());
    assertTrue(Files.notExists(work.resolve("out")), "nothing was prepared");
  }

  @Test
  void timeSplitsAtCutoffsTakeSplitNamesOnly() throws IOException {
    List<String> lines = new ArrayList<>(List.of("when,amount"));
    for (int i = 0; i < 300; i++) {
      lines.add(java.time.LocalDate.of(2024, 1, 1).plusDays(i % 90) + "," + i);
    }
    Path events = Files.write(work.resolve("events.csv"), lines);
    Outcome o =
        run(
            "prepare",
            "--input",
            events.toString(),
            "--time-column",
            "when",
            "--cutoffs",
            "2024-02-01,2024-03-01",
            "--output",
            work.resolve("by-time").toString(),
            "--json");

    assertEquals(0, o.status(), o.err());
    JsonNode m = new ObjectMapper().readTree(o.out());
    long january = 0;
    for (int i = 0; i < 300; i++) {
      january += i % 90 < 31 ? 1 : 0;
    }
    assertEquals(january, m.get("rows").get("train").asLong(), o.out());
    assertEquals("time", m.get("options").get("method").asText());

    Outcome fractions =
        run(
            "prepare",
            "--input",
            events.toString(),
            "--time-column",
            "when",
            "--cutoffs",
            "2024-02-01",
            "--split",
            "train=0.5,test=0.5",
            "--output",
            work.resolve("bad").toString());
    assertEquals(2, fractions.status());
    assertTrue(fractions.err().contains("give names only"), fractions.err());
  }

  @Test
  void badInputIsOneClearLine() {
    Outcome missing =
        run(
            "prepare",
            "--input",
            work.resolve("nope.csv").toString(),
            "--output",
            work.resolve("out").toString());
    assertEquals(4, missing.status());
    assertTrue(missing.err().startsWith("mlops prepare: input ("), missing.err());

    Outcome split =
        run(
            "prepare",
            "--input",
            data.toString(),
            "--split",
            "train=0.7,test=0.2",
            "--output",
            work.resolve("out").toString());
    assertEquals(2, split.status());
    assertTrue(split.err().startsWith("mlops prepare: split fractions must sum to 1"), split.err());

    Outcome format =
        run(
            "prepare",
            "--input",
            data.toString(),
            "--output-format",
            "xls",
            "--output",
            work.resolve("out").toString());
    assertEquals(2, format.status());
    assertTrue(
        format.err().contains("--output-format (xls) must be one of parquet, csv"), format.err());
  }

  @Test
  void failedChecksExitOneAndListEveryProblem() {
    Outcome o =
        run(
            "prepare",
            "--input",
            data.toString(),
            "--label",
            "digit",
            "--null",
            "NA",
            "--min-rows",
            "10000",
            "--max-null-fraction",
            "0.1",
            "--output",
            work.resolve("out").toString());
    assertEquals(1, o.status(), o.err());
    assertTrue(
        o.err().contains("  - 2,000 rows were prepared; at least 10,000 are required"), o.err());
    assertTrue(o.err().contains("  - column 'pixel_2' is 20.0% null"), o.err());
  }
}
