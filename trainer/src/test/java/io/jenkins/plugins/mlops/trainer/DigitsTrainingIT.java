package io.jenkins.plugins.mlops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import io.jenkins.plugins.mlops.harness.TensorBoardPeers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The article's job on the article's data: scikit-learn's handwritten digits (exported by the
 * harness's Python as Parquet splits, stratified 80/10/10 with seed 42), the article's model
 * (Dense(128, relu), softmax output, Adam, sparse categorical cross-entropy).
 */
class DigitsTrainingIT {

  @TempDir static Path data;
  @TempDir Path work;
  private final List<String> console = new ArrayList<>();

  @BeforeAll
  static void exportDigits() {
    PythonEnvironment.shared()
        .runPython(
            Duration.ofMinutes(3),
            "-c",
            "import sys, os; from sklearn.datasets import load_digits;"
                + " from sklearn.model_selection import train_test_split;"
                + " d = load_digits(as_frame=True).frame.rename(columns={'target': 'digit'});"
                + " train, rest = train_test_split(d, test_size=0.2, random_state=42,"
                + " stratify=d['digit']);"
                + " val, test = train_test_split(rest, test_size=0.5, random_state=42,"
                + " stratify=rest['digit']);"
                + " [f.to_parquet(os.path.join(sys.argv[1], n + '.parquet'), index=False)"
                + " for n, f in (('train', train), ('validation', val), ('test', test))]",
            data.toString())
        .requireSuccess();
  }

  private TrainingResult train(String... args) {
    List<String> all = new ArrayList<>(List.of("--label", "digit", "--data_dir", data.toString()));
    all.addAll(List.of(args));
    TrainerConfig config =
        TrainerConfig.from(all, Map.of("MLOPS_OUTPUT_DIR", work.resolve("out").toString()), work);
    return new TrainingRun(config, console::add).run();
  }

  @Test
  void theArticlesModelReachesNinetyFivePercentOnCpuInUnderAMinute() throws Exception {
    long start = System.nanoTime();
    TrainingResult result = train("--epochs", "20", "--batch_size", "32");
    double seconds = (System.nanoTime() - start) / 1e9;

    assertTrue(result.metrics().get("test_accuracy") >= 0.95, result.metrics().toString());
    assertTrue(seconds < 60, "took " + seconds + " s");
    assertEquals(20, result.history().size());
    assertTrue(
        result.history().get(19).get("loss") < result.history().get(0).get("loss"),
        "the training loss falls");
    Path out = work.resolve("out");
    JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    assertEquals(result.metrics().get("test_accuracy"), metrics.get("test_accuracy").asDouble());
    assertEquals(10, metrics.get("confusion_matrix").size());
    long total = 0;
    for (JsonNode row : metrics.get("confusion_matrix")) {
      for (JsonNode cell : row) {
        total += cell.asLong();
      }
    }
    assertEquals(180, total, "every test row is in the confusion matrix");
    JsonNode card = new ObjectMapper().readTree(out.resolve("model/model-card.json").toFile());
    assertEquals("classification", card.get("task").asText());
    assertEquals(64, card.get("input_width").asInt());
    assertEquals(10, card.get("classes").size());
    assertEquals(64, card.get("preprocessing").get("features").size());
    assertTrue(Files.exists(out.resolve("model").resolve(card.get("parameters_file").asText())));
    assertTrue(
        console.stream().anyMatch(l -> l.startsWith("trainer: epoch 20/20 - loss: ")),
        console.toString());
  }

  @Test
  void theEventFilesReadInTensorBoardWithKerasNames() throws Exception {
    TrainingResult result = train("--epochs", "3", "--log_every_batches", "10");
    Path logdir = work.resolve("out/logs");
    Path json = work.resolve("tb.json");
    TensorBoardPeers.read(json, List.of(logdir));

    JsonNode tb =
        new ObjectMapper().readTree(json.toFile()).get(logdir.toString()).get("tensorboard");
    assertEquals(0, tb.get("errors").size(), tb.get("errors").toString());
    Map<String, Double> points = new HashMap<>();
    Set<String> keys = new HashSet<>();
    for (JsonNode p : tb.get("scalars")) {
      String key = p.get(0).asText() + "/" + p.get(1).asText();
      keys.add(key);
      points.put(key + "@" + p.get(2).asLong(), p.get(4).asDouble());
    }
    for (String key :
        List.of(
            "train/epoch_loss",
            "train/epoch_accuracy",
            "train/epoch_learning_rate",
            "train/batch_loss",
            "validation/epoch_loss",
            "validation/epoch_accuracy")) {
      assertTrue(keys.contains(key), key + " in " + keys);
    }
    assertEquals(
        result.history().get(2).get("val_accuracy"),
        points.get("validation/epoch_accuracy@3"),
        1e-6);
    // One name per quantity: the test numbers are the summary's (test_accuracy, ...), not a
    // TensorBoard series too; the series have no twin among the summary's names.
    assertTrue(keys.stream().noneMatch(k -> k.startsWith("test/")), keys.toString());
    Set<String> summary = new HashSet<>(result.metrics().keySet());
    summary.remove("best_epoch"); // only with early stopping
    assertEquals(
        Set.of(
            "test_loss",
            "test_accuracy",
            "test_precision_macro",
            "test_recall_macro",
            "test_f1_macro",
            "epochs"),
        summary);
  }

  /** The trainer jar as a child process, in {@code dir}. */
  private Process trainer(Path out, Path checkpoints, String epochs) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true",
                "-jar",
                System.getProperty("mlops.trainerJar"),
                "--label",
                "digit",
                "--epochs",
                epochs,
                "--hidden",
                "64,32",
                "--dropout",
                "0.2",
                "--batch_norm",
                "true",
                "--schedule",
                "cosine",
                "--warmup_epochs",
                "2"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("MLOPS_DATA_DIR", data.toString());
    pb.environment().put("MLOPS_OUTPUT_DIR", out.toString());
    pb.environment().put("MLOPS_CHECKPOINT_DIR", checkpoints.toString());
    pb.redirectOutput(out.resolveSibling(out.getFileName() + ".log").toFile());
    Files.createDirectories(out);
    return pb.start();
  }

  @Test
  void aKilledRunResumedEndsWithTheWeightsOfAnUninterruptedOne() throws Exception {
    Process whole = trainer(work.resolve("whole"), work.resolve("whole-ckpt"), "12");
    assertEquals(0, whole.waitFor(), Files.readString(work.resolve("whole.log")));

    Path checkpoints = work.resolve("killed-ckpt");
    Process killed = trainer(work.resolve("killed"), checkpoints, "12");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!Files.isDirectory(checkpoints.resolve("epoch-00003")) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    killed.destroyForcibly(); // SIGKILL: no shutdown hook, no final checkpoint
    killed.waitFor();
    assertTrue(
        !Files.exists(work.resolve("killed/model")),
        "killed before the end: " + Files.readString(work.resolve("killed.log")));
    Process resumed = trainer(work.resolve("killed"), checkpoints, "12");
    assertEquals(0, resumed.waitFor(), Files.readString(work.resolve("killed.log")));
    String log = Files.readString(work.resolve("killed.log"));
    assertTrue(log.contains("trainer: resumed from "), log);

    byte[] expected = parameters(work.resolve("whole/model"));
    byte[] actual = parameters(work.resolve("killed/model"));
    assertTrue(java.util.Arrays.equals(expected, actual), "the same weights, bit for bit");
    JsonNode a = new ObjectMapper().readTree(work.resolve("whole/metrics.json").toFile());
    JsonNode b = new ObjectMapper().readTree(work.resolve("killed/metrics.json").toFile());
    assertEquals(a.get("test_loss").asDouble(), b.get("test_loss").asDouble());
    assertEquals(
        a.get("last_epoch").get("val_loss").asDouble(),
        b.get("last_epoch").get("val_loss").asDouble());
  }

  private static byte[] parameters(Path model) throws Exception {
    try (var files = Files.list(model)) {
      Path params =
          files
              .filter(p -> p.getFileName().toString().endsWith(".params"))
              .findFirst()
              .orElseThrow();
      return Files.readAllBytes(params);
    }
  }
}
