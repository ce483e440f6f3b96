package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flat YAML of MLflow's file store ({@code meta.yaml}): one {@code key: value} per line, values
 * null, numbers, booleans, strings or lists of flat maps. Strings are written double-quoted in JSON
 * syntax, which YAML reads as the same string; reading accepts plain, single- and double-quoted
 * scalars, and flow lists. Writes go to a temporary file renamed into place.
 */
final class MiniYaml {

  private MiniYaml() {}

  static void write(Path file, Map<String, Object> values) {
    StringBuilder text = new StringBuilder();
    values.forEach(
        (k, v) -> {
          if (v instanceof Map<?, ?> nested && !nested.isEmpty()) {
            text.append(k).append(":\n");
            nested.forEach(
                (nk, nv) ->
                    text.append("  ").append(nk).append(": ").append(scalar(nv)).append('\n'));
          } else {
            text.append(k).append(": ").append(scalar(v)).append('\n');
          }
        });
    try {
      Files.createDirectories(file.getParent());
      Path temp = Files.createTempFile(file.getParent(), "meta-", ".yaml.tmp");
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
    }
  }

  static Map<String, Object> read(Path file) {
    Map<String, Object> values = new LinkedHashMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
    }
    Map<String, Object> nested = null;
    String lastKey = null;
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#") || line.startsWith("-")) {
        continue;
      }
      int colon = line.indexOf(": ");
      if (colon < 0 && line.endsWith(":")) {
        colon = line.length() - 1;
      }
      if (line.startsWith(" ") && nested == null && lastKey != null) {
        // PyYAML folds long plain scalars onto indented continuation lines, joined by a space.
        values.put(lastKey, values.get(lastKey) + " " + line.strip());
        continue;
      }
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).strip();
      Object value = parse(line.substring(colon + 1).strip());
      if (line.startsWith(" ")) {
        if (nested != null) {
          nested.put(key, value); // one level of nesting: the input tags of MLflow's file store
        }
        continue;
      }
      if (value == null && line.substring(colon + 1).isBlank()) {
        nested = new LinkedHashMap<>();
        values.put(key, nested);
        lastKey = null;
      } else {
        nested = null;
        values.put(key, value);
        lastKey = value instanceof String text && !text.isEmpty() ? key : null;
      }
    }
    return values;
  }

  static String text(Map<String, Object> values, String key) {
    Object value = values.get(key);
    return value == null ? "" : value.toString();
  }

  static long number(Map<String, Object> values, String key) {
    Object value = values.get(key);
    if (value instanceof Number n) {
      return n.longValue();
    }
    try {
      return value == null ? 0 : Long.parseLong(value.toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String scalar(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    if (value instanceof List<?> list && list.isEmpty()) {
      return "[]";
    }
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + value + " as YAML", e);
    }
  }

  private static Object parse(String raw) {
    if (raw.isEmpty() || raw.equals("null") || raw.equals("~")) {
      return null;
    }
    if (raw.startsWith("\"")) {
      try {
        return Json.MAPPER.readValue(raw, String.class);
      } catch (JsonProcessingException e) {
        return raw.substring(1, raw.length() - 1);
      }
    }
    if (raw.startsWith("'") && raw.endsWith("'") && raw.length() >= 2) {
      return raw.substring(1, raw.length() - 1).replace("''", "'");
    }
    if (raw.equals("[]")) {
      return List.of();
    }
    if (raw.equals("true") || raw.equals("false")) {
      return Boolean.parseBoolean(raw);
    }
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException notLong) {
      return raw;
    }
  }
}
