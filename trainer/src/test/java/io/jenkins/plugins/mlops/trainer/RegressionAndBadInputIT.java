package io.jenkins.plugins.mlops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regression to a known R², and every kind of bad input as one clear line and exit status. */
class RegressionAndBadInputIT {

  @TempDir Path work;

  private record Outcome(int status, String err) {}

  private Outcome run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status =
        TrainerMain.run(
            List.of(args),
            Map.of("MLOPS_OUTPUT_DIR", work.resolve("out").toString()),
            work,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(status, err.toString(StandardCharsets.UTF_8));
  }

  /** y = 3 x1 - 2 x2 + 0.5 x3 (+1 for city b) + noise (sd 0.1); returns the noise-limited R². */
  private double regressionData(Path dir, int rows) throws Exception {
    Files.createDirectories(dir);
    Random random = new Random(7);
    double variance = 9.0 / 3 + 4.0 / 3 + 0.25 / 3 + 0.25; // uniform(-1, 1) inputs, the city term
    for (String split : List.of("train", "validation", "test")) {
      List<String> lines = new ArrayList<>(List.of("x1,x2,x3,city,y"));
      int n = split.equals("train") ? rows : rows / 5;
      for (int i = 0; i < n; i++) {
        double x1 = random.nextDouble() * 2 - 1;
        double x2 = random.nextDouble() * 2 - 1;
        double x3 = random.nextDouble() * 2 - 1;
        boolean b = random.nextBoolean();
        double y = 3 * x1 - 2 * x2 + 0.5 * x3 + (b ? 1 : 0) + random.nextGaussian() * 0.1;
        lines.add(x1 + "," + x2 + "," + x3 + "," + (b ? "b" : "a") + "," + y);
      }
      Files.write(dir.resolve(split + ".csv"), lines);
    }
    return 1 - 0.01 / variance;
  }

  @Test
  void regressionReachesTheNoiseLimitedRSquared() throws Exception {
    double best = regressionData(work.resolve("reg"), 4_000);
    Outcome o =
        run(
            "--data_dir",
            work.resolve("reg").toString(),
            "--label",
            "y",
            "--epochs",
            "30",
            "--hidden",
            "64",
            "--early_stopping_patience",
            "5");

    assertEquals(0, o.status(), o.err());
    var metrics =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(work.resolve("out/metrics.json").toFile());
    double r2 = metrics.get("test_r2").asDouble();
    assertTrue(r2 >= best - 0.02 && r2 <= 1, "R² " + r2 + " vs the noise limit " + best);
    assertTrue(metrics.get("test_rmse").asDouble() < 0.2, metrics.toString());
    assertTrue(o.err().contains("categorical") || o.err().contains("regression"), o.err());
  }

  @Test
  void aManyValuedCategoryIsEmbedded() throws Exception {
    Path dir = work.resolve("stores");
    Files.createDirectories(dir);
    Random random = new Random(11);
    double[] effect = new double[60];
    for (int s = 0; s < effect.length; s++) {
      effect[s] = random.nextGaussian();
    }
    for (String split : List.of("train", "validation", "test")) {
      List<String> lines = new ArrayList<>(List.of("store,x,y"));
      int n = split.equals("train") ? 6_000 : 1_000;
      for (int i = 0; i < n; i++) {
        int s = random.nextInt(effect.length);
        double x = random.nextDouble() * 2 - 1;
        lines.add("s" + s + "," + x + "," + (effect[s] + 0.5 * x + random.nextGaussian() * 0.05));
      }
      if (split.equals("test")) {
        lines.add("s999,0.5,0.25"); // a store training never saw
      }
      Files.write(dir.resolve(split + ".csv"), lines);
    }
    Outcome o =
        run(
            "--data_dir",
            dir.toString(),
            "--label",
            "y",
            "--epochs",
            "25",
            "--hidden",
            "32",
            "--early_stopping_patience",
            "5");

    assertEquals(0, o.status(), o.err());
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    var metrics = mapper.readTree(work.resolve("out/metrics.json").toFile());
    assertTrue(
        metrics.get("test_r2").asDouble() > 0.95, metrics.toString()); // x alone explains ~8 %
    var store =
        mapper
            .readTree(work.resolve("out/model/model-card.json").toFile())
            .get("preprocessing")
            .get("features")
            .get(0);
    assertEquals("embedding", store.get("kind").asText());
    assertEquals(31, store.get("embeddingDim").asInt());
    assertTrue(
        o.err().contains("categories training never saw") && o.err().contains("store=s999"),
        o.err());
  }

  @Test
  void badInputIsOneClearLine() throws Exception {
    regressionData(work.resolve("reg"), 200);
    String dir = work.resolve("reg").toString();

    Outcome label = run("--data_dir", dir, "--label", "why");
    assertEquals(2, label.status());
    assertTrue(
        label.err().contains("label (why) is not a column of the training split"), label.err());

    Outcome unknown = run("--data_dir", dir, "--label", "y", "--learning_rte", "0.1");
    assertEquals(2, unknown.status());
    assertTrue(
        unknown
            .err()
            .contains(
                "--learning_rte is not a setting of the trainer; did you mean"
                    + " 'learning_rate'?"),
        unknown.err());
    assertTrue(unknown.err().contains("Known: data_dir"), unknown.err());

    Outcome gpu = run("--data_dir", dir, "--label", "y", "--devices", "gpu");
    assertEquals(2, gpu.status());
    assertTrue(gpu.err().contains("no GPU is visible"), gpu.err());

    Outcome nan =
        run(
            "--data_dir",
            dir,
            "--label",
            "y",
            "--optimizer",
            "sgd",
            "--learning_rate",
            "1e12",
            "--epochs",
            "3");
    assertEquals(1, nan.status(), nan.err());
    assertTrue(nan.err().contains("the learning rate is probably too high"), nan.err());

    List<String> test = new ArrayList<>(Files.readAllLines(work.resolve("reg/test.csv")));
    test.set(1, "abc,0.5,0.5,a,1.0");
    Files.write(work.resolve("reg/test.csv"), test);
    Outcome text = run("--data_dir", dir, "--label", "y");
    assertEquals(2, text.status());
    assertTrue(
        text.err()
            .contains("numeric feature 'x1' has the non-numeric value 'abc' in the test split"),
        text.err());

    Path cls = work.resolve("cls");
    Files.createDirectories(cls);
    Files.write(cls.resolve("train.csv"), List.of("x,k", "1,a", "2,b", "3,a", "4,b"));
    Files.write(cls.resolve("test.csv"), List.of("x,k", "1,a", "2,c"));
    Outcome unseen = run("--data_dir", cls.toString(), "--label", "k");
    assertEquals(2, unseen.status());
    assertTrue(
        unseen.err().contains("the test split has label values the training split does not: [c]"),
        unseen.err());

    Files.write(cls.resolve("test.csv"), List.of("x,k"));
    Outcome empty = run("--data_dir", cls.toString(), "--label", "k");
    assertEquals(2, empty.status());
    assertTrue(
        empty.err().contains("the test split") && empty.err().contains("is empty"), empty.err());

    Outcome missing = run("--label", "k");
    assertEquals(2, missing.status());
    assertTrue(missing.err().contains("no data: give --data_dir"), missing.err());
    assertTrue(!Files.exists(work.resolve("out/model")), "no model from a failed run");
  }
}
