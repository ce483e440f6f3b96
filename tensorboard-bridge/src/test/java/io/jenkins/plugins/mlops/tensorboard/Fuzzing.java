package io.jenkins.plugins.mlops.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random truncations and bit flips over a real event file: the reader must never throw or hang,
 * must return a prefix of the points after a truncation, and only points of the original (in their
 * order) after bit flips, because every record is guarded by CRC-32C.
 */
final class Fuzzing {

  private Fuzzing() {}

  /** Every scalar point of one file, in order, as strings (no orphan rules applied). */
  static List<String> points(Path logdir) {
    List<String> points = new ArrayList<>();
    LogDirReader.readAll(
        logdir,
        new EventVisitor() {
          @Override
          public void scalar(String run, String tag, long step, double wallTime, double value) {
            points.add(tag + "@" + step + "=" + value + "/" + wallTime);
          }

          @Override
          public void histogram(
              String run, String tag, long step, double wallTime, Histogram histogram) {
            points.add("histogram " + tag + "@" + step + "=" + histogram.count());
          }
        },
        line -> {});
    return points;
  }

  /** Runs {@code rounds} mutations of {@code original} in {@code work}, checking each. */
  static void fuzz(Path original, Path work, int rounds, long seed) throws IOException {
    byte[] bytes = Files.readAllBytes(original);
    Path cleanDir = work.resolve("clean");
    Files.createDirectories(cleanDir);
    Files.write(cleanDir.resolve("events.out.tfevents.1.fuzz"), bytes);
    List<String> clean = points(cleanDir);
    assertTrue(clean.size() > 3, "the original file has too few points: " + clean.size());
    Random random = new Random(seed);
    for (int round = 0; round < rounds; round++) {
      Path dir = work.resolve("round-" + round);
      Files.createDirectories(dir);
      Path file = dir.resolve("events.out.tfevents.1.fuzz");
      boolean truncate = round % 2 == 0;
      byte[] mutated =
          truncate
              ? java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length))
              : flip(bytes, random);
      Files.write(file, mutated);
      List<String> read =
          assertTimeoutPreemptively(Duration.ofSeconds(10), () -> points(dir), "round " + round);
      if (truncate) {
        assertEquals(clean.subList(0, read.size()), read, "round " + round + " (truncated)");
      } else {
        assertSubsequence(clean, read, round);
      }
      delete(dir);
    }
  }

  private static byte[] flip(byte[] bytes, Random random) {
    byte[] copy = bytes.clone();
    int flips = 1 + random.nextInt(8);
    for (int i = 0; i < flips; i++) {
      copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
    }
    return copy;
  }

  private static void assertSubsequence(List<String> clean, List<String> read, int round) {
    Map<String, Integer> unused = new HashMap<>();
    int at = 0;
    for (String point : read) {
      while (at < clean.size() && !clean.get(at).equals(point)) {
        at++;
      }
      assertTrue(
          at < clean.size(),
          "round " + round + ": " + point + " is not in the original" + " (in order)" + unused);
      at++;
    }
  }

  private static void delete(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
      Files.delete(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
