package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.tracking.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits metrics, params and tags into {@code runs/log-batch} bodies within every server limit:
 * 1000 metrics, 100 params, 100 tags, 1000 entities and 1,000,000 bytes per request. Params go
 * first, then tags, then metrics, each in the order given.
 */
public final class BatchSplitter {

  public static final int MAX_METRICS = 1000;
  public static final int MAX_PARAMS = 100;
  public static final int MAX_TAGS = 100;
  public static final int MAX_ENTITIES = 1000;
  public static final int MAX_BODY_BYTES = 1_000_000;

  /** Room kept for the request's envelope ({@code run_id}, field names, brackets). */
  private static final int ENVELOPE_BYTES = 200;

  private BatchSplitter() {}

  /** The request bodies for {@code runId}, in the order they should be sent. */
  public static List<ObjectNode> split(
      String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {
    List<ObjectNode> bodies = new ArrayList<>();
    Builder current = new Builder(runId);
    for (Map.Entry<String, String> param : params.entrySet()) {
      current = add(bodies, current, "params", keyValue(param.getKey(), param.getValue()));
    }
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      current = add(bodies, current, "tags", keyValue(tag.getKey(), tag.getValue()));
    }
    for (Metric metric : metrics) {
      current = add(bodies, current, "metrics", metric(metric));
    }
    if (!current.isEmpty()) {
      bodies.add(current.body());
    }
    return bodies;
  }

  /** A metric as MLflow's JSON: non-finite values as the strings protobuf JSON accepts. */
  public static ObjectNode metric(Metric metric) {
    ObjectNode node = Json.object();
    node.put("key", metric.key());
    double value = metric.value();
    if (Double.isNaN(value)) {
      node.put("value", "NaN");
    } else if (Double.isInfinite(value)) {
      node.put("value", value > 0 ? "Infinity" : "-Infinity");
    } else {
      node.put("value", value);
    }
    node.put("timestamp", metric.timestamp());
    node.put("step", metric.step());
    return node;
  }

  static ObjectNode keyValue(String key, String value) {
    ObjectNode node = Json.object();
    node.put("key", key);
    node.put("value", value);
    return node;
  }

  private static Builder add(
      List<ObjectNode> bodies, Builder current, String field, ObjectNode entity) {
    int size = sizeOf(entity);
    if (!current.fits(field, size)) {
      bodies.add(current.body());
      current = new Builder(current.runId);
    }
    current.add(field, entity, size);
    return current;
  }

  private static int sizeOf(ObjectNode entity) {
    try {
      return Json.MAPPER.writeValueAsBytes(entity).length + 1;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a metric as JSON", e);
    }
  }

  private static final class Builder {
    private final String runId;
    private final ObjectNode body = Json.object();
    private final ArrayNode metrics;
    private final ArrayNode params;
    private final ArrayNode tags;
    private int bytes;

    Builder(String runId) {
      this.runId = runId;
      body.put("run_id", runId);
      metrics = body.putArray("metrics");
      params = body.putArray("params");
      tags = body.putArray("tags");
      bytes = ENVELOPE_BYTES + runId.length();
    }

    boolean fits(String field, int size) {
      int limit =
          field.equals("metrics") ? MAX_METRICS : field.equals("params") ? MAX_PARAMS : MAX_TAGS;
      return array(field).size() < limit
          && metrics.size() + params.size() + tags.size() < MAX_ENTITIES
          && bytes + size <= MAX_BODY_BYTES;
    }

    void add(String field, ObjectNode entity, int size) {
      array(field).add(entity);
      bytes += size;
    }

    boolean isEmpty() {
      return metrics.isEmpty() && params.isEmpty() && tags.isEmpty();
    }

    ObjectNode body() {
      return body;
    }

    private ArrayNode array(String field) {
      return field.equals("metrics") ? metrics : field.equals("params") ? params : tags;
    }
  }
}
