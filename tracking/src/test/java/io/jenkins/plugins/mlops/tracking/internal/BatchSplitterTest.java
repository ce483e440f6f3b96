package io.jenkins.plugins.mlops.tracking.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.tracking.Metric;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchSplitterTest {

  private static List<Metric> metrics(int n) {
    List<Metric> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(new Metric("m" + (i % 7), i, 1000L + i, i));
    }
    return list;
  }

  private static Map<String, String> entries(String prefix, int n, int valueLength) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      map.put(prefix + i, "v".repeat(valueLength));
    }
    return map;
  }

  @Test
  void everyBodyIsWithinEveryLimitAndNothingIsLost() throws Exception {
    List<ObjectNode> bodies =
        BatchSplitter.split("run", metrics(2_345), entries("p", 250, 10), entries("t", 130, 10));

    int metrics = 0;
    int params = 0;
    int tags = 0;
    for (ObjectNode body : bodies) {
      int m = body.get("metrics").size();
      int p = body.get("params").size();
      int t = body.get("tags").size();
      assertTrue(m <= 1000 && p <= 100 && t <= 100 && m + p + t <= 1000, body.toString());
      assertTrue(Json.MAPPER.writeValueAsBytes(body).length <= 1_000_000);
      metrics += m;
      params += p;
      tags += t;
    }
    assertEquals(2_345, metrics);
    assertEquals(250, params);
    assertEquals(130, tags);
  }

  @Test
  void largeValuesSplitByBodySize() throws Exception {
    List<ObjectNode> bodies =
        BatchSplitter.split("run", List.of(), entries("p", 100, 5_999), entries("t", 100, 7_999));

    assertEquals(2, bodies.size(), "1.4 MB of params and tags cannot go in one 1 MB body");
    for (ObjectNode body : bodies) {
      assertTrue(Json.MAPPER.writeValueAsBytes(body).length <= 1_000_000);
    }
  }

  @Test
  void keepsTheOrderOfMetricPoints() {
    List<Metric> points = metrics(2_500);
    List<Long> steps = new ArrayList<>();

    for (ObjectNode body : BatchSplitter.split("run", points, Map.of(), Map.of())) {
      body.get("metrics").forEach(m -> steps.add(m.get("step").asLong()));
    }

    assertEquals(points.stream().map(Metric::step).toList(), steps);
  }

  @Test
  void writesNonFiniteValuesAsMlflowStrings() {
    assertEquals(
        "NaN", BatchSplitter.metric(new Metric("m", Double.NaN, 1, 0)).get("value").asText());
    assertEquals(
        "-Infinity",
        BatchSplitter.metric(new Metric("m", Double.NEGATIVE_INFINITY, 1, 0))
            .get("value")
            .asText());
  }
}
