package io.jenkins.plugins.mlops.steps.data;

import java.util.List;
import java.util.Map;

/**
 * How the prepared data compares with an earlier preparation's manifest.
 *
 * @param previousFingerprint the earlier manifest's fingerprint
 * @param unchanged true when the fingerprints are equal: the data is the same (scheduled retraining
 *     can skip training)
 * @param psi population stability index per numeric column present in both, against the earlier
 *     deciles
 * @param labelShift total variation distance between the label distributions (0 same, 1 disjoint);
 *     null without a label
 * @param warnings drift beyond the warning thresholds, in words
 * @param failures drift beyond the failing thresholds, in words
 */
public record DriftReport(
    String previousFingerprint,
    boolean unchanged,
    Map<String, Double> psi,
    Double labelShift,
    List<String> warnings,
    List<String> failures) {

  public DriftReport {
    psi = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(psi)); // column order
    warnings = List.copyOf(warnings);
    failures = List.copyOf(failures);
  }
}
