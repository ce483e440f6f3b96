package io.jenkins.plugins.mlops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a {@code manifest.json}, the trainer reads exactly the files it lists, checked against their
 * SHA-256, and takes the label from it.
 */
class ManifestDataIT {

  @TempDir Path work;
  private Path data;

  private record Outcome(int status, String err) {}

  @BeforeEach
  void prepare() throws Exception {
    data = Files.createDirectories(work.resolve("data"));
    for (String split : List.of("train", "test")) {
      Files.write(data.resolve(split + ".csv"), rows("low", "high"));
    }
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("version", 1);
    manifest.put("label", "label");
    manifest.put("files", Map.of("train", "train.csv", "test", "test.csv"));
    manifest.put(
        "fileDigests",
        Map.of(
            "train.csv", DataManifest.sha256(data.resolve("train.csv")),
            "test.csv", DataManifest.sha256(data.resolve("test.csv"))));
    manifest.put("fingerprint", "sha256:0123");
    new ObjectMapper().writeValue(data.resolve("manifest.json").toFile(), manifest);
  }

  private static List<String> rows(String a, String b) {
    List<String> lines = new ArrayList<>(List.of("x,y,label"));
    for (int i = 0; i < 200; i++) {
      lines.add(i % 7 + "," + (i % 5) * 0.5 + "," + (i % 7 < 3 ? a : b));
    }
    return lines;
  }

  private Outcome train(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("--epochs", "1", "--hidden", "4"));
    all.addAll(List.of(args));
    int status =
        TrainerMain.run(
            all,
            Map.of(
                "MLOPS_DATA_DIR", data.toString(),
                "MLOPS_OUTPUT_DIR", work.resolve("out").toString()),
            work,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(status, err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aStaleSplitTheManifestDoesNotListIsIgnored() throws Exception {
    // left by an earlier preparation that had a validation split, with classes of its own
    Files.write(data.resolve("validation.csv"), rows("cold", "hot"));
    Files.write(data.resolve("train.parquet"), List.of("not parquet at all"));

    Outcome o = train("--label", "label");

    assertEquals(0, o.status(), o.err());
    JsonNode metrics = new ObjectMapper().readTree(work.resolve("out/metrics.json").toFile());
    assertTrue(metrics.get("last_epoch").has("train_loss"), metrics.toString());
    assertFalse(
        metrics.get("last_epoch").has("val_loss"), "the stale validation.csv was read: " + metrics);
    assertTrue(metrics.has("test_accuracy"), metrics.toString());
  }

  @Test
  void aSplitFileChangedAfterPreparationIsRefused() throws Exception {
    List<String> changed = rows("low", "high");
    changed.set(5, "3,1.5,high");
    Files.write(data.resolve("train.csv"), changed);

    Outcome o = train("--label", "label");

    assertEquals(2, o.status(), o.err());
    assertTrue(
        o.err().contains("the train split (" + data.resolve("train.csv") + ") is not the file")
            && o.err().contains("its SHA-256 is sha256:")
            && o.err().contains("run mlops prepare again"),
        o.err());
  }

  @Test
  void aSplitTheManifestListsButTheDirectoryLacksIsAnError() throws Exception {
    Files.delete(data.resolve("test.csv"));

    Outcome o = train("--label", "label");

    assertEquals(2, o.status(), o.err());
    assertTrue(o.err().contains("the test split (test.csv)"), o.err());
  }

  @Test
  void aManifestWithoutFileDigestsIsRefusedSinceNothingProvesItsFiles() throws Exception {
    Path file = data.resolve("manifest.json");
    com.fasterxml.jackson.databind.node.ObjectNode manifest =
        (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(file.toFile());
    manifest.remove("fileDigests");
    new ObjectMapper().writeValue(file.toFile(), manifest);

    Outcome o = train("--label", "label");

    assertEquals(2, o.status(), o.err());
    assertTrue(
        o.err().contains(file + " has no SHA-256 of train.csv in fileDigests (it was written by")
            && o.err().contains("run mlops prepare again"),
        o.err());
    assertFalse(Files.exists(work.resolve("out/metrics.json")), "nothing was trained");
  }

  @Test
  void theLabelComesFromTheManifest() throws Exception {
    Outcome o = train();

    assertEquals(0, o.status(), o.err());
    JsonNode metrics = new ObjectMapper().readTree(work.resolve("out/metrics.json").toFile());
    assertEquals("[\"high\",\"low\"]", metrics.get("classes").toString());
  }
}
