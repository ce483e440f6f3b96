package io.jenkins.plugins.mlops.steps.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jenkins.plugins.mlops.steps.data.internal.CsvProblems;
import io.jenkins.plugins.mlops.steps.data.internal.Inputs;
import io.jenkins.plugins.mlops.steps.data.internal.Progress;
import io.jenkins.plugins.mlops.steps.data.internal.Publication;
import io.jenkins.plugins.mlops.steps.data.internal.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
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
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Prepares a data set on DuckDB (embedded, columnar, out of core): reads the inputs, cleans them,
 * assigns every row to a split, writes one file per split and {@code manifest.json}.
 *
 * <p>The inputs are read once, into one table that holds the kept columns and, per row, its hash,
 * its split hash and why it is dropped; everything after that (duplicates, splits, statistics, the
 * fingerprint, the files) reads that table through views, without further copies.
 *
 * <p>Splits are <b>stable</b>: a row's split comes from a hash of the seed and the row (or its key
 * column, or its group), not from its position, so a row keeps its split when other rows are added
 * or removed. Stratified splits order each class's rows by that hash and cut at the fractions, so
 * class proportions hold within one row per class (rows near a cut may move when the data changes).
 * Time splits order the rows by the time column (the hash breaks ties) and cut at the fractions, or
 * at given cut-offs. The outputs are written under a temporary name in the output directory and
 * moved into place only when all are complete; a failure leaves the output directory as it was.
 *
 * <p>Memory is bounded by DuckDB's memory limit: beyond it, DuckDB spills to the spill directory.
 * Stateless and thread-safe; each call opens its own in-memory database.
 */
public final class DatasetPreparer {

  private static final String SPLIT = "__mlops_split";
  private static final String HASH = "__mlops_u";
  private static final String ROW = "__mlops_row";
  private static final String RID = "__mlops_rid";
  private static final String DROP = "__mlops_drop";

  private DatasetPreparer() {}

  /**
   * Runs {@code spec}.
   *
   * @param console progress lines ("reading", rows removed by each step, files written)
   * @throws IllegalArgumentException for input a user must fix, naming the argument and the value
   */
  public static DatasetManifest prepare(PrepareSpec spec, Path workDir, Consumer<String> console) {
    long start = System.nanoTime();
    Inputs.Resolved inputs = Inputs.resolve(spec.inputs(), spec.format(), workDir);
    if (inputs.format() == PrepareSpec.InputFormat.CSV) {
      CsvProblems.precheck(inputs.files());
    }
    Path output = workDir.resolve(spec.output()).normalize();
    Publication publication = Publication.start(output, spec.force(), "output");
    Path tmp = publication.stage();
    console.accept(
        "prepare: reading " + inputs.files().size() + " " + inputs.format() + " file(s)");
    Path spill;
    try {
      spill = spillDirectory(spec);
    } catch (RuntimeException e) {
      publication.abandon();
      throw e;
    }
    boolean published = false;
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement()) {
      configure(sql, spec);
      sql.execute("SET temp_directory = " + Sql.str(spill.toString()));
      Types.checkDeclared(sql, spec, reader(inputs, spec, false));
      String reader = reader(inputs, spec, true);
      Map<String, String> sourceSchema;
      try {
        sourceSchema = schema(sql, "SELECT * FROM " + reader);
      } catch (SQLException e) {
        throw explain(e, spec, inputs);
      }
      if (inputs.format() == PrepareSpec.InputFormat.CSV
          && CsvProblems.looksUnsplit(List.copyOf(sourceSchema.keySet()))) {
        throw new IllegalArgumentException(
            CsvProblems.diagnose(inputs.files(), spec.delimiter())
                .orElse(
                    "the input's lines could not be split into columns (one column was found:"
                        + " "
                        + sourceSchema.keySet().iterator().next()
                        + "); give the delimiter (--delimiter)"));
      }
      Columns columns = Columns.check(spec, sourceSchema);
      checkFilter(sql, spec, sourceSchema, reader);
      Map<String, Long> cleaning = new LinkedHashMap<>();
      long inputRows = read(db, sql, spec, inputs, columns, reader, cleaning, console);
      if (inputs.format() == PrepareSpec.InputFormat.CSV) {
        checkText(sql, spec, inputs, columns);
      }
      Map<String, String> timeStarts = assign(sql, spec, columns);
      Tally tally = tally(sql, spec);
      Map<String, Long> rows = tally.rows();
      Map<String, Map<String, Long>> labels = tally.labels();
      Map<String, DatasetManifest.ColumnStats> stats = stats(sql, columns);
      String fingerprint = fingerprint(columns, rows, tally.sums());
      DriftReport drift = drift(sql, spec, columns, labels, fingerprint, console);
      check(spec.checks(), rows, stats, labels, drift, console);
      Files.createDirectories(tmp);
      Map<String, String> files = write(db, spec, columns, tmp, rows, console);
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
              options(spec, timeStarts),
              fingerprint,
              profiles(sql, columns, rows.values().stream().mapToLong(Long::longValue).sum()),
              drift,
              splitFingerprints(columns, rows, tally.sums()),
              fileDigests(tmp, files),
              spec.name() != null && !spec.name().isBlank()
                  ? spec.name()
                  : String.valueOf(output.getFileName()));
      writeManifest(manifest, tmp.resolve("manifest.json"));
      String change = change(output.resolve("manifest.json"), manifest);
      publication.publish(List.copyOf(files.values()));
      published = true;
      console.accept("prepare: " + change);
      console.accept(
          "prepare: fingerprint "
              + manifest.fingerprint()
              + " (done in "
              + seconds(System.nanoTime() - start)
              + ")");
      return manifest;
    } catch (SQLException e) {
      throw new IllegalArgumentException(
          "the data could not be prepared: " + CsvProblems.shorten(duckMessage(e)), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the prepared data to " + output, e);
    } finally {
      if (!published) {
        publication.abandon();
      }
      Publication.deleteTree(spill);
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
        if (spec.nullPadding()) {
          csv.append(", null_padding = true");
        }
        if (spec.ignoreErrors()) {
          csv.append(", ignore_errors = true");
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

  /**
   * Reads the inputs once into the table {@code src}: the kept columns, each row's hash, its split
   * hash and why it is dropped (0 kept, 1 filtered out, 2 incomplete); then the view {@code
   * cleaned} over the kept rows, duplicates removed. Returns the rows read.
   */
  private static long read(
      Connection db,
      Statement sql,
      PrepareSpec spec,
      Inputs.Resolved inputs,
      Columns columns,
      String reader,
      Map<String, Long> cleaning,
      Consumer<String> console)
      throws SQLException {
    long start = System.nanoTime();
    String projection = projection(columns);
    String filter = spec.filter() == null ? "TRUE" : "coalesce((" + spec.filter() + "), FALSE)";
    String complete =
        columns.dropNa().isEmpty()
            ? "TRUE"
            : columns.dropNa().stream()
                .map(c -> Sql.id(c) + " IS NOT NULL")
                .collect(Collectors.joining(" AND "));
    try {
      Progress.execute(
          db,
          "CREATE TABLE src AS SELECT "
              + projection
              + ", "
              + ROW
              + ", "
              + splitHash(spec, columns)
              + " AS "
              + HASH
              + ", (CASE WHEN NOT "
              + filter
              + " THEN 1 WHEN NOT ("
              + complete
              + ") THEN 2 ELSE 0 END)::UTINYINT AS "
              + DROP
              + " FROM (SELECT *, "
              + columns.rowHash()
              + " AS "
              + ROW
              + " FROM "
              + reader
              + ")",
          "reading",
          5,
          console);
    } catch (SQLException e) {
      throw explain(e, spec, inputs);
    }
    long read;
    long filtered;
    long incomplete;
    try (ResultSet r =
        sql.executeQuery(
            "SELECT count(*), count(*) FILTER ("
                + DROP
                + " = 1), count(*) FILTER ("
                + DROP
                + " = 2) FROM src")) {
      r.next();
      read = r.getLong(1);
      filtered = r.getLong(2);
      incomplete = r.getLong(3);
    }
    console.accept(
        String.format(
            Locale.ROOT, "prepare: %,d rows read in %s", read, seconds(System.nanoTime() - start)));
    if (read == 0) {
      throw new IllegalArgumentException(
          "input ("
              + inputs.files().stream().map(Path::toString).collect(Collectors.joining(", "))
              + ") has no rows"
              + (inputs.format() == PrepareSpec.InputFormat.CSV
                  ? ", only a header (" + String.join(", ", columns.output().keySet()) + ")"
                  : ""));
    }
    if (spec.ignoreErrors()) {
      long ignored = ignoredLines(spec, inputs, read, console);
      cleaning.put("ignore_errors", ignored);
    }
    long duplicates = 0;
    String withoutDuplicates = "";
    if (spec.dedupe()) {
      // Only rows whose hash occurs twice can be duplicates: they alone are compared in full, and
      // all but the first of each identical set are dropped.
      sql.execute(
          "CREATE TABLE repeated AS SELECT "
              + ROW
              + " FROM src WHERE "
              + DROP
              + " = 0 GROUP BY "
              + ROW
              + " HAVING count(*) > 1");
      sql.execute(
          "CREATE TABLE duplicates AS SELECT rid FROM (SELECT src.rowid AS rid, row_number() OVER"
              + " (PARTITION BY "
              + projection
              + " ORDER BY src.rowid) AS k FROM src SEMI JOIN repeated USING ("
              + ROW
              + ") WHERE "
              + DROP
              + " = 0) WHERE k > 1");
      duplicates = count(sql, "SELECT count(*) FROM duplicates");
      withoutDuplicates = " ANTI JOIN duplicates ON src.rowid = duplicates.rid";
    }
    sql.execute(
        "CREATE VIEW cleaned AS SELECT src.rowid AS "
            + RID
            + ", "
            + projection
            + ", "
            + ROW
            + ", "
            + HASH
            + " FROM src"
            + withoutDuplicates
            + " WHERE "
            + DROP
            + " = 0");
    if (spec.filter() != null) {
      cleaning.put("filter", filtered);
    }
    if (spec.dropNa()) {
      cleaning.put("drop_na", incomplete);
    }
    if (spec.dedupe()) {
      cleaning.put("dedupe", duplicates);
    }
    cleaning.forEach(
        (step, removed) ->
            console.accept(
                String.format(Locale.ROOT, "prepare: %s removed %,d rows", step, removed)));
    long kept = read - filtered - incomplete - duplicates;
    if (kept == 0) {
      List<String> loosen = new ArrayList<>();
      if (filtered > 0) {
        loosen.add("the filter (" + spec.filter() + ")");
      }
      if (incomplete > 0) {
        loosen.add(
            "the null rule (--drop-na"
                + (columns.dropNa().size() < columns.output().size()
                    ? "-column " + String.join(", ", spec.dropNaColumns())
                    : "")
                + ")");
      }
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "no rows are left after cleaning (%,d read, removed: %s)%s",
              read,
              cleaning,
              loosen.isEmpty() ? "" : "; loosen " + String.join(" or ", loosen)));
    }
    return read;
  }

  /**
   * The split hash, an unsigned 64-bit number: DuckDB's hash of the seed and the row's hash, or the
   * lower half of an MD5 of the seed and the key's (or group's) text, which stays the same whatever
   * the column's inferred type and the DuckDB version.
   */
  private static String splitHash(PrepareSpec spec, Columns columns) {
    if (spec.key() == null && spec.groupBy() == null) {
      return "hash(" + spec.seed() + "::BIGINT, " + ROW + ")";
    }
    return "md5_number_lower("
        + Sql.str(Long.toString(spec.seed()))
        + " || '|' || "
        + columns.hashExpression(spec)
        + ")";
  }

  /** A filter that does not bind (unknown column, syntax) is named before anything is read. */
  private static void checkFilter(
      Statement sql, PrepareSpec spec, Map<String, String> source, String reader) {
    if (spec.filter() == null) {
      return;
    }
    try (ResultSet r =
        sql.executeQuery(
            "SELECT count(*) FROM (SELECT * FROM " + reader + " LIMIT 0) WHERE " + spec.filter())) {
      r.next();
    } catch (SQLException e) {
      throw new IllegalArgumentException(
          "filter ("
              + spec.filter()
              + ") is not a valid SQL condition on the columns "
              + source.keySet()
              + ": "
              + duckMessage(e),
          e);
    }
  }

  /**
   * Adds the split column: the view {@code prepared}. Returns the cut-offs a time split found
   * (split name to the time its rows start at), empty otherwise.
   */
  private static Map<String, String> assign(Statement sql, PrepareSpec spec, Columns columns)
      throws SQLException {
    List<Split> splits = spec.splits();
    if (spec.timeColumn() != null) {
      String time = Sql.id(spec.timeColumn());
      long missing = count(sql, "SELECT count(*) FROM cleaned WHERE " + time + " IS NULL");
      if (missing > 0) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "time column (%s) is null in %,d rows, which no split can take; drop them"
                    + " (--drop-na-column %s) or fill them",
                spec.timeColumn(),
                missing,
                spec.timeColumn()));
      }
      if (!spec.cutoffs().isEmpty()) {
        assignByCutoffs(sql, spec, columns.output().get(spec.timeColumn()));
        return new LinkedHashMap<>();
      }
      buckets(sql, "0", time);
      return exactCut(sql, splits, "0", time);
    }
    if (spec.stratify()) {
      String bucket = "(" + HASH + " >> 52)::INTEGER";
      buckets(sql, Sql.id(spec.label()), bucket);
      checkClasses(sql, spec);
      exactCut(sql, splits, Sql.id(spec.label()), bucket);
      return new LinkedHashMap<>();
    }
    StringBuilder cut = new StringBuilder("CASE");
    BigDecimal cumulative = BigDecimal.ZERO;
    for (int i = 0; i < splits.size() - 1; i++) {
      cumulative = cumulative.add(BigDecimal.valueOf(splits.get(i).fraction()));
      BigInteger threshold = cumulative.multiply(TWO_TO_64).toBigInteger().min(MAX_HASH);
      cut.append(" WHEN ")
          .append(HASH)
          .append(" < ")
          .append(threshold)
          .append("::UBIGINT THEN ")
          .append(Sql.str(splits.get(i).name()));
    }
    cut.append(" ELSE ").append(Sql.str(splits.get(splits.size() - 1).name())).append(" END");
    String assigned = splits.size() == 1 ? Sql.str(splits.get(0).name()) : cut.toString();
    sql.execute("CREATE VIEW prepared AS SELECT *, " + assigned + " AS " + SPLIT + " FROM cleaned");
    return new LinkedHashMap<>();
  }

  private static final BigDecimal TWO_TO_64 = new BigDecimal(BigInteger.ONE.shiftLeft(64));
  private static final BigInteger MAX_HASH = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /**
   * Cuts each partition's rows (counted by {@link #buckets}), in the order of {@code bucket} and
   * then (split hash, row hash, row id), at the rounded cumulative fractions, so that every split
   * gets its share within one row. Without sorting the rows: a count per (partition, bucket) finds
   * the bucket each cut falls in, and only the rows of those few buckets are ranked.
   *
   * @return for a time split, the first bucket (time) of every split after the first
   */
  private static Map<String, String> exactCut(
      Statement sql, List<Split> splits, String partition, String bucket) throws SQLException {
    List<String> bounds = new ArrayList<>();
    double cumulative = 0;
    for (int i = 0; i < splits.size() - 1; i++) {
      cumulative += splits.get(i).fraction();
      String k = "round(total * " + cumulative + ")::BIGINT";
      bounds.add("min(b) FILTER (cum > " + k + ") AS b" + i);
      bounds.add("arg_min(" + k + " - (cum - n), b) FILTER (cum > " + k + ") AS o" + i);
    }
    sql.execute(
        "CREATE TABLE cuts AS SELECT p, "
            + String.join(", ", bounds)
            + " FROM (SELECT p, b, n, sum(n) OVER (PARTITION BY p ORDER BY b) AS cum,"
            + " sum(n) OVER (PARTITION BY p) AS total FROM buckets) GROUP BY p");
    sql.execute(
        "CREATE TABLE edges AS "
            + java.util.stream.IntStream.range(0, splits.size() - 1)
                .mapToObj(i -> "SELECT p, b" + i + " AS b FROM cuts WHERE b" + i + " IS NOT NULL")
                .collect(Collectors.joining(" UNION ")));
    sql.execute(
        "CREATE TABLE edge AS SELECT rid, row_number() OVER (PARTITION BY p, b ORDER BY "
            + HASH
            + ", "
            + ROW
            + ", rid) - 1 AS r FROM (SELECT "
            + RID
            + " AS rid, "
            + partition
            + " AS p, "
            + bucket
            + " AS b, "
            + HASH
            + ", "
            + ROW
            + " FROM cleaned) x SEMI JOIN edges ON x.p IS NOT DISTINCT FROM edges.p AND x.b ="
            + " edges.b");
    StringBuilder cut = new StringBuilder("CASE");
    for (int i = 0; i < splits.size() - 1; i++) {
      cut.append(
              String.format(
                  Locale.ROOT,
                  " WHEN cuts.b%1$d IS NULL OR c.__mlops_b < cuts.b%1$d OR (c.__mlops_b ="
                      + " cuts.b%1$d AND edge.r < cuts.o%1$d) THEN ",
                  i))
          .append(Sql.str(splits.get(i).name()));
    }
    cut.append(" ELSE ").append(Sql.str(splits.get(splits.size() - 1).name())).append(" END");
    sql.execute(
        "CREATE VIEW prepared AS SELECT c.*, "
            + cut
            + " AS "
            + SPLIT
            + " FROM (SELECT *, "
            + partition
            + " AS __mlops_p, "
            + bucket
            + " AS __mlops_b FROM cleaned) c JOIN cuts ON c.__mlops_p IS NOT DISTINCT FROM cuts.p"
            + " LEFT JOIN edge ON c."
            + RID
            + " = edge.rid");
    Map<String, String> starts = new LinkedHashMap<>();
    try (ResultSet r =
        sql.executeQuery(
            "SELECT "
                + java.util.stream.IntStream.range(0, splits.size() - 1)
                    .mapToObj(i -> "min(b" + i + ")::VARCHAR")
                    .collect(Collectors.joining(", "))
                + " FROM cuts")) {
      r.next();
      for (int i = 0; i < splits.size() - 1; i++) {
        starts.put(splits.get(i + 1).name(), r.getString(i + 1));
      }
    }
    return starts;
  }

  /** The table {@code buckets}: rows per (partition, bucket), for {@link #exactCut}. */
  private static void buckets(Statement sql, String partition, String bucket) throws SQLException {
    sql.execute(
        "CREATE TABLE buckets AS SELECT "
            + partition
            + " AS p, "
            + bucket
            + " AS b, count(*) AS n FROM cleaned GROUP BY ALL");
  }

  /** {@code CASE WHEN time < cutoff1 THEN first ... ELSE last END}, the cut-offs checked first. */
  private static void assignByCutoffs(Statement sql, PrepareSpec spec, String type)
      throws SQLException {
    List<String> cutoffs = spec.cutoffs();
    String previous = null;
    for (String cutoff : cutoffs) {
      String value = "TRY_CAST(" + Sql.str(cutoff.strip()) + " AS " + type + ")";
      try (ResultSet r =
          sql.executeQuery(
              "SELECT "
                  + value
                  + " IS NOT NULL, "
                  + (previous == null ? "TRUE" : previous + " < " + value))) {
        r.next();
        if (!r.getBoolean(1)) {
          throw new IllegalArgumentException(
              "cutoff ("
                  + cutoff
                  + ") is not a value of the time column '"
                  + spec.timeColumn()
                  + "' ("
                  + type
                  + "); give values like its own, e.g. 2024-07-01 for a DATE");
        }
        if (!r.getBoolean(2)) {
          throw new IllegalArgumentException(
              "cutoffs " + cutoffs + " must increase: each one starts a later split");
        }
      }
      previous = value;
    }
    StringBuilder cut = new StringBuilder("CASE");
    for (int i = 0; i < cutoffs.size(); i++) {
      cut.append(" WHEN ")
          .append(Sql.id(spec.timeColumn()))
          .append(" < CAST(")
          .append(Sql.str(cutoffs.get(i).strip()))
          .append(" AS ")
          .append(type)
          .append(") THEN ")
          .append(Sql.str(spec.splits().get(i).name()));
    }
    cut.append(" ELSE ")
        .append(Sql.str(spec.splits().get(spec.splits().size() - 1).name()))
        .append(" END");
    sql.execute("CREATE VIEW prepared AS SELECT *, " + cut + " AS " + SPLIT + " FROM cleaned");
  }

  private static void checkClasses(Statement sql, PrepareSpec spec) throws SQLException {
    long classes = count(sql, "SELECT count(DISTINCT p) FROM buckets");
    long rows = count(sql, "SELECT sum(n) FROM buckets");
    long single =
        count(sql, "SELECT count(*) FROM (SELECT p FROM buckets GROUP BY p HAVING sum(n) = 1)");
    if (classes > 20 && single * 2 > classes) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "label (%s) has %,d distinct values in %,d rows (%,d of them on one row only), so it"
                  + " is not a class label: stratifying keeps each class's share in every split,"
                  + " which needs classes of several rows; drop --stratify (a numeric target"
                  + " splits well by hash) or bin the label first",
              spec.label(),
              classes,
              rows,
              single));
    }
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

  /**
   * One scan of the prepared rows: per split its row count, its label distribution and the sum of
   * its rows' hashes (for the fingerprint). An empty split fails here.
   */
  private record Tally(
      Map<String, Long> rows, Map<String, Map<String, Long>> labels, Map<String, String> sums) {}

  private static Tally tally(Statement sql, PrepareSpec spec) throws SQLException {
    Map<String, Long> found = new LinkedHashMap<>();
    Map<String, BigInteger> sums = new LinkedHashMap<>();
    Map<String, Map<String, Long>> labels = new LinkedHashMap<>();
    if (spec.label() != null) {
      spec.splits().forEach(s -> labels.put(s.name(), new LinkedHashMap<>()));
    }
    String label = spec.label() == null ? "NULL" : Sql.id(spec.label()) + "::VARCHAR";
    try (ResultSet r =
        sql.executeQuery(
            "SELECT "
                + SPLIT
                + ", "
                + label
                + " AS c, count(*), sum("
                + ROW
                + "::HUGEINT)::VARCHAR FROM prepared GROUP BY 1, 2 ORDER BY 1, 2 NULLS LAST")) {
      while (r.next()) {
        String split = r.getString(1);
        long n = r.getLong(3);
        found.merge(split, n, Long::sum);
        sums.merge(split, new BigInteger(r.getString(4)), BigInteger::add);
        if (spec.label() != null) {
          labels.get(split).put(String.valueOf(r.getString(2)), n);
        }
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
                + "); give it a larger fraction (or another cut-off) or prepare more rows");
      }
      rows.put(s.name(), n);
    }
    Map<String, String> sumText = new LinkedHashMap<>();
    sums.forEach((k, v) -> sumText.put(k, v.toString()));
    return new Tally(rows, labels, sumText);
  }

  /**
   * Writes every split in one scan ({@code PARTITION_BY} the split) into {@code tmp/parts}, then
   * moves each split's file to {@code tmp/<split>.<format>}.
   */
  private static Map<String, String> write(
      Connection db,
      PrepareSpec spec,
      Columns columns,
      Path tmp,
      Map<String, Long> rows,
      Consumer<String> console)
      throws SQLException, IOException {
    long start = System.nanoTime();
    Path parts = tmp.resolve("parts");
    String format =
        spec.outputFormat() == PrepareSpec.OutputFormat.CSV
            ? "FORMAT CSV, HEADER"
            : "FORMAT PARQUET";
    Progress.execute(
        db,
        "COPY (SELECT "
            + projection(columns)
            + ", "
            + SPLIT
            + " FROM prepared) TO "
            + Sql.str(parts.toString())
            + " ("
            + format
            + ", PARTITION_BY ("
            + SPLIT
            + "))",
        "writing",
        5,
        console);
    Map<String, String> files = new LinkedHashMap<>();
    for (Split s : spec.splits()) {
      String name = s.name() + "." + spec.outputFormat().extension();
      List<Path> written;
      try (Stream<Path> list = Files.list(parts.resolve(SPLIT + "=" + s.name()))) {
        written = list.toList();
      }
      if (written.size() != 1) {
        throw new IllegalStateException(
            "DuckDB wrote " + written + " for split " + s.name() + "; expected one file");
      }
      Files.move(written.get(0), tmp.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      files.put(s.name(), name);
      console.accept(
          String.format(
              Locale.ROOT,
              "prepare: wrote %s (%,d rows; all splits in %s)",
              name,
              rows.get(s.name()),
              seconds(System.nanoTime() - start)));
    }
    Publication.deleteTree(parts);
    return files;
  }

  private static String projection(Columns columns) {
    return columns.output().keySet().stream().map(Sql::id).collect(Collectors.joining(", "));
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
    try (ResultSet r = sql.executeQuery("SELECT " + String.join(", ", parts) + " FROM cleaned")) {
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

  /**
   * SHA-256 over the schema and, per split, its row count and the sum of the rows' hashes: the same
   * for the same rows whatever their order or the files they came from.
   */
  private static String fingerprint(
      Columns columns, Map<String, Long> rows, Map<String, String> sums) {
    StringBuilder text = new StringBuilder("mlops-dataset-v1\n");
    columns.output().forEach((c, t) -> text.append(c).append(':').append(t).append('\n'));
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

  /** Each split's own fingerprint: {@link #fingerprint} of that split alone. */
  private static Map<String, String> splitFingerprints(
      Columns columns, Map<String, Long> rows, Map<String, String> sums) {
    Map<String, String> each = new LinkedHashMap<>();
    rows.forEach((split, n) -> each.put(split, fingerprint(columns, Map.of(split, n), sums)));
    return each;
  }

  /** SHA-256 of each written file, by file name. */
  private static Map<String, String> fileDigests(Path dir, Map<String, String> files)
      throws IOException {
    Map<String, String> digests = new LinkedHashMap<>();
    for (String name : files.values()) {
      digests.put(name, FileDigest.sha256(dir.resolve(name)));
    }
    return digests;
  }

  /**
   * Decile profiles of the numeric columns, from a sample of about 200,000 rows (all rows when
   * there are fewer): enough for a population stability index, at a fixed cost. The sample is the
   * rows whose split hash is below a threshold, so it is the same for the same rows in any order.
   */
  private static Map<String, DatasetManifest.Profile> profiles(
      Statement sql, Columns columns, long rows) throws SQLException {
    String numeric =
        columns.output().entrySet().stream()
            .filter(c -> Columns.isNumeric(c.getValue()))
            .map(c -> Sql.id(c.getKey()))
            .collect(Collectors.joining(", "));
    if (numeric.isEmpty()) {
      return new LinkedHashMap<>();
    }
    BigInteger below =
        rows <= PROFILE_SAMPLE
            ? TWO_TO_64.toBigInteger()
            : TWO_TO_64
                .multiply(BigDecimal.valueOf(PROFILE_SAMPLE))
                .divide(BigDecimal.valueOf(rows), java.math.RoundingMode.FLOOR)
                .toBigInteger();
    sql.execute(
        "CREATE TABLE profiled AS SELECT "
            + numeric
            + " FROM cleaned WHERE "
            + HASH
            + "::HUGEINT < "
            + below);
    return Drift.profiles(sql, "profiled", columns.output());
  }

  private static final long PROFILE_SAMPLE = 200_000;

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
            sql, "cleaned", previous, fingerprint, columns.output(), labels, spec.checks());
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

  /** How {@code current} compares with the manifest it replaces ({@link DataChange}). */
  private static String change(Path previousFile, DatasetManifest current) {
    if (!Files.isRegularFile(previousFile)) {
      return DataChange.describe(null, current, previousFile);
    }
    try {
      return DataChange.describe(readManifest(previousFile), current, previousFile);
    } catch (RuntimeException unreadable) {
      return "changed against manifest " + previousFile + ": it cannot be read";
    }
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
      DriftReport drift,
      Consumer<String> console) {
    List<String> problems = new ArrayList<>();
    if (!labels.isEmpty()) {
      problems.addAll(
          ClassCoverage.check(checks, labels, w -> console.accept("prepare: warning: " + w)));
    }
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

  private static Map<String, String> options(PrepareSpec spec, Map<String, String> timeStarts) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put(
        "splits",
        spec.splits().stream()
            .map(s -> s.name() + "=" + s.fraction())
            .collect(Collectors.joining(",")));
    o.put(
        "method",
        spec.timeColumn() != null
            ? "time"
            : spec.stratify()
                ? "stratified"
                : spec.groupBy() != null ? "group" : spec.key() != null ? "key" : "row-hash");
    if (spec.timeColumn() != null) {
      o.put("time_column", spec.timeColumn());
      o.put(
          "cutoffs",
          spec.cutoffs().isEmpty()
              ? timeStarts.entrySet().stream()
                  .map(e -> e.getKey() + ">=" + e.getValue())
                  .collect(Collectors.joining(","))
              : String.join(",", spec.cutoffs()));
    }
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

  /**
   * A reading error in words: a value that does not fit its type (file, line, column), else what a
   * look at the CSV files finds (file, line, what is wrong, the option that helps), else DuckDB's
   * message shortened.
   */
  private static RuntimeException explain(
      SQLException e, PrepareSpec spec, Inputs.Resolved inputs) {
    RuntimeException typed = Types.explain(e, spec);
    if (typed.getMessage().startsWith("input (")
        || inputs.format() != PrepareSpec.InputFormat.CSV) {
      return typed;
    }
    return new IllegalArgumentException(
        CsvProblems.diagnose(inputs.files(), spec.delimiter())
            .orElse("the input could not be read: " + CsvProblems.shorten(e.getMessage())),
        e);
  }

  /** Text columns may not hold NUL bytes, which make a number column text without a word. */
  private static void checkText(
      Statement sql, PrepareSpec spec, Inputs.Resolved inputs, Columns columns)
      throws SQLException {
    List<String> text =
        columns.output().entrySet().stream()
            .filter(c -> c.getValue().equals("VARCHAR"))
            .map(Map.Entry::getKey)
            .toList();
    if (text.isEmpty()) {
      return;
    }
    String any =
        text.stream()
            .map(c -> "contains(" + Sql.id(c) + ", chr(0))")
            .collect(Collectors.joining(" OR "));
    if (count(sql, "SELECT count(*) FROM src WHERE " + any) > 0) {
      throw new IllegalArgumentException(
          CsvProblems.diagnose(inputs.files(), spec.delimiter())
              .orElse("a text column holds NUL bytes (0x00), which are not text; remove them"));
    }
  }

  /** How many lines {@code ignore_errors} skipped, with a warning naming the first. */
  private static long ignoredLines(
      PrepareSpec spec, Inputs.Resolved inputs, long read, Consumer<String> console) {
    CsvProblems.Survey survey = CsvProblems.survey(inputs.files(), spec.delimiter());
    long ignored = Math.max(0, survey.records() - read);
    if (ignored > 0) {
      console.accept(
          String.format(
              Locale.ROOT,
              "prepare: warning: --ignore-errors skipped %,d line(s) that could not be read%s",
              ignored,
              survey.firstProblem() == null ? "" : "; the first: " + survey.firstProblem()));
    }
    return ignored;
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
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
}
