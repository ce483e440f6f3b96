package io.jenkins.plugins.mlops.steps.gate;

import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fingerprint of the metrics a gate read: SHA-256 over every point (step, timestamp, value) of
 * each metric's history, names sorted, points in a fixed order. The gate records it with its
 * verdict; promotion computes it again, so a verdict about values that changed afterwards (a new
 * point logged, even at an old step or with an old timestamp) is recognised as stale.
 */
final class MetricsDigest {

  private final TrackingClient client;
  private final String runId;
  private final Map<String, List<Metric>> histories = new ConcurrentHashMap<>();

  MetricsDigest(TrackingClient client, String runId) {
    this.client = client;
    this.runId = runId;
  }

  /** The history of {@code name}, read once. */
  List<Metric> history(String name) {
    return histories.computeIfAbsent(name, n -> client.runs().metricHistory(runId, n));
  }

  /** The digest of {@code names}' histories. */
  String of(Collection<String> names) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    for (String name : new TreeSet<>(names)) {
      sha.update((name + "\n").getBytes(StandardCharsets.UTF_8));
      List<Metric> points = new ArrayList<>(history(name));
      points.sort(
          Comparator.comparingLong(Metric::step)
              .thenComparingLong(Metric::timestamp)
              .thenComparingLong(m -> Double.doubleToLongBits(m.value())));
      for (Metric m : points) {
        sha.update(
            (m.step() + " " + m.timestamp() + " " + Double.doubleToLongBits(m.value()) + "\n")
                .getBytes(StandardCharsets.UTF_8));
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
