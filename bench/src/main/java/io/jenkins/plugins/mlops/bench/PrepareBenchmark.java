package io.jenkins.plugins.mlops.bench;

import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The same preparation two ways on one generated CSV (default 10,000,000 rows: mixed numeric and
 * categorical columns, 2 % nulls, 1 % duplicates): {@code mlops prepare} (DuckDB) and the article's
 * pandas + scikit-learn recipe ({@code read_csv}, {@code dropna}, {@code drop_duplicates}, {@code
 * train_test_split(stratify=…)}, {@code to_parquet}). Each runs as its own process under {@code
 * /usr/bin/time}; prints wall time, peak RSS and the ratios.
 *
 * <p>Usage: {@code bench/prepare/run [ROWS]}.
 */
public final class PrepareBenchmark {

  /** DuckDB's memory limit for the second run of ours: about a fifth of pandas' peak. */
  private static final String LIMIT = "500MB";

  private PrepareBenchmark() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    Path jar = Path.of(args.length > 1 ? args[1] : "pipeline-steps/target/mlops.jar");
    Path work = Files.createTempDirectory("prepare-bench");
    Path csv = work.resolve("data.csv");
    generate(csv, rows);
    System.out.printf(Locale.ROOT, "data: %,d rows, %,.0f MB%n", rows, Files.size(csv) / 1e6);

    List<String> command =
        List.of(
            "java",
            "-jar",
            jar.toAbsolutePath().toString(),
            "prepare",
            "--input",
            csv.toString(),
            "--label",
            "label",
            "--split",
            "train=0.8,test=0.2",
            "--seed",
            "42",
            "--stratify",
            "--drop-na",
            "--dedupe",
            "--spill-dir",
            work.resolve("spill").toString());
    List<String> defaults = new ArrayList<>(command);
    defaults.addAll(List.of("--output", work.resolve("ours").toString()));
    double[] ours = timed(defaults, work);
    List<String> limited = new ArrayList<>(command);
    limited.addAll(
        List.of("--output", work.resolve("ours-limited").toString(), "--memory-limit", LIMIT));
    double[] oursLimited = timed(limited, work);
    PythonEnvironment python = PythonEnvironment.shared();
    List<String> theirsCommand =
        new ArrayList<>(
            List.of(
                python.python().toString(),
                PythonScripts.extract("python_prepare_bench.py").toString(),
                csv.toString(),
                "label",
                work.resolve("pandas").toString()));
    double[] theirs = timed(theirsCommand, work);

    System.out.printf(
        Locale.ROOT,
        "%n%-58s %10s %14s%n",
        "preparation (same CSV, same job)",
        "wall s",
        "peak RSS MB");
    System.out.printf(
        Locale.ROOT,
        "%-58s %10.1f %14.0f%n",
        "ours: mlops prepare (DuckDB)",
        ours[0],
        ours[1] / 1024);
    System.out.printf(
        Locale.ROOT,
        "%-58s %10.1f %14.0f%n",
        "ours, --memory-limit " + LIMIT + " (spills beyond it)",
        oursLimited[0],
        oursLimited[1] / 1024);
    System.out.printf(
        Locale.ROOT,
        "%-58s %10.1f %14.0f%n",
        "pandas + scikit-learn (read_csv ... to_parquet)",
        theirs[0],
        theirs[1] / 1024);
    System.out.printf(
        Locale.ROOT,
        "ratio: %.1fx faster, %.2f of pandas' peak memory; with the limit: %.1fx faster, %.2f of"
            + " the memory%n",
        theirs[0] / ours[0],
        ours[1] / theirs[1],
        theirs[0] / oursLimited[0],
        oursLimited[1] / theirs[1]);
  }

  /** id, label (10 skewed classes), 4 numbers, 2 categories; 2 % nulls; 1 % duplicated rows. */
  private static void generate(Path csv, long rows) throws Exception {
    long unique = rows - rows / 100;
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement()) {
      sql.execute(
          "CREATE TABLE t AS SELECT i AS id,"
              + " CASE WHEN i % 100 < 40 THEN 0 ELSE i % 10 END AS label,"
              + " (hash(i) % 100000) / 1000.0 AS f1,"
              + " CASE WHEN hash(i, 2) % 50 = 0 THEN NULL ELSE (hash(i, 3) % 1000) / 7.0 END AS f2,"
              + " (i % 977) * 0.5 AS f3, (hash(i, 4) % 10000)::BIGINT - 5000 AS f4,"
              + " 'city_' || (hash(i, 5) % 20) AS cat1, 'item_' || (hash(i, 6) % 1000) AS cat2"
              + " FROM range("
              + unique
              + ") r(i)");
      sql.execute(
          "COPY (SELECT * FROM t UNION ALL SELECT * FROM t USING SAMPLE "
              + (rows / 100)
              + " ROWS) TO '"
              + csv
              + "' (HEADER)");
    }
  }

  /** Runs {@code command} under /usr/bin/time: {wall seconds, peak RSS in KB}. */
  private static double[] timed(List<String> command, Path work) throws Exception {
    Path stats = Files.createTempFile(work, "time-", ".txt");
    List<String> full =
        new ArrayList<>(List.of("/usr/bin/time", "-f", "%e %M", "-o", stats.toString()));
    full.addAll(command);
    System.out.println("running: " + String.join(" ", command));
    Process p = new ProcessBuilder(full).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("failed: " + command);
    }
    String[] parts = Files.readString(stats).strip().split("\\s+");
    return new double[] {
      Double.parseDouble(parts[parts.length - 2]), Double.parseDouble(parts[parts.length - 1])
    };
  }
}
