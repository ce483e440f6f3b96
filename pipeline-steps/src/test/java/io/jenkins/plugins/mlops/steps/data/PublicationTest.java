package io.jenkins.plugins.mlops.steps.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A preparation publishes a directory holding exactly its manifest's files (issue #13, items 6 to
 * 8), and says when a class is missing from a split.
 */
class PublicationTest {

  @TempDir Path work;
  private final List<String> console = new ArrayList<>();

  private Path csv(String name, int rows) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("id,label,x");
    for (int i = 0; i < rows; i++) {
      lines.add(i + "," + (i % 3) + "," + (i * 0.5));
    }
    return Files.write(work.resolve(name), lines);
  }

  private PrepareSpec.Builder spec(String splits) {
    return PrepareSpec.builder()
        .addInput("data.csv")
        .setOutput(work.resolve("prepared"))
        .setSplits(Split.parse(splits))
        .optLabel("label");
  }

  private DatasetManifest prepare(PrepareSpec spec) {
    return DatasetPreparer.prepare(spec, work, console::add);
  }

  private Set<String> listing(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** What the work directory holds besides the input: no stage or old directory left over. */
  private Set<String> leftovers() throws IOException {
    Set<String> all = listing(work);
    all.remove("data.csv");
    all.remove("prepared");
    return all;
  }

  @Test
  void aSecondPreparationReplacesTheFirstAsAWhole() throws Exception {
    csv("data.csv", 300);
    prepare(spec("train=0.8,validation=0.1,test=0.1").build());
    assertEquals(
        Set.of("manifest.json", "train.parquet", "validation.parquet", "test.parquet"),
        listing(work.resolve("prepared")));

    // Another format: no Parquet file of the first preparation is left for a trainer to find.
    DatasetManifest csv =
        prepare(
            spec("train=0.8,validation=0.1,test=0.1")
                .optOutputFormat(PrepareSpec.OutputFormat.CSV)
                .build());
    assertEquals(
        Set.of("manifest.json", "train.csv", "validation.csv", "test.csv"),
        listing(work.resolve("prepared")));
    assertEquals(Set.of(), leftovers());

    // The validation split dropped: its file goes with it.
    DatasetManifest two = prepare(spec("train=0.9,test=0.1").build());
    assertEquals(
        Set.of("manifest.json", "train.parquet", "test.parquet"),
        listing(work.resolve("prepared")));
    assertEquals(Set.of(), leftovers());
    assertNotEquals(csv.fingerprint(), two.fingerprint());
  }

  @Test
  void aDirectoryWithFilesOfItsOwnIsRefusedUnlessForcedAndThenKeepsThem() throws Exception {
    csv("data.csv", 300);
    prepare(spec("train=0.8,validation=0.1,test=0.1").build());
    Files.writeString(work.resolve("prepared/notes.txt"), "mine");
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class, () -> prepare(spec("train=0.9,test=0.1").build()));
    assertTrue(
        refused.getMessage().contains("holds files that no earlier preparation wrote (notes.txt)"),
        refused.getMessage());
    assertTrue(refused.getMessage().contains("--force"), refused.getMessage());
    assertTrue(Files.exists(work.resolve("prepared/validation.parquet")), "nothing was touched");

    prepare(spec("train=0.9,test=0.1").optForce(true).build());
    assertEquals(
        Set.of("manifest.json", "notes.txt", "train.parquet", "test.parquet"),
        listing(work.resolve("prepared")));
    assertEquals("mine", Files.readString(work.resolve("prepared/notes.txt")));
    assertEquals(Set.of(), leftovers());
  }

  @Test
  void theManifestCarriesEachFilesDigestAndEachSplitsFingerprint() throws Exception {
    csv("data.csv", 300);
    DatasetManifest m = prepare(spec("train=0.8,validation=0.1,test=0.1").build());
    assertEquals(3, m.fileDigests().size());
    for (String file : m.files().values()) {
      assertEquals(
          FileDigest.sha256(work.resolve("prepared").resolve(file)), m.fileDigests().get(file));
    }
    assertEquals(3, new TreeSet<>(m.splitFingerprints().values()).size(), "one digest a split");
    assertFalse(m.splitFingerprints().containsValue(m.fingerprint()));
  }

  @Test
  void aFailedPreparationLeavesNoDirectoryBehindEvenTheParentsItMade() throws Exception {
    csv("data.csv", 300);
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                prepare(
                    spec("train=0.8,test=0.2")
                        .setOutput(work.resolve("deep/er/prepared"))
                        .optFilter("no_such_column > 1")
                        .build()));
    assertTrue(bad.getMessage().contains("no_such_column"), bad.getMessage());
    assertEquals(Set.of("data.csv"), listing(work));
  }

  @Test
  void aClassMissingFromASplitWarnsAndFailsWhereEveryClassIsRequired() throws Exception {
    List<String> lines = new ArrayList<>(List.of("id,label,x"));
    for (int i = 0; i < 200; i++) {
      lines.add(i + "," + (i % 2) + "," + i);
    }
    lines.add("200,rare,1");
    Files.write(work.resolve("data.csv"), lines);
    prepare(spec("train=0.8,validation=0.1,test=0.1").optStratify(true).build());
    assertTrue(
        console.stream()
            .anyMatch(
                l ->
                    l.startsWith("prepare: warning: class 'rare' of the label has 1 row")
                        && l.contains("have none of it")),
        console.toString());

    DataCheckException required =
        assertThrows(
            DataCheckException.class,
            () ->
                prepare(
                    spec("train=0.8,validation=0.1,test=0.1")
                        .optStratify(true)
                        .optChecks(DataChecks.NONE.withEveryClassIn(List.of("test")))
                        .build()));
    assertTrue(
        required.problems().get(0).contains("class 'rare'")
            && required.problems().get(0).contains("[test] must hold every class"),
        required.problems().toString());
    DataCheckException expected =
        assertThrows(
            DataCheckException.class,
            () ->
                prepare(
                    spec("train=0.8,validation=0.1,test=0.1")
                        .optStratify(true)
                        .optChecks(DataChecks.NONE.withExpectedClasses(List.of("0", "1", "rare")))
                        .build()));
    assertTrue(expected.problems().get(0).contains("class 'rare'"), expected.problems().toString());
  }

  @Test
  void stratifyingANearContinuousLabelSaysItIsNotAClassLabel() throws Exception {
    List<String> lines = new ArrayList<>(List.of("id,price"));
    for (int i = 0; i < 500; i++) {
      lines.add(i + "," + (i * 1.37));
    }
    Files.write(work.resolve("data.csv"), lines);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> prepare(spec("train=0.8,test=0.2").optLabel("price").optStratify(true).build()));
    assertTrue(
        e.getMessage().startsWith("label (price) has 500 distinct values in 500 rows"),
        e.getMessage());
    assertTrue(e.getMessage().contains("drop --stratify"), e.getMessage());
  }
}
