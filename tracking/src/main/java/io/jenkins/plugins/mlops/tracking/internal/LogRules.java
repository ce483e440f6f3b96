package io.jenkins.plugins.mlops.tracking.internal;

import io.jenkins.plugins.mlops.tracking.Metric;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What a run logger does to its input so that MLflow never refuses it: keys sanitised (each mapping
 * reported once), values cut to MLflow's limits (reported once per key), and a param that would
 * change an already logged value dropped with a warning. Thread-safe.
 */
final class LogRules {

  private final Consumer<String> console;
  private final Map<String, String> keys = new HashMap<>();
  private final Map<String, String> params = new HashMap<>();
  private final Set<String> cut = new HashSet<>();

  LogRules(Consumer<String> console) {
    this.console = console;
  }

  /** The metric with a valid key. */
  Metric metric(Metric metric) {
    return new Metric(
        key("metric", metric.key()), metric.value(), metric.timestamp(), metric.step());
  }

  /** The param's valid key and value, or empty when it would change an earlier value. */
  synchronized Optional<Map.Entry<String, String>> param(String key, String value) {
    String clean = key("param", key);
    String text = truncate("param", clean, value, Keys.MAX_PARAM_VALUE_LENGTH);
    String before = params.putIfAbsent(clean, text);
    if (before != null && !before.equals(text)) {
      console.accept(
          "mlflow: param '"
              + clean
              + "' keeps its first value '"
              + before
              + "'; '"
              + text
              + "' was not logged (MLflow params cannot change)");
      return Optional.empty();
    }
    return Optional.of(Map.entry(clean, text));
  }

  /** The tag's valid key and value. */
  Map.Entry<String, String> tag(String key, String value) {
    String clean = key("tag", key);
    return Map.entry(clean, truncate("tag", clean, value, Keys.MAX_TAG_VALUE_LENGTH));
  }

  private synchronized String key(String kind, String key) {
    return keys.computeIfAbsent(
        kind + ":" + key,
        k -> {
          String clean = Keys.sanitise(key);
          if (!clean.equals(key)) {
            console.accept(
                "mlflow: "
                    + kind
                    + " key '"
                    + key
                    + "' is not valid in MLflow ("
                    + Keys.problem(key)
                    + "); logging it as '"
                    + clean
                    + "'");
          }
          return clean;
        });
  }

  private synchronized String truncate(String kind, String key, String value, int limit) {
    String text = value == null ? "" : value;
    if (text.length() <= limit) {
      return text;
    }
    if (cut.add(kind + ":" + key)) {
      console.accept(
          "mlflow: "
              + kind
              + " '"
              + key
              + "' has "
              + text.length()
              + " characters; MLflow keeps at most "
              + limit
              + ", so it was cut");
    }
    return text.substring(0, limit);
  }
}
