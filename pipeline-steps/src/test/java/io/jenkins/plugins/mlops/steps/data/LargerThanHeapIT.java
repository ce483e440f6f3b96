package io.jenkins.plugins.mlops.steps.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.ProcessResult;
import io.jenkins.plugins.mlops.harness.internal.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlops prepare} in a JVM with a 64 MB heap on a CSV several times larger, with DuckDB held
 * to 256 MB: the stratified split (a sort per class) spills to disk and succeeds.
 */
class LargerThanHeapIT {

  private static final Path JAR = Path.of(System.getProperty("mlops.cliJar"));

  @TempDir Path work;

  @Test
  void preparesACsvSeveralTimesTheHeapWithABoundedMemory() throws Exception {
    Path csv = work.resolve("big.csv");
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement()) {
      sql.execute(
          "COPY (SELECT i AS id, i % 5 AS label, random() AS x, random() * 100 AS y,"
              + " 'category_' || (i % 1000) AS cat, md5(i::VARCHAR) AS note"
              + " FROM range(3000000) t(i)) TO '"
              + csv
              + "' (HEADER)");
    }
    long bytes = Files.size(csv);
    assertTrue(bytes > 4L * 64 * 1024 * 1024, "the CSV has only " + bytes + " bytes");

    ProcessResult r =
        Processes.run(
            new ProcessBuilder(
                "java",
                "-Xmx64m",
                "-jar",
                JAR.toString(),
                "prepare",
                "--input",
                csv.toString(),
                "--label",
                "label",
                "--stratify",
                "--memory-limit",
                "256MB",
                "--spill-dir",
                work.resolve("spill").toString(),
                "--output",
                work.resolve("out").toString(),
                "--json"),
            Duration.ofMinutes(10));

    assertEquals(0, r.exitCode(), r.stderr());
    JsonNode m = new ObjectMapper().readTree(r.stdout());
    assertEquals(3_000_000, m.get("inputRows").asLong());
    long total = 0;
    for (JsonNode n : m.get("rows")) {
      total += n.asLong();
    }
    assertEquals(3_000_000, total);
    assertEquals(2_400_000, m.get("rows").get("train").asLong());
    assertTrue(r.stderr().contains("prepare: 3,000,000 rows read"), r.stderr());
  }
}
