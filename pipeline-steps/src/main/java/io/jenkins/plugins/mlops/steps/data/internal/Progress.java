package io.jenkins.plugins.mlops.steps.data.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.duckdb.DuckDBPreparedStatement;
import org.duckdb.QueryProgress;

/**
 * Runs a long DuckDB statement and prints its progress every few seconds ("reading: 37% done"),
 * from DuckDB's own progress tracking.
 */
public final class Progress {

  private Progress() {}

  /** Executes {@code sql} on {@code db}, reporting as {@code what} every {@code everySeconds}. */
  public static void execute(
      Connection db, String sql, String what, long everySeconds, Consumer<String> console)
      throws SQLException {
    try (PreparedStatement statement = db.prepareStatement(sql)) {
      DuckDBPreparedStatement duck = statement.unwrap(DuckDBPreparedStatement.class);
      ScheduledExecutorService timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "mlops-prepare-progress");
                t.setDaemon(true);
                return t;
              });
      timer.scheduleAtFixedRate(
          () -> report(duck, what, console), everySeconds, everySeconds, TimeUnit.SECONDS);
      try {
        statement.execute();
      } finally {
        timer.shutdownNow();
      }
    }
  }

  private static void report(
      DuckDBPreparedStatement statement, String what, Consumer<String> console) {
    try {
      QueryProgress p = statement.getQueryProgress();
      if (p.getPercentage() >= 0) {
        console.accept(
            String.format(Locale.ROOT, "prepare: %s: %.0f%% done", what, p.getPercentage()));
      }
    } catch (SQLException | RuntimeException e) {
      // The statement may just have finished; the next report or the result says the rest.
    }
  }
}
