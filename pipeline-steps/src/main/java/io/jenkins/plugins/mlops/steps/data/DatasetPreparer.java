package io.jenkins.plugins.mlops.steps.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jenkins.plugins.mlops.steps.data.internal.Inputs;
import io.jenkins.plugins.mlops.steps.data.internal.Progress;
import io.jenkins.plugins.mlops.steps.data.internal.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Prepares a data set on DuckDB (embedded, columnar, out of core): reads the inputs, cleans them,
 * assigns every row to a split, writes one file per split and {@code manifest.json}.
 *
 * <p>Splits are <b>stable</b>: a row's split comes from an MD5 hash of the seed and the row's hash
 * (or its key column, or its group), not from its position, so a row keeps its split when other
 * rows are added or removed. Stratified splits rank each class's rows by that hash and cut at the
 * fractions, so class proportions hold within one row per class (rows near a cut may move when the
 * data changes). The outputs are written under a temporary name in the output directory and moved
 * into place only when all are complete; a failure leaves the output directory as it was.
 *
 * <p>Memory is bounded by DuckDB's memory limit: beyond it, DuckDB spills to the spill directory.
 * Stateless and thread-safe; each call opens its own in-memory database.
 */
public final class DatasetPreparer {

  private static final String SPLIT = "__mlops_split";
  private static final String HASH = "__mlops_u";
  private static final String ROW = "__mlops_row";

  private DatasetPreparer() {}

  /**
   * Runs {@code spec}.
   *
   * @param console progress lines ("reading", rows removed by each step, files written)
   * @throws IllegalArgumentException for input a user must fix, naming the argument and the value
   */
  public static DatasetManifest prepare(PrepareSpec spec, Path workDir, Consumer<String> console) {
    Inputs.Resolved inputs = Inputs.resolve(spec.inputs(), spec.format(), workDir);
    Path output = workDir.resolve(spec.output()).normalize();
    checkOutput(output);
    console.accept(
        "prepare: reading " + inputs.files().size() + " " + inputs.format() + " file(s)");
    Path tmp = output.resolve(".prepare-" + UUID.randomUUID());
    Path spill = spillDirectory(spec);
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement()) {
      configure(sql, spec);
      sql.execute("SET temp_directory = " + Sql.str(spill.toString()));
      Types.checkDeclared(sql, spec, reader(inputs, spec, false));
      try {
        Progress.execute(
            db,
            "CREATE TABLE src AS SELECT * FROM " + reader(inputs, spec, true),
            "reading",
            5,
            console);
      } catch (SQLException e) {
        throw Types.explain(e, spec);
      }
      Map<String, String> sourceSchema = schema(sql, "src");
      Columns columns = Columns.check(spec, sourceSchema);
      Map<String, Long> cleaning = new LinkedHashMap<>();
      long inputRows = clean(sql, spec, columns, cleaning, console);
      assign(sql, spec, columns);
      Map<String, Long> rows = counts(sql, spec);
      Map<String, DatasetManifest.ColumnStats> stats = stats(sql, columns);
      Map<String, Map<String, Long>> labels = labels(sql, spec);
      String fingerprint = fingerprint(sql, columns, rows);
      DriftReport drift = drift(sql, spec, columns, labels, fingerprint, console);
      check(spec.checks(), rows, stats, labels, drift);
      Files.createDirectories(tmp);
      Map<String, String> files = write(sql, spec, columns, tmp, rows, console);
      DatasetManifest manifest =
          new DatasetManifest(
              DatasetManifest.VERSION,
              inputs.files().stream().map(Path::toString).toList(),
              inputs.format().name(),
              columns.output(),
              inputRows,
              cleaning,
              rows,
              files,
              stats,
              labels,
              spec.label(),
              spec.seed(),
              options(spec),
              fingerprint,
              profiles(sql, columns),
              drift);
      writeManifest(manifest, tmp.resolve("manifest.json"));
      publish(tmp, output, files);
      console.accept("prepare: fingerprint " + manifest.fingerprint());
      return manifest;
    } catch (SQLException e) {
      throw new IllegalArgumentException("the data could not be prepared: " + duckMessage(e), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the prepared data to " + output, e);
    } finally {
      deleteTree(tmp);
      deleteTree(spill);
    }
  }

  private static void checkOutput(Path output) {
    try {
      Files.createDirectories(output);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "output ("
              + output
              + ") cannot be created: "
              + e.getMessage()
              + "; choose a writable directory",
          e);
    }
    if (!Files.isWritable(output)) {
      throw new IllegalArgumentException(
          "output (" + output + ") is not writable; choose a writable directory");
    }
  }

  /**
   * A directory of its own in the spill directory (or the system's temporary one), deleted
   * afterwards: the in-memory database spills its tables there beyond the memory limit.
   */
  private static Path spillDirectory(PrepareSpec spec) {
    try {
      Path parent =
          spec.spillDir() != null ? spec.spillDir() : Path.of(System.getProperty("java.io.tmpdir"));
      Files.createDirectories(parent);
      return Files.createTempDirectory(parent, "mlops-prepare-");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "spill directory ("
              + spec.spillDir()
              + ") cannot be"
              + " used: "
              + e.getMessage()
              + "; choose a writable directory",
          e);
    }
  }

  private static void configure(Statement sql, PrepareSpec spec) throws SQLException {
    sql.execute("SET preserve_insertion_order = false");
    sql.execute("SET enable_progress_bar = true");
    sql.execute("SET enable_progress_bar_print = false");
    if (spec.memoryLimit() != null) {
      sql.execute("SET memory_limit = " + Sql.str(spec.memoryLimit()));
    }
  }

  private static String reader(Inputs.Resolved inputs, PrepareSpec spec, boolean typed) {
    String files = Sql.paths(inputs.files());
    return switch (inputs.format()) {
      case PARQUET ->
          Types.cast(
              typed ? spec.types() : Map.of(), "read_parquet(" + files + ", union_by_name = true)");
      case JSON ->
          Types.cast(
              typed ? spec.types() : Map.of(),
              "read_json_auto(" + files + ", format = 'newline_delimited', union_by_name = true)");
      default -> {
        StringBuilder csv = new StringBuilder("read_csv(" + files + ", union_by_name = true");
        if (spec.delimiter() != null) {
          csv.append(", delim = ")
              .append(Sql.str(spec.delimiter().equals("\\t") ? "\t" : spec.delimiter()));
        }
        if (spec.header() != null) {
          csv.append(", header = ").append(spec.header());
        }
        List<String> nulls = new ArrayList<>(spec.nullTokens());
        if (!nulls.isEmpty()) {
          nulls.add("");
          csv.append(", nullstr = ").append(Sql.strings(nulls));
        }
        if (typed && !spec.types().isEmpty()) {
          csv.append(", types = ").append(Types.struct(spec.types()));
        }
        yield csv.append(")").toString();
      }
    };
  }

  static Map<String, String> schema(Statement sql, String relation) throws SQLException {
    Map<String, String> columns = new LinkedHashMap<>();
    try (ResultSet r = sql.executeQuery("DESCRIBE " + relation)) {
      while (r.next()) {
        columns.put(r.getString("column_name"), r.getString("column_type"));
      }
    }
    return columns;
  }

  /** Applies the cleaning steps into the table {@code cleaned}; returns the rows read. */
  private static long clean(
      Statement sql,
      PrepareSpec spec,
      Columns columns,
      Map<String, Long> cleaning,
      Consumer<String> console)
      throws SQLException {
    String projection =
        columns.output().keySet().stream().map(Sql::id).collect(Collectors.joining(", "));
    String filter = spec.filter() == null ? "TRUE" : "(" + spec.filter() + ")";
    String complete =
        columns.dropNa().isEmpty()
            ? "TRUE"
            : columns.dropNa().stream()
                .map(c -> Sql.id(c) + " IS NOT NULL")
                .collect(Collectors.joining(" AND "));
    long read;
    long filtered;
    long incomplete;
    try {
      Progress.execute(
          sql.getConnection(),
          "CREATE TABLE counted AS SELECT count(*),"
              + " count(*) FILTER (WHERE NOT coalesce("
              + filter
              + ", FALSE)), count(*) FILTER (WHERE"
              + " coalesce("
              + filter
              + ", FALSE) AND NOT ("
              + complete
              + ")) FROM src",
          "reading",
          5,
          console);
    } catch (SQLException e) {
      if (spec.filter() != null) {
        throw new IllegalArgumentException(
            "filter ("
                + spec.filter()
                + ") is not a valid SQL"
                + " condition on the columns "
                + columns.output().keySet()
                + ": "
                + duckMessage(e),
            e);
      }
      throw e;
    }
    try (ResultSet r = sql.executeQuery("SELECT * FROM counted")) {
      r.next();
      read = r.getLong(1);
      filtered = r.getLong(2);
      incomplete = r.getLong(3);
    }
    console.accept(String.format(Locale.ROOT, "prepare: %,d rows read", read));
    // Each row's hash is computed once: the split hash, its tie-break and the fingerprint use it.
    Progress.execute(
        sql.getConnection(),
        "CREATE TABLE cleaned AS SELECT *, "
            + columns.rowHash()
            + " AS "
            + ROW
            + " FROM (SELECT "
            + (spec.dedupe() ? "DISTINCT " : "")
            + projection
            + " FROM src WHERE coalesce("
            + filter
            + ", FALSE) AND "
            + complete
            + ")",
        "cleaning",
        5,
        console);
    sql.execute("DROP TABLE src");
    long kept = count(sql, "SELECT count(*) FROM cleaned");
    if (spec.filter() != null) {
      cleaning.put("filter", filtered);
    }
    if (spec.dropNa()) {
      cleaning.put("drop_na", incomplete);
    }
    if (spec.dedupe()) {
      cleaning.put("dedupe", read - filtered - incomplete - kept);
    }
    cleaning.forEach(
        (step, removed) ->
            console.accept(
                String.format(Locale.ROOT, "prepare: %s removed %,d rows", step, removed)));
    if (kept == 0) {
      throw new IllegalArgumentException(
          "no rows are left after cleaning ("
              + read
              + " read, removed: "
              + cleaning
              + "); loosen the filter or the null rule");
    }
    return read;
  }

  /** Adds the split column: the table {@code prepared}. */
  private static void assign(Statement sql, PrepareSpec spec, Columns columns) throws SQLException {
    String hashed =
        spec.key() == null && spec.groupBy() == null
            ? ROW + "::VARCHAR"
            : columns.hashExpression(spec);
    String u =
        "(md5_number_lower("
            + Sql.str(Long.toString(spec.seed()))
            + " || '|' || "
            + hashed
            + ")::DOUBLE / 18446744073709551616.0)";
    if (!spec.stratify()) {
      sql.execute(
          "CREATE TABLE prepared AS SELECT *, "
              + cut(spec.splits(), u)
              + " AS "
              + SPLIT
              + " FROM cleaned");
      return;
    }
    checkClasses(sql, spec);
    // Ranks are computed on a narrow table (row id, class, hash), then joined back by row id.
    String label = Sql.id(spec.label());
    sql.execute(
        "CREATE TABLE ranked AS SELECT rid, "
            + cutRanks(spec.splits())
            + " AS "
            + SPLIT
            + " FROM (SELECT rid, row_number() OVER (PARTITION BY c ORDER BY "
            + HASH
            + ", h) - 1"
            + " AS r, count(*) OVER (PARTITION BY c) AS n FROM (SELECT rowid AS rid, "
            + label
            + " AS c, "
            + u
            + " AS "
            + HASH
            + ", "
            + ROW
            + " AS h FROM cleaned))");
    sql.execute(
        "CREATE TABLE prepared AS SELECT cleaned.*, ranked."
            + SPLIT
            + " FROM cleaned"
            + " JOIN ranked ON cleaned.rowid = ranked.rid");
    sql.execute("DROP TABLE ranked");
  }

  private static void checkClasses(Statement sql, PrepareSpec spec) throws SQLException {
    long classes = count(sql, "SELECT count(DISTINCT " + Sql.id(spec.label()) + ") FROM cleaned");
    if (classes < 2) {
      throw new IllegalArgumentException(
          "label ("
              + spec.label()
              + ") has "
              + classes
              + " class(es) after cleaning; stratifying needs at least 2 (drop --stratify or check"
              + " the label column)");
    }
  }

  /** {@code CASE WHEN u < 0.8 THEN 'train' WHEN u < 0.9 THEN ... ELSE 'last' END}. */
  private static String cut(List<Split> splits, String u) {
    StringBuilder s = new StringBuilder("CASE");
    double cumulative = 0;
    for (int i = 0; i < splits.size() - 1; i++) {
      cumulative += splits.get(i).fraction();
      s.append(" WHEN ")
          .append(u)
          .append(" < ")
          .append(cumulative)
          .append(" THEN ")
          .append(Sql.str(splits.get(i).name()));
    }
    return s.append(" ELSE ")
        .append(Sql.str(splits.get(splits.size() - 1).name()))
        .append(" END")
        .toString();
  }

  /** Cuts each class's rank {@code r} of {@code n} at the rounded cumulative fractions. */
  private static String cutRanks(List<Split> splits) {
    StringBuilder s = new StringBuilder("CASE");
    double cumulative = 0;
    for (int i = 0; i < splits.size() - 1; i++) {
      cumulative += splits.get(i).fraction();
      s.append(" WHEN r < round(n * ")
          .append(cumulative)
          .append(") THEN ")
          .append(Sql.str(splits.get(i).name()));
    }
    return s.append(" ELSE ")
        .append(Sql.str(splits.get(splits.size() - 1).name()))
        .append(" END")
        .toString();
  }

  private static Map<String, Long> counts(Statement sql, PrepareSpec spec) throws SQLException {
    Map<String, Long> found = new LinkedHashMap<>();
    try (ResultSet r =
        sql.executeQuery("SELECT " + SPLIT + ", count(*) FROM prepared GROUP BY 1")) {
      while (r.next()) {
        found.put(r.getString(1), r.getLong(2));
      }
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    for (Split s : spec.splits()) {
      long n = found.getOrDefault(s.name(), 0L);
      if (n == 0) {
        throw new IllegalArgumentException(
            "split '"
                + s.name()
                + "' would be empty ("
                + found
                + "); give it a larger fraction or prepare more rows");
      }
      rows.put(s.name(), n);
    }
    return rows;
  }

  private static Map<String, String> write(
      Statement sql,
      PrepareSpec spec,
      Columns columns,
      Path tmp,
      Map<String, Long> rows,
      Consumer<String> console)
      throws SQLException {
    Map<String, String> files = new LinkedHashMap<>();
    String projection =
        columns.output().keySet().stream().map(Sql::id).collect(Collectors.joining(", "));
    for (Split s : spec.splits()) {
      String name = s.name() + "." + spec.outputFormat().extension();
      String format =
          spec.outputFormat() == PrepareSpec.OutputFormat.CSV
              ? "FORMAT CSV, HEADER"
              : "FORMAT PARQUET";
      sql.execute(
          "COPY (SELECT "
              + projection
              + " FROM prepared WHERE "
              + SPLIT
              + " = "
              + Sql.str(s.name())
              + ") TO "
              + Sql.str(tmp.resolve(name).toString())
              + " ("
              + format
              + ")");
      files.put(s.name(), name);
      console.accept(
          String.format(Locale.ROOT, "prepare: wrote %s (%,d rows)", name, rows.get(s.name())));
    }
    return files;
  }

  /** Statistics of every column, in one scan. */
  private static Map<String, DatasetManifest.ColumnStats> stats(Statement sql, Columns columns)
      throws SQLException {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, String> c : columns.output().entrySet()) {
      String id = Sql.id(c.getKey());
      parts.add("count(*) - count(" + id + ")");
      parts.add("min(" + id + ")::VARCHAR");
      parts.add("max(" + id + ")::VARCHAR");
      parts.add(Columns.isNumeric(c.getValue()) ? "avg(" + id + ")::DOUBLE" : "NULL::DOUBLE");
      parts.add("approx_count_distinct(" + id + ")");
    }
    Map<String, DatasetManifest.ColumnStats> stats = new LinkedHashMap<>();
    try (ResultSet r = sql.executeQuery("SELECT " + String.join(", ", parts) + " FROM prepared")) {
      r.next();
      int i = 1;
      for (String column : columns.output().keySet()) {
        long nulls = r.getLong(i);
        String min = r.getString(i + 1);
        String max = r.getString(i + 2);
        double mean = r.getDouble(i + 3);
        Double meanOrNull = r.wasNull() ? null : mean;
        stats.put(
            column, new DatasetManifest.ColumnStats(nulls, min, max, meanOrNull, r.getLong(i + 4)));
        i += 5;
      }
    }
    return stats;
  }

  private static Map<String, Map<String, Long>> labels(Statement sql, PrepareSpec spec)
      throws SQLException {
    Map<String, Map<String, Long>> distribution = new LinkedHashMap<>();
    if (spec.label() == null) {
      return distribution;
    }
    spec.splits().forEach(s -> distribution.put(s.name(), new LinkedHashMap<>()));
    try (ResultSet r =
        sql.executeQuery(
            "SELECT "
                + SPLIT
                + ", "
                + Sql.id(spec.label())
                + "::VARCHAR AS c, count(*) FROM prepared GROUP BY 1, 2 ORDER BY 1, 2 NULLS LAST")) {
      while (r.next()) {
        distribution.get(r.getString(1)).put(String.valueOf(r.getString(2)), r.getLong(3));
      }
    }
    return distribution;
  }

  /**
   * SHA-256 over the schema and, per split, its row count and the sum of the rows' hashes: the same
   * for the same rows whatever their order or the files they came from.
   */
  private static String fingerprint(Statement sql, Columns columns, Map<String, Long> rows)
      throws SQLException {
    StringBuilder text = new StringBuilder("mlops-dataset-v1\n");
    columns.output().forEach((c, t) -> text.append(c).append(':').append(t).append('\n'));
    Map<String, String> sums = new LinkedHashMap<>();
    try (ResultSet r =
        sql.executeQuery(
            "SELECT " + SPLIT + ", sum(" + ROW + "::HUGEINT)::VARCHAR FROM prepared GROUP BY 1")) {
      while (r.next()) {
        sums.put(r.getString(1), r.getString(2));
      }
    }
    rows.forEach(
        (s, n) ->
            text.append(s).append('=').append(n).append('/').append(sums.get(s)).append('\n'));
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Decile profiles of the numeric columns, from a sample of at most 200,000 rows (all rows when
   * there are fewer): enough for a population stability index, at a fixed cost.
   */
  private static Map<String, DatasetManifest.Profile> profiles(Statement sql, Columns columns)
      throws SQLException {
    String numeric =
        columns.output().entrySet().stream()
            .filter(c -> Columns.isNumeric(c.getValue()))
            .map(c -> Sql.id(c.getKey()))
            .collect(Collectors.joining(", "));
    if (numeric.isEmpty()) {
      return new LinkedHashMap<>();
    }
    sql.execute(
        "CREATE TABLE profiled AS SELECT "
            + numeric
            + " FROM prepared USING SAMPLE"
            + " reservoir(200000 ROWS) REPEATABLE (42)");
    return Drift.profiles(sql, "profiled", columns.output());
  }

  private static DriftReport drift(
      Statement sql,
      PrepareSpec spec,
      Columns columns,
      Map<String, Map<String, Long>> labels,
      String fingerprint,
      Consumer<String> console)
      throws SQLException {
    Path file = spec.checks().previousManifest();
    if (file == null) {
      return null;
    }
    DatasetManifest previous = readManifest(file);
    DriftReport drift =
        Drift.compare(
            sql, "prepared", previous, fingerprint, columns.output(), labels, spec.checks());
    if (drift.unchanged()) {
      console.accept(
          "prepare: data unchanged since " + file + " (fingerprint " + fingerprint + ")");
    } else {
      console.accept(
          "prepare: data changed since "
              + file
              + "; PSI "
              + drift.psi()
              + (drift.labelShift() == null
                  ? ""
                  : String.format(Locale.ROOT, ", label shift %.3f", drift.labelShift())));
    }
    drift.warnings().forEach(w -> console.accept("WARNING: prepare: " + w));
    return drift;
  }

  /** Reads a manifest written by an earlier preparation. */
  public static DatasetManifest readManifest(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "previous manifest ("
              + file
              + ") does not exist; give"
              + " the manifest.json of an earlier preparation, or leave it out");
    }
    try {
      return new ObjectMapper()
          .configure(
              com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
              false)
          .readValue(file.toFile(), DatasetManifest.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "previous manifest (" + file + ") cannot be read: " + e.getMessage(), e);
    }
  }

  private static void check(
      DataChecks checks,
      Map<String, Long> rows,
      Map<String, DatasetManifest.ColumnStats> stats,
      Map<String, Map<String, Long>> labels,
      DriftReport drift) {
    List<String> problems = new ArrayList<>();
    long total = rows.values().stream().mapToLong(Long::longValue).sum();
    if (total < checks.minRows()) {
      problems.add(
          String.format(
              Locale.ROOT,
              "%,d rows were prepared; at least %,d are required",
              total,
              checks.minRows()));
    }
    stats.forEach(
        (column, s) -> {
          double fraction = s.nulls() / (double) total;
          if (fraction > checks.maxNullFraction()) {
            problems.add(
                String.format(
                    Locale.ROOT,
                    "column '%s' is %.1f%% null; at most %.1f%% is" + " allowed",
                    column,
                    fraction * 100,
                    checks.maxNullFraction() * 100));
          }
        });
    if (!checks.expectedClasses().isEmpty()) {
      java.util.Set<String> found = Drift.totals(labels).keySet();
      List<String> missing =
          checks.expectedClasses().stream().filter(c -> !found.contains(c)).toList();
      List<String> unexpected =
          found.stream().filter(c -> !checks.expectedClasses().contains(c)).toList();
      if (!missing.isEmpty() || !unexpected.isEmpty()) {
        problems.add(
            "the label classes are "
                + found
                + "; expected "
                + checks.expectedClasses()
                + (missing.isEmpty() ? "" : ", missing " + missing)
                + (unexpected.isEmpty() ? "" : ", unexpected " + unexpected));
      }
    }
    if (drift != null) {
      problems.addAll(drift.failures());
    }
    if (!problems.isEmpty()) {
      throw new DataCheckException(problems, drift);
    }
  }

  private static Map<String, String> options(PrepareSpec spec) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put(
        "splits",
        spec.splits().stream()
            .map(s -> s.name() + "=" + s.fraction())
            .collect(Collectors.joining(",")));
    o.put(
        "method",
        spec.stratify()
            ? "stratified"
            : spec.groupBy() != null ? "group" : spec.key() != null ? "key" : "row-hash");
    if (spec.groupBy() != null) {
      o.put("group_by", spec.groupBy());
    }
    if (spec.key() != null) {
      o.put("key", spec.key());
    }
    o.put(
        "drop_na",
        spec.dropNa()
            ? (spec.dropNaColumns().isEmpty()
                ? "all columns"
                : String.join(",", spec.dropNaColumns()))
            : "no");
    o.put("dedupe", Boolean.toString(spec.dedupe()));
    if (spec.filter() != null) {
      o.put("filter", spec.filter());
    }
    o.put("output_format", spec.outputFormat().extension());
    return o;
  }

  private static void writeManifest(DatasetManifest manifest, Path file) throws IOException {
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(file.toFile(), manifest);
  }

  /** Moves the finished files from {@code tmp} into {@code output}: the manifest last. */
  private static void publish(Path tmp, Path output, Map<String, String> files) throws IOException {
    for (String name : files.values()) {
      Files.move(
          tmp.resolve(name),
          output.resolve(name),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(
        tmp.resolve("manifest.json"),
        output.resolve("manifest.json"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  private static long count(Statement sql, String query) throws SQLException {
    try (ResultSet r = sql.executeQuery(query)) {
      r.next();
      return r.getLong(1);
    }
  }

  static String duckMessage(SQLException e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    return m.replace('\n', ' ').replaceAll("\\s+", " ").strip();
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Best effort: a leftover hidden temporary directory is harmless.
    }
  }
}
