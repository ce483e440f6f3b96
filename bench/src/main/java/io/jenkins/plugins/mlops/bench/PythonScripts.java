package io.jenkins.plugins.mlops.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The benchmarks' Python sides: scripts shipped as resources, and the one JSON line they print. */
final class PythonScripts {

  private PythonScripts() {}

  /** Copies the resource script {@code name} to a temporary file to run. */
  static Path extract(String name) throws IOException {
    try (InputStream in = PythonScripts.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the bench jar lacks " + name);
      }
      Path file = Files.createTempFile("bench-", ".py");
      file.toFile().deleteOnExit();
      Files.write(file, in.readAllBytes());
      return file;
    }
  }

  /** A number field of a flat JSON object line. */
  static double number(String json, String field) {
    int at = json.indexOf("\"" + field + "\":");
    if (at < 0) {
      throw new IllegalArgumentException("no field " + field + " in " + json);
    }
    int from = at + field.length() + 3;
    int to = from;
    while (to < json.length() && "0123456789.eE+- ".indexOf(json.charAt(to)) >= 0) {
      to++;
    }
    return Double.parseDouble(json.substring(from, to).strip());
  }
}
