package io.jenkins.plugins.mlops.tracking.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our key rule against MLflow's own {@code mlflow.utils.validation}, on every BMP character. */
class KeysMatchMlflowIT {

  private static final String CHECK =
      """
      import json, sys
      from mlflow.utils.validation import _validate_metric_name, _validate_length_limit
      from mlflow.utils.validation import MAX_ENTITY_KEY_LENGTH
      out = []
      for name in json.load(open(sys.argv[1], encoding="utf-8")):
          try:
              _validate_metric_name(name)
              _validate_length_limit("Metric name", MAX_ENTITY_KEY_LENGTH, name)
              out.append(True)
          except Exception:
              out.append(False)
      json.dump(out, open(sys.argv[2], "w"))
      """;

  @TempDir Path work;

  @Test
  void acceptsExactlyWhatMlflowAccepts() throws IOException {
    List<String> names = new ArrayList<>();
    for (int c = 0; c <= 0xFFFF; c++) {
      // Characters both Unicode versions (Java's and Python's) know; a trailing newline is a
      // quirk of Python's '$' that no key of ours ends with.
      if (Character.isDefined(c) && !Character.isSurrogate((char) c)) {
        names.add("a" + new String(Character.toChars(c)) + "b");
      }
    }
    names.addAll(
        List.of(
            "\uD83D\uDE00",
            "x\uD801\uDC00", // a letter outside the BMP
            "a/b",
            "a//b",
            "a/",
            "/a",
            ".",
            "..",
            "..a",
            "a..",
            "a/./b",
            "a/../b",
            "./a",
            "a/.",
            "a b:c",
            "损".repeat(250),
            "损".repeat(251),
            "e\u0301"));
    ObjectMapper json = new ObjectMapper();
    Path in = work.resolve("names.json");
    Path out = work.resolve("verdicts.json");
    json.writeValue(in.toFile(), names);
    Path script = work.resolve("check.py");
    java.nio.file.Files.writeString(script, CHECK);

    PythonEnvironment.shared()
        .runPython(Duration.ofMinutes(3), script.toString(), in.toString(), out.toString())
        .requireSuccess();

    boolean[] mlflow = json.readValue(out.toFile(), boolean[].class);
    List<String> disagreements = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      if (mlflow[i] != (Keys.problem(names.get(i)) == null)) {
        disagreements.add(
            names.get(i).codePoints().mapToObj(Integer::toHexString).toList()
                + (mlflow[i] ? " accepted by MLflow" : " refused by MLflow"));
      }
    }
    assertEquals(List.of(), disagreements.stream().limit(40).toList(), disagreements.size() + "");
  }
}
