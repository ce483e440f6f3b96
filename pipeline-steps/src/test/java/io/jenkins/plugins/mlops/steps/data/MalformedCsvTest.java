package io.jenkins.plugins.mlops.steps.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed CSV files give one line naming the file, the line and what is wrong, with the option
 * that helps, never DuckDB's sniffer dump or the offending line itself (issue #13, item 9).
 */
class MalformedCsvTest {

  @TempDir Path work;
  private final List<String> console = new ArrayList<>();

  private PrepareSpec.Builder spec(String input) {
    return PrepareSpec.builder()
        .addInput(input)
        .setOutput(work.resolve("out"))
        .setSplits(Split.parse("train=0.5,test=0.5"))
        .optLabel("label");
  }

  private String error(PrepareSpec.Builder spec) {
    String m =
        assertThrows(
                IllegalArgumentException.class,
                () -> DatasetPreparer.prepare(spec.build(), work, console::add))
            .getMessage();
    assertFalse(m.contains("\n"), "one line: " + m);
    assertTrue(m.length() < 400, m.length() + " characters: " + m);
    assertFalse(m.contains("\"\""), "no empty file name: " + m);
    assertFalse(Files.exists(work.resolve("out")), "nothing published");
    return m;
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(work.resolve(name), text, StandardCharsets.UTF_8);
  }

  @Test
  void anEmptyFileSaysItIsEmpty() throws Exception {
    write("empty.csv", "");
    String m = error(spec("empty.csv"));
    assertTrue(m.endsWith("empty.csv) is empty: it has no header and no rows"), m);
  }

  @Test
  void aHeaderWithoutRowsSaysSoWithoutAdvisingAFilterThatWasNotGiven() throws Exception {
    write("header.csv", "a,b,label\n");
    String m = error(spec("header.csv"));
    assertTrue(m.endsWith("header.csv) has no rows, only a header (a, b, label)"), m);
    assertFalse(m.contains("filter"), m);
  }

  @Test
  void raggedRowsNameTheLineWithOrWithoutAGivenDelimiter() throws Exception {
    write("ragged.csv", "a,b,label\n1,2,0\n3,4\n5,6,1,9\n7,8,1\n");
    String sniffed = error(spec("ragged.csv"));
    assertTrue(
        sniffed.contains("ragged.csv) line 3 has 2 fields, the header (line 1) has 3"), sniffed);
    assertTrue(sniffed.contains("--null-padding") && sniffed.contains("--ignore-errors"), sniffed);
    String given = error(spec("ragged.csv").optDelimiter(","));
    assertTrue(given.contains("ragged.csv) line 3 has 2 fields"), given);
    assertFalse(given.contains("sniff"), given);

    DatasetManifest padded =
        DatasetPreparer.prepare(
            spec("ragged.csv").optNullPadding(true).optLabel(null).build(), work, console::add);
    assertEquals(4, padded.totalRows());
    DatasetManifest skipped =
        DatasetPreparer.prepare(
            spec("ragged.csv")
                .setOutput(work.resolve("skipped"))
                .optIgnoreErrors(true)
                .optLabel(null)
                .setSplits(Split.parse("train=1"))
                .build(),
            work,
            console::add);
    assertEquals(2, skipped.totalRows());
    assertEquals(2L, skipped.cleaning().get("ignore_errors"));
    assertTrue(
        console.stream().anyMatch(l -> l.contains("--ignore-errors skipped 2 line(s)")),
        console.toString());
  }

  @Test
  void aCompressedFileNamedCsvGetsAHint() throws Exception {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(work.resolve("gz.csv")))) {
      out.write("a,b,label\n1,2,0\n".getBytes(StandardCharsets.UTF_8));
    }
    String m = error(spec("gz.csv"));
    assertTrue(m.contains("gz.csv) is gzip-compressed") && m.contains("gz.csv.gz"), m);
  }

  @Test
  void aNulByteIsRefusedWithItsLine() throws Exception {
    write("nul.csv", "a,b,label\n1,2,0\n3,4\u0000,1\n5,6,0\n");
    String m = error(spec("nul.csv"));
    assertTrue(m.contains("nul.csv) line 3 has a NUL byte (0x00)"), m);
  }

  @Test
  void aTenMegabyteLineIsNamedNotPrinted() throws Exception {
    write("long.csv", "a,b,label\n1," + "x".repeat(10_000_000) + ",0\n2,3,1\n");
    String m = error(spec("long.csv"));
    assertTrue(m.contains("long.csv) line 2 is longer than the 2,097,152 bytes"), m);
    assertFalse(m.contains("xxxx"), m);
  }
}
