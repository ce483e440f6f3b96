package io.jenkins.plugins.mlops.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.TensorBoardPeers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our reader against the real peers: event files written by TensorFlow, a Keras {@code fit()},
 * tensorboardX and TensorBoard's own protos must read as TensorBoard's loader and tbparse read
 * them; files written by our writer must read the same in TensorBoard and tbparse.
 */
class PeerCompatibilityIT {

  @TempDir static Path root;
  private static JsonNode peers;

  @BeforeAll
  static void writeAndReadWithThePeers() throws IOException {
    writeOurs(root.resolve("ours"));
    TensorBoardPeers.writeAll(root);
    Path out = root.resolve("peers.json");
    List<Path> logdirs = new ArrayList<>();
    for (String name : List.of("tf", "keras", "tbx", "dtypes", "restart", "ours")) {
      logdirs.add(root.resolve(name));
    }
    TensorBoardPeers.read(out, logdirs);
    peers = new ObjectMapper().readTree(out.toFile());
  }

  private static void writeOurs(Path logdir) {
    try (EventFileWriter train = EventFileWriter.open(logdir.resolve("train"));
        EventFileWriter validation = EventFileWriter.open(logdir.resolve("validation"))) {
      for (int step = 0; step < 25; step++) {
        train.scalar("epoch_loss", step, 1.7e9 + step * 0.25, Math.exp(-step / 7.0));
        train.scalar("batch/lr", step, 1.7e9 + step * 0.25, 0.001 * Math.pow(0.95, step));
        validation.scalar("epoch_accuracy", step, 1.7e9 + step, 1 - 1.0 / (step + 2));
      }
      train.scalar("special", 1, 1.7e9, Double.NaN);
      train.scalar("special", 2, 1.7e9, Double.POSITIVE_INFINITY);
      train.scalar("special", 3, 1.7e9, -0.0);
      train.histogram("weights", 3, 1.7e9, Histograms.of(new double[] {-1, 0, 0.5, 2, 2, 7}, 4));
      train.text("notes", 4, "trained **well**");
    }
  }

  private static JsonNode tensorboard(String logdir) {
    return peers.get(root.resolve(logdir).toString()).get("tensorboard");
  }

  private static JsonNode tbparse(String logdir) {
    return peers.get(root.resolve(logdir).toString()).get("tbparse");
  }

  /** Rows as comparable strings: run, tag, step, wall time (optional) and value. */
  private static Set<String> rows(JsonNode rows, boolean withWallTime) {
    Set<String> out = new TreeSet<>();
    for (JsonNode r : rows) {
      out.add(
          row(
              r.get(0).asText(),
              r.get(1).asText(),
              r.get(2).asLong(),
              withWallTime ? r.get(3).asDouble() : Double.NaN,
              number(r.get(4))));
    }
    return out;
  }

  private static Set<String> ours(String logdir, boolean withWallTime) {
    return LogDirContents.load(root.resolve(logdir), System.err::println).scalars().stream()
        .map(
            p ->
                row(
                    p.run(),
                    p.tag(),
                    p.step(),
                    withWallTime ? p.wallTime() : Double.NaN,
                    p.value()))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String row(String run, String tag, long step, double wallTime, double value) {
    return run + " | " + tag + " | " + step + " | " + wallTime + " | " + value;
  }

  private static double number(JsonNode n) {
    return n.isTextual() ? Double.parseDouble(n.asText()) : n.asDouble();
  }

  private static void assertSameScalarsAsTensorBoard(String logdir) {
    Set<String> theirs = rows(tensorboard(logdir).get("scalars"), true);
    assertTrue(theirs.size() > 0, "TensorBoard read no scalars in " + logdir);
    assertEquals(theirs, ours(logdir, true), logdir);
  }

  @Test
  void tensorFlowSummaryScalars() {
    assertSameScalarsAsTensorBoard("tf");
  }

  @Test
  void kerasFitWithTheTensorBoardCallback() {
    assertSameScalarsAsTensorBoard("keras");
    Set<String> runsAndTags =
        LogDirContents.load(root.resolve("keras"), line -> {}).scalars().stream()
            .map(p -> p.run() + "/" + p.tag())
            .collect(Collectors.toSet());
    assertTrue(
        runsAndTags.containsAll(
            Set.of(
                "train/epoch_loss",
                "train/epoch_accuracy",
                "validation/epoch_loss",
                "validation/epoch_accuracy")),
        runsAndTags.toString());
  }

  @Test
  void tensorboardXSimpleValuesAndSubRuns() {
    assertSameScalarsAsTensorBoard("tbx");
  }

  @Test
  void restartsAndOutOfOrderStepsDropOrphansLikeTensorBoard() {
    assertSameScalarsAsTensorBoard("restart");
    Set<String> ours = ours("restart", false);
    assertTrue(ours.contains(row("restarted", "loss", 5, Double.NaN, 105.0)), ours.toString());
    assertTrue(ours.stream().noneMatch(r -> r.startsWith("restarted | acc | 5 ")));
    assertTrue(ours.contains(row("version1", "loss", 4, Double.NaN, 41.0)), ours.toString());
  }

  @Test
  void ourWriterReadsTheSameInTensorBoard() {
    assertSameScalarsAsTensorBoard("ours");
  }

  @Test
  void everyScalarEncodingMatchesNumpy() throws IOException {
    Set<String> expected = new TreeSet<>();
    for (JsonNode r : new ObjectMapper().readTree(root.resolve("dtypes/expected.json").toFile())) {
      expected.add(
          row(
              r.get(0).asText(),
              r.get(1).asText(),
              r.get(2).asLong(),
              Double.NaN,
              number(r.get(3))));
    }
    assertEquals(14 * 12, expected.size());
    assertEquals(expected, ours("dtypes", false));
  }

  @Test
  void everyScalarEncodingTensorBoardCanDecodeMatchesTensorBoard() {
    Set<String> ours = ours("dtypes", true);
    ours.removeIf(r -> r.startsWith("bfloat16 |"));
    assertEquals(rows(tensorboard("dtypes").get("scalars"), true), ours);
    // TensorBoard itself fails on bfloat16 scalars; we read them (checked against numpy above).
    for (JsonNode error : tensorboard("dtypes").get("errors")) {
      assertEquals("bfloat16", error.get(0).asText());
    }
  }

  @Test
  void tbparseAgreesExceptForTensorsOfNoPlugin() {
    for (String logdir : List.of("tf", "keras", "tbx", "restart", "ours")) {
      Set<String> theirs = rows(tbparse(logdir).get("scalars"), true);
      // tbparse lists every rank-0 tensor; TensorBoard (and we) only those of the scalars plugin.
      Set<String> noPlugin =
          theirs.stream().filter(r -> r.contains(" | no_plugin | ")).collect(Collectors.toSet());
      theirs.removeAll(noPlugin);
      assertEquals(theirs, ours(logdir, true), logdir);
      assertEquals(0, tbparse(logdir).get("errors").size(), logdir);
    }
  }

  @Test
  void tensorsOfNoPluginAreSkippedAndCounted() {
    ReadStats.Snapshot stats = LogDirContents.load(root.resolve("tf"), line -> {}).stats();
    assertEquals(2L, stats.skipped().get("tensor without plugin"));
  }

  @Test
  void histogramsMatchTensorBoard() {
    for (String logdir : List.of("tf", "keras", "tbx", "ours")) {
      JsonNode theirs = tensorboard(logdir).get("histograms");
      List<LogDirContents.Entry<Histogram>> ours =
          LogDirContents.load(root.resolve(logdir), line -> {}).histograms();
      assertTrue(theirs.size() > 0, logdir);
      assertEquals(theirs.size(), ours.size(), logdir);
      Set<String> theirKeys = new TreeSet<>();
      Set<String> ourKeys = new TreeSet<>();
      for (JsonNode h : theirs) {
        theirKeys.add(
            h.get(0).asText()
                + "|"
                + h.get(1).asText()
                + "|"
                + h.get(2).asLong()
                + "|"
                + buckets(h.get(4)));
      }
      for (LogDirContents.Entry<Histogram> h : ours) {
        ourKeys.add(h.run() + "|" + h.tag() + "|" + h.step() + "|" + buckets(h.value()));
      }
      assertEquals(theirKeys, ourKeys, logdir);
    }
  }

  /** Non-empty buckets with edges and counts rounded to float (TensorBoard converts to float32). */
  private static String buckets(JsonNode buckets) {
    List<String> out = new ArrayList<>();
    for (JsonNode b : buckets) {
      if (number(b.get(2)) > 0) {
        out.add(
            (float) number(b.get(0))
                + ".."
                + (float) number(b.get(1))
                + "="
                + (float) number(b.get(2)));
      }
    }
    return String.join(",", out);
  }

  private static String buckets(Histogram h) {
    List<String> out = new ArrayList<>();
    List<Histogram.Bucket> all = h.buckets();
    int first = 0;
    while (first < all.size() && all.get(first).count() <= 0) {
      first++;
    }
    for (int i = first; i < all.size(); i++) {
      Histogram.Bucket b = all.get(i);
      if (b.count() > 0) {
        // TensorBoard moves the outer edges of TF1 histograms to min and max.
        double left = h.exactMoments() && i == first ? h.min() : b.left();
        int last = lastNonEmpty(all);
        double right = h.exactMoments() && i == last ? h.max() : b.right();
        out.add((float) left + ".." + (float) right + "=" + (float) b.count());
      }
    }
    return String.join(",", out);
  }

  private static int lastNonEmpty(List<Histogram.Bucket> buckets) {
    for (int i = buckets.size() - 1; i >= 0; i--) {
      if (buckets.get(i).count() > 0) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void imagesAndTextMatchTensorBoard() throws NoSuchAlgorithmException {
    for (String logdir : List.of("tf", "tbx")) {
      LogDirContents contents = LogDirContents.load(root.resolve(logdir), line -> {});
      Set<String> theirImages = new TreeSet<>();
      for (JsonNode i : tensorboard(logdir).get("images")) {
        theirImages.add(
            i.get(0).asText()
                + "|"
                + i.get(1).asText()
                + "|"
                + i.get(2).asLong()
                + "|"
                + i.get(4).asInt()
                + "|"
                + i.get(5).asInt()
                + "x"
                + i.get(6).asInt()
                + "|"
                + i.get(7).asText());
      }
      Set<String> ourImages = new TreeSet<>();
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (LogDirContents.Entry<Image> i : contents.images()) {
        ourImages.add(
            i.run()
                + "|"
                + i.tag()
                + "|"
                + i.step()
                + "|"
                + i.value().index()
                + "|"
                + i.value().width()
                + "x"
                + i.value().height()
                + "|"
                + HexFormat.of().formatHex(sha.digest(i.value().encoded())));
        assertEquals("png", i.value().extension());
      }
      assertTrue(theirImages.size() > 0, logdir);
      assertEquals(theirImages, ourImages, logdir);

      Set<String> theirTexts = new TreeSet<>();
      for (JsonNode t : tensorboard(logdir).get("text")) {
        theirTexts.add(
            t.get(0).asText()
                + "|"
                + t.get(1).asText()
                + "|"
                + t.get(2).asLong()
                + "|"
                + t.get(4).asText());
      }
      Set<String> ourTexts =
          contents.texts().stream()
              .map(t -> t.run() + "|" + t.tag() + "|" + t.step() + "|" + t.value())
              .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(theirTexts, ourTexts, logdir);
    }
  }

  @Test
  void fuzzingRealKerasAndTensorFlowFilesNeverBreaksTheReader() throws IOException {
    int round = 0;
    for (String run : List.of("keras/train", "keras/validation", "tf/run_a")) {
      for (LogDir.EventFile f : LogDir.scan(root.resolve(run))) {
        Fuzzing.fuzz(f.path(), root.resolve("fuzz-" + round), 120, 42 + round);
        round++;
      }
    }
    assertEquals(3, round);
  }

  @Test
  void theKerasFilesAreRealAndNonTrivial() throws IOException {
    long bytes = 0;
    for (LogDir.EventFile f : LogDir.scan(root.resolve("keras"))) {
      bytes += Files.size(f.path());
    }
    assertTrue(bytes > 10_000, "keras wrote only " + bytes + " bytes");
  }
}
