package io.jenkins.plugins.mlops.steps.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preparer on real DuckDB, on generated CSV data. */
class DatasetPreparerTest {

  @TempDir Path work;
  private final List<String> console = new ArrayList<>();

  /** id, user (a group), label 0..2 (skewed), x (1 in 50 null), cat. */
  private static List<String> rows(int from, int to) {
    List<String> rows = new ArrayList<>();
    for (int i = from; i < to; i++) {
      int label = i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2;
      String x = i % 50 == 7 ? "" : Double.toString(i * 0.25);
      rows.add(i + "," + (i % 97) + "," + label + "," + x + ",c" + (i % 7));
    }
    return rows;
  }

  private Path csv(String name, List<String> rows) throws IOException {
    Path file = work.resolve(name);
    Files.createDirectories(file.getParent());
    List<String> lines = new ArrayList<>();
    lines.add("id,user,label,x,cat");
    lines.addAll(rows);
    return Files.write(file, lines);
  }

  private PrepareSpec.Builder spec(String input, String output) {
    return PrepareSpec.builder()
        .addInput(input)
        .setOutput(work.resolve(output))
        .setSplits(Split.parse("train=0.8,validation=0.1,test=0.1"))
        .optLabel("label");
  }

  private DatasetManifest prepare(PrepareSpec spec) {
    return DatasetPreparer.prepare(spec, work, console::add);
  }

  /** id to split name, read back from the written files. */
  private static Map<Long, String> splitsOf(Path output, DatasetManifest m, String idColumn)
      throws SQLException {
    Map<Long, String> splits = new HashMap<>();
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement()) {
      for (Map.Entry<String, String> f : m.files().entrySet()) {
        try (ResultSet r =
            sql.executeQuery(
                "SELECT " + idColumn + " FROM '" + output.resolve(f.getValue()) + "'")) {
          while (r.next()) {
            splits.put(r.getLong(1), f.getKey());
          }
        }
      }
    }
    return splits;
  }

  /** A preparation that failed left neither the output directory nor its hidden stage. */
  private void assertNothingLeft(String output) throws Exception {
    assertFalse(Files.exists(work.resolve(output)), "no " + output + " after a failure");
    try (Stream<Path> left = Files.list(work)) {
      List<String> stages =
          left.map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith("." + output + ".prepare-"))
              .toList();
      assertEquals(List.of(), stages, "the stage is gone");
    }
  }

  @Test
  void cleansSplitsAndWritesParquetAndAManifest() throws Exception {
    List<String> rows = rows(0, 10_000);
    rows.addAll(rows.subList(0, 100)); // 100 exact duplicates
    csv("data.csv", rows);

    DatasetManifest m = prepare(spec("data.csv", "out").optDropNa(true).optDedupe(true).build());

    assertEquals(10_100, m.inputRows());
    assertEquals(Map.of("drop_na", 202L, "dedupe", 98L), m.cleaning());
    assertEquals(10_000 - 200, m.totalRows());
    assertEquals(List.of("train", "validation", "test"), List.copyOf(m.rows().keySet()));
    assertEquals(0.8, m.rows().get("train") / (double) m.totalRows(), 0.02);
    Path out = work.resolve("out");
    for (String f : m.files().values()) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    assertEquals(m.totalRows(), splitsOf(out, m, "id").size());
    JsonNode json = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    assertEquals(m.fingerprint(), json.get("fingerprint").asText());
    assertEquals(0, json.get("columns").get("x").get("nulls").asLong());
    assertEquals("BIGINT", json.get("schema").get("id").asText());
    assertTrue(m.fingerprint().startsWith("sha256:"));
    try (Stream<Path> left = Files.list(out)) {
      assertEquals(4, left.count(), "three splits and the manifest, no temporary leftovers");
    }
    assertTrue(
        console.stream().anyMatch(l -> l.contains("dedupe removed 98 rows")), console.toString());
  }

  @Test
  void aRowKeepsItsSplitWhenRowsAreAddedOrRemoved() throws Exception {
    csv("a.csv", rows(0, 6_000));
    DatasetManifest first = prepare(spec("a.csv", "first").optKey("id").build());
    csv("b.csv", rows(1_000, 9_000));
    DatasetManifest second = prepare(spec("b.csv", "second").optKey("id").build());

    Map<Long, String> before = splitsOf(work.resolve("first"), first, "id");
    Map<Long, String> after = splitsOf(work.resolve("second"), second, "id");
    int common = 0;
    for (long id = 1_000; id < 6_000; id++) {
      assertEquals(before.get(id), after.get(id), "row " + id);
      common++;
    }
    assertEquals(5_000, common);
  }

  @Test
  void theWholeRowIsTheDefaultKeyAndTheSeedDecides() throws Exception {
    csv("data.csv", rows(0, 5_000));
    DatasetManifest a = prepare(spec("data.csv", "a").build());
    DatasetManifest b = prepare(spec("data.csv", "b").build());
    DatasetManifest c = prepare(spec("data.csv", "c").optSeed(7).build());

    assertEquals(splitsOf(work.resolve("a"), a, "id"), splitsOf(work.resolve("b"), b, "id"));
    assertNotEquals(splitsOf(work.resolve("a"), a, "id"), splitsOf(work.resolve("c"), c, "id"));
    assertEquals(a.fingerprint(), b.fingerprint());
    assertNotEquals(a.fingerprint(), c.fingerprint());
  }

  @Test
  void stratifiedSplitsKeepClassProportionsWithinOneRow() throws Exception {
    csv("data.csv", rows(0, 7_777));
    DatasetManifest m = prepare(spec("data.csv", "out").optStratify(true).build());

    Map<String, Long> perClass = new HashMap<>();
    m.labelDistribution()
        .values()
        .forEach(d -> d.forEach((c, n) -> perClass.merge(c, n, Long::sum)));
    double[] fractions = {0.8, 0.1, 0.1};
    int i = 0;
    for (Map.Entry<String, Map<String, Long>> split : m.labelDistribution().entrySet()) {
      for (Map.Entry<String, Long> c : split.getValue().entrySet()) {
        double exact = perClass.get(c.getKey()) * fractions[i];
        assertTrue(
            Math.abs(c.getValue() - exact) <= 1.0,
            split.getKey() + " class " + c.getKey() + ": " + c.getValue() + " vs " + exact);
      }
      i++;
    }
  }

  @Test
  void stratifiedCutsAreExactWithIdenticalRowsTinyClassesAndNullLabels() throws Exception {
    List<String> rows = rows(0, 20_000);
    rows.addAll(Collections.nCopies(3_000, "1,1,1,1.5,c1")); // 3,000 identical rows: one hash
    rows.addAll(List.of("5,5,7,2.0,c5", "6,6,7,3.0,c6", "7,7,7,4.0,c7")); // a class of 3
    rows.addAll(Collections.nCopies(40, "9,9,,5.0,c2")); // a null label
    csv("data.csv", rows);

    DatasetManifest m = prepare(spec("data.csv", "out").optStratify(true).build());

    Map<String, Long> perClass = new HashMap<>();
    m.labelDistribution()
        .values()
        .forEach(d -> d.forEach((c, n) -> perClass.merge(c, n, Long::sum)));
    assertEquals(Map.of("0", 12_000L, "1", 9_000L, "2", 2_000L, "7", 3L, "null", 40L), perClass);
    for (Map.Entry<String, Long> c : perClass.entrySet()) {
      long n = c.getValue();
      long train = Math.round(n * 0.8);
      long validation = Math.round(n * 0.9) - train;
      Map<String, Map<String, Long>> d = m.labelDistribution();
      assertEquals(train, d.get("train").getOrDefault(c.getKey(), 0L), "train " + c);
      assertEquals(validation, d.get("validation").getOrDefault(c.getKey(), 0L), "validation " + c);
      assertEquals(n - train - validation, d.get("test").getOrDefault(c.getKey(), 0L), "test " + c);
    }
  }

  /** id, ts (a DATE, 120 days from 2024-01-01, many rows per day), label, x. */
  private Path timed(String name, int n) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("id,ts,label,x");
    java.time.LocalDate day0 = java.time.LocalDate.of(2024, 1, 1);
    for (int i = 0; i < n; i++) {
      lines.add(i + "," + day0.plusDays((i * 7L) % 120) + "," + (i % 3) + "," + (i * 0.5));
    }
    Path file = work.resolve(name);
    return Files.write(file, lines);
  }

  /** id to its date, and split to its dates, read back from the written files. */
  private static Map<String, List<java.time.LocalDate>> datesBySplit(Path output, DatasetManifest m)
      throws SQLException {
    Map<String, List<java.time.LocalDate>> dates = new HashMap<>();
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement()) {
      for (Map.Entry<String, String> f : m.files().entrySet()) {
        List<java.time.LocalDate> list = new ArrayList<>();
        try (ResultSet r =
            sql.executeQuery("SELECT ts::VARCHAR FROM '" + output.resolve(f.getValue()) + "'")) {
          while (r.next()) {
            list.add(java.time.LocalDate.parse(r.getString(1)));
          }
        }
        dates.put(f.getKey(), list);
      }
    }
    return dates;
  }

  @Test
  void timeSplitsPutTheOldestRowsFirstAtExactFractions() throws Exception {
    timed("data.csv", 9_999);
    DatasetManifest m = prepare(spec("data.csv", "out").optTimeColumn("ts").build());

    assertEquals(Math.round(9_999 * 0.8), m.rows().get("train"));
    assertEquals(Math.round(9_999 * 0.9) - Math.round(9_999 * 0.8), m.rows().get("validation"));
    Map<String, List<java.time.LocalDate>> dates = datesBySplit(work.resolve("out"), m);
    java.time.LocalDate trainMax = Collections.max(dates.get("train"));
    java.time.LocalDate validationMin = Collections.min(dates.get("validation"));
    java.time.LocalDate validationMax = Collections.max(dates.get("validation"));
    java.time.LocalDate testMin = Collections.min(dates.get("test"));
    assertTrue(!trainMax.isAfter(validationMin), trainMax + " > " + validationMin);
    assertTrue(!validationMax.isAfter(testMin), validationMax + " > " + testMin);
    assertEquals("time", m.options().get("method"));
    assertEquals("validation>=" + validationMin + ",test>=" + testMin, m.options().get("cutoffs"));

    // The same data in another order: the same rows in each split (ties broken by the row hash).
    List<String> lines = new ArrayList<>(Files.readAllLines(work.resolve("data.csv")));
    List<String> body = new ArrayList<>(lines.subList(1, lines.size()));
    Collections.shuffle(body, new Random(3));
    body.add(0, lines.get(0));
    Files.write(work.resolve("shuffled.csv"), body);
    DatasetManifest again = prepare(spec("shuffled.csv", "again").optTimeColumn("ts").build());
    assertEquals(m.fingerprint(), again.fingerprint());
    assertEquals(
        splitsOf(work.resolve("out"), m, "id"), splitsOf(work.resolve("again"), again, "id"));
  }

  @Test
  void timeSplitsAtGivenCutoffs() throws Exception {
    timed("data.csv", 3_000);
    DatasetManifest m =
        prepare(
            spec("data.csv", "out")
                .setSplits(Split.parseNames("train,validation,test"))
                .optTimeColumn("ts")
                .addCutoff("2024-03-01")
                .addCutoff("2024-04-01")
                .build());

    Map<String, List<java.time.LocalDate>> dates = datesBySplit(work.resolve("out"), m);
    java.time.LocalDate march = java.time.LocalDate.of(2024, 3, 1);
    java.time.LocalDate april = java.time.LocalDate.of(2024, 4, 1);
    assertTrue(dates.get("train").stream().allMatch(d -> d.isBefore(march)));
    assertTrue(
        dates.get("validation").stream().allMatch(d -> !d.isBefore(march) && d.isBefore(april)));
    assertTrue(dates.get("test").stream().allMatch(d -> !d.isBefore(april)));
    assertEquals(3_000, m.totalRows());
    assertEquals("2024-03-01,2024-04-01", m.options().get("cutoffs"));

    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                prepare(
                    spec("data.csv", "bad")
                        .setSplits(Split.parseNames("train,test"))
                        .optTimeColumn("ts")
                        .addCutoff("2024-13-45")
                        .build()));
    assertTrue(
        bad.getMessage().startsWith("cutoff (2024-13-45) is not a value of the time column 'ts'"),
        bad.getMessage());
    IllegalArgumentException order =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                prepare(
                    spec("data.csv", "bad")
                        .setSplits(Split.parseNames("train,validation,test"))
                        .optTimeColumn("ts")
                        .addCutoff("2024-04-01")
                        .addCutoff("2024-03-01")
                        .build()));
    assertTrue(order.getMessage().contains("must increase"), order.getMessage());
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                prepare(
                    spec("data.csv", "bad")
                        .setSplits(Split.parseNames("train,test"))
                        .optTimeColumn("ts")
                        .addCutoff("2030-01-01")
                        .build()));
    assertTrue(empty.getMessage().startsWith("split 'test' would be empty"), empty.getMessage());
    IllegalArgumentException count =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                spec("data.csv", "bad")
                    .setSplits(Split.parseNames("train,validation,test"))
                    .optTimeColumn("ts")
                    .addCutoff("2024-03-01")
                    .build());
    assertTrue(
        count.getMessage().contains("must be one fewer than the splits"), count.getMessage());
    IllegalArgumentException both =
        assertThrows(
            IllegalArgumentException.class,
            () -> spec("data.csv", "bad").optTimeColumn("ts").optStratify(true).build());
    assertTrue(both.getMessage().contains("cannot be combined"), both.getMessage());
    IllegalArgumentException fractions =
        assertThrows(IllegalArgumentException.class, () -> Split.parseNames("train=0.5,test"));
    assertTrue(fractions.getMessage().contains("give names only"), fractions.getMessage());

    List<String> withNull = new ArrayList<>(Files.readAllLines(work.resolve("data.csv")));
    withNull.add("99999,,1,0.5");
    Files.write(work.resolve("null.csv"), withNull);
    IllegalArgumentException nulls =
        assertThrows(
            IllegalArgumentException.class,
            () -> prepare(spec("null.csv", "bad").optTimeColumn("ts").build()));
    assertTrue(
        nulls.getMessage().startsWith("time column (ts) is null in 1 rows"), nulls.getMessage());
    assertNothingLeft("bad");
  }

  @Test
  void groupsNeverSpanTwoSplits() throws Exception {
    csv("data.csv", rows(0, 5_000));
    DatasetManifest m = prepare(spec("data.csv", "out").optGroupBy("user").build());

    Map<Long, String> byId = splitsOf(work.resolve("out"), m, "id");
    Map<Long, String> groupSplit = new HashMap<>();
    byId.forEach(
        (id, split) -> {
          String before = groupSplit.putIfAbsent(id % 97, split);
          assertTrue(before == null || before.equals(split), "user " + id % 97 + " leaks");
        });
    assertEquals(97, groupSplit.size());
  }

  @Test
  void theFingerprintIgnoresRowOrderAndFileLayoutButNotContent() throws Exception {
    List<String> rows = rows(0, 3_000);
    csv("one.csv", rows);
    List<String> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(1));
    csv("parts/p1.csv", shuffled.subList(0, 1_000));
    csv("parts/p2.csv", shuffled.subList(1_000, 2_200));
    csv("parts/p3.csv", shuffled.subList(2_200, 3_000));
    List<String> changed = new ArrayList<>(rows);
    changed.set(10, changed.get(10).replace(",c3", ",c4"));
    csv("changed.csv", changed);

    String one = prepare(spec("one.csv", "o1").build()).fingerprint();
    String parts = prepare(spec("parts", "o2").build()).fingerprint();
    String differs = prepare(spec("changed.csv", "o3").build()).fingerprint();

    assertEquals(one, parts);
    assertNotEquals(one, differs);
  }

  @Test
  void badInputIsNamedAndLeavesNothingBehind() throws Exception {
    csv("data.csv", rows(0, 100));
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class, () -> prepare(spec("nope.csv", "out").build()));
    assertTrue(
        missing.getMessage().startsWith("input (nope.csv) does not exist"), missing.getMessage());

    IllegalArgumentException label =
        assertThrows(
            IllegalArgumentException.class,
            () -> prepare(spec("data.csv", "out").optLabel("lable").build()));
    assertTrue(
        label
            .getMessage()
            .contains("label (lable) is not a column of the data; did you" + " mean 'label'?"),
        label.getMessage());

    IllegalArgumentException fractions =
        assertThrows(IllegalArgumentException.class, () -> Split.parse("train=0.8,test=0.1"));
    assertTrue(fractions.getMessage().contains("sum to 0.9"), fractions.getMessage());

    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class,
            () -> prepare(spec("data.csv", "out").optFilter("x > 1e9").build()));
    assertTrue(
        empty.getMessage().startsWith("no rows are left after cleaning"), empty.getMessage());

    IllegalArgumentException filter =
        assertThrows(
            IllegalArgumentException.class,
            () -> prepare(spec("data.csv", "out").optFilter("nosuch > 1").build()));
    assertTrue(
        filter.getMessage().startsWith("filter (nosuch > 1) is not a valid SQL condition"),
        filter.getMessage());

    IllegalArgumentException oneClass =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                prepare(spec("data.csv", "out").optStratify(true).optFilter("label = 1").build()));
    assertTrue(oneClass.getMessage().contains("has 1 class(es)"), oneClass.getMessage());

    Files.writeString(work.resolve("afile"), "x");
    IllegalArgumentException output =
        assertThrows(
            IllegalArgumentException.class, () -> prepare(spec("data.csv", "afile/out").build()));
    assertTrue(output.getMessage().startsWith("output ("), output.getMessage());

    assertNothingLeft("out");
  }

  @Test
  void csvOutputAndDroppedColumnsAndFilters() throws Exception {
    csv("data.csv", rows(0, 2_000));
    DatasetManifest m =
        prepare(
            spec("data.csv", "out")
                .optFilter("label < 2")
                .addDropColumn("cat")
                .optOutputFormat(PrepareSpec.OutputFormat.CSV)
                .build());

    assertEquals(List.of("id", "user", "label", "x"), List.copyOf(m.schema().keySet()));
    assertEquals(200L, m.cleaning().get("filter"));
    assertEquals("train.csv", m.files().get("train"));
    String header = Files.readAllLines(work.resolve("out/train.csv")).get(0);
    assertEquals("id,user,label,x", header);
  }

  @Test
  void unchangedDataIsReportedAndAShiftedColumnDrifts() throws Exception {
    csv("v1.csv", rows(0, 5_000));
    DatasetManifest first = prepare(spec("v1.csv", "v1").build());
    Path previous = work.resolve("v1/manifest.json");
    assertTrue(first.profiles().get("x").edges().size() >= 5);

    DatasetManifest same =
        prepare(
            spec("v1.csv", "again")
                .optChecks(DataChecks.NONE.withPreviousManifest(previous))
                .build());
    assertTrue(same.drift().unchanged());
    assertEquals(0.0, same.drift().psi().get("x"), 1e-9);
    assertTrue(console.stream().anyMatch(l -> l.startsWith("prepare: data unchanged")));

    List<String> shifted = new ArrayList<>();
    for (String row : rows(0, 5_000)) {
      String[] f = row.split(",", -1);
      f[3] = f[3].isEmpty() ? "" : Double.toString(Double.parseDouble(f[3]) * 1.5 + 300);
      shifted.add(String.join(",", f));
    }
    csv("v2.csv", shifted);
    DatasetManifest warned =
        prepare(
            spec("v2.csv", "v2").optChecks(DataChecks.NONE.withPreviousManifest(previous)).build());
    assertTrue(warned.drift().psi().get("x") > 0.25, warned.drift().psi().toString());
    assertTrue(warned.drift().psi().get("id") < 0.01, warned.drift().psi().toString());
    assertTrue(
        warned.drift().warnings().get(0).startsWith("column 'x' drifted"),
        warned.drift().warnings().toString());

    DataCheckException failed =
        assertThrows(
            DataCheckException.class,
            () ->
                prepare(
                    spec("v2.csv", "v3")
                        .optChecks(
                            DataChecks.NONE.withPreviousManifest(previous).withPsi(0.1, 0.25))
                        .build()));
    assertTrue(
        failed.problems().get(0).startsWith("column 'x' drifted"), failed.problems().toString());
    assertNothingLeft("v3");
  }

  @Test
  void aChangedLabelMixIsALabelShift() throws Exception {
    csv("v1.csv", rows(0, 5_000));
    prepare(spec("v1.csv", "v1").build());
    DatasetManifest m =
        prepare(
            spec("v1.csv", "v2")
                .optFilter("label <> 0")
                .optChecks(DataChecks.NONE.withPreviousManifest(work.resolve("v1/manifest.json")))
                .build());
    assertEquals(0.6, m.drift().labelShift(), 0.01);
    assertTrue(
        m.drift().warnings().stream()
            .anyMatch(w -> w.startsWith("the label distribution" + " shifted")),
        m.drift().warnings().toString());
  }

  @Test
  void rulesFailWithEveryProblemListed() throws Exception {
    csv("data.csv", rows(0, 1_000));
    DataCheckException e =
        assertThrows(
            DataCheckException.class,
            () ->
                prepare(
                    spec("data.csv", "out")
                        .optChecks(
                            DataChecks.NONE
                                .withMinRows(5_000)
                                .withMaxNullFraction(0.01)
                                .withExpectedClasses(List.of("0", "1", "3")))
                        .build()));
    assertEquals(3, e.problems().size(), e.problems().toString());
    assertEquals("1,000 rows were prepared; at least 5,000 are required", e.problems().get(0));
    assertEquals("column 'x' is 2.0% null; at most 1.0% is allowed", e.problems().get(1));
    assertTrue(e.problems().get(2).contains("missing [3], unexpected [2]"), e.problems().get(2));
  }

  @Test
  void declaredTypesAreEnforcedWithTheFileLineAndColumnOfTheFirstBadValue() throws Exception {
    List<String> rows = rows(0, 500);
    rows.set(41, "41,41,1,not-a-number,c6");
    Path file = csv("typed.csv", rows);
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> prepare(spec("typed.csv", "out").addType("x", "DOUBLE").build()));
    assertTrue(
        bad.getMessage()
            .startsWith(
                "input ("
                    + file
                    + ") line 43, column 'x':"
                    + " \"not-a-number\" is not a DOUBLE (declared with --type x:DOUBLE)"),
        bad.getMessage());

    csv("ok.csv", rows(0, 500));
    DatasetManifest m = prepare(spec("ok.csv", "out").addType("user", "VARCHAR").build());
    assertEquals("VARCHAR", m.schema().get("user"));

    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> prepare(spec("ok.csv", "out").addType("usr", "VARCHAR").build()));
    assertTrue(
        unknown
            .getMessage()
            .startsWith("type (usr) is not a column of the data; did you" + " mean 'user'?"),
        unknown.getMessage());
    IllegalArgumentException badType =
        assertThrows(
            IllegalArgumentException.class,
            () -> spec("ok.csv", "out").addType("x", "REALLY").build());
    assertTrue(
        badType.getMessage().startsWith("type of column 'x' (REALLY) must be one of"),
        badType.getMessage());
  }
}
