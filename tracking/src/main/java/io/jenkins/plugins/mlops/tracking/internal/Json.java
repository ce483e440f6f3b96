package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one JSON mapper of the tracking layer, and small helpers for MLflow's wire shapes. */
public final class Json {

  public static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** A text field, or {@code ""} when absent. */
  public static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? "" : value.asText();
  }

  /** A long field (MLflow sends int64 as numbers or strings), or {@code 0} when absent. */
  public static long number(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? 0L : value.asLong();
  }

  /** MLflow's {@code [{key, value}, ...]} list as a map. */
  public static Map<String, String> keyValues(JsonNode list) {
    Map<String, String> map = new LinkedHashMap<>();
    if (list != null) {
      for (JsonNode entry : list) {
        map.put(text(entry, "key"), text(entry, "value"));
      }
    }
    return map;
  }
}
