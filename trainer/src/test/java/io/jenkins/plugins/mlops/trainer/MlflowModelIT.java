package io.jenkins.plugins.mlops.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model the trainer logs is an MLflow Model: registered and aliased {@code champion}, MLflow's
 * own {@code mlflow.pyfunc.load_model("models:/…@champion")} loads it, and its predictions on the
 * test split are the trainer's (the same confusion matrix, cell by cell).
 */
class MlflowModelIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  @TempDir Path work;

  @Test
  void aRegisteredVersionLoadsWithPyfuncAndPredictsAsTheTrainerDid() throws Exception {
    Path data = work.resolve("data");
    Files.createDirectories(data);
    Random random = new Random(7);
    String[] colors = {"red", "green", "blue"};
    for (String split : List.of("train", "test")) {
      List<String> lines = new ArrayList<>(List.of("size,weight,color,city,label"));
      for (int i = 0; i < (split.equals("train") ? 600 : 300); i++) {
        int size = random.nextInt(10);
        double weight = random.nextGaussian();
        String color = colors[random.nextInt(3)];
        int city = random.nextInt(20);
        double score = size / 3.0 + weight + (color.equals("red") ? 1 : 0) + (city % 3) * 0.5;
        score += random.nextGaussian() * 0.8;
        String label = score < 2 ? "low" : score < 3.5 ? "mid" : "high";
        // a missing weight, in the training split's first rows: the example has a null
        lines.add(size + "," + (i == 1 ? "" : weight) + "," + color + ",c" + city + "," + label);
      }
      Files.write(data.resolve(split + ".csv"), lines);
    }
    String name = "pyfunc-" + UUID.randomUUID();
    String runId;
    try (TrackingClient client =
        TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), line -> {})) {
      Experiment e = client.experiments().getOrCreate("trainer-" + UUID.randomUUID());
      runId = client.runs().create(NewRun.of(e.id(), "djl")).id();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int status =
          TrainerMain.run(
              List.of(
                  "--label",
                  "label",
                  "--epochs",
                  "8",
                  "--hidden",
                  "16,8",
                  "--batch_norm",
                  "true",
                  "--activation",
                  "gelu"),
              Map.of(
                  "MLOPS_DATA_DIR", data.toString(),
                  "MLOPS_OUTPUT_DIR", work.resolve("out").toString(),
                  "MLFLOW_TRACKING_URI", mlflow.trackingUri(),
                  "MLFLOW_RUN_ID", runId),
              work,
              new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
      client.registry().createIfMissing(name);
      String version =
          client.registry().createVersion(name, "runs:/" + runId + "/model", runId).version();
      client.registry().setAlias(name, "champion", version);
    }

    JsonNode answer =
        new ObjectMapper()
            .readTree(
                python(
                    "pyfunc_predict.py",
                    mlflow.trackingUri(),
                    "models:/" + name + "@champion",
                    data.resolve("test.csv").toString()));

    assertEquals("mlops_mlp", answer.get("loader").asText());
    assertTrue(answer.get("flavors").toString().contains("\"djl\""), answer.toString());
    assertEquals(
        "[{\"type\":\"long\",\"name\":\"size\",\"required\":true},"
            + "{\"type\":\"double\",\"name\":\"weight\",\"required\":true},"
            + "{\"type\":\"string\",\"name\":\"color\",\"required\":true},"
            + "{\"type\":\"string\",\"name\":\"city\",\"required\":true}]",
        answer.get("inputs").toString());
    assertEquals(5, answer.get("example_rows").asInt());
    assertEquals(5, answer.get("example_predictions").size());

    JsonNode metrics = new ObjectMapper().readTree(work.resolve("out/metrics.json").toFile());
    List<String> classes = new ArrayList<>();
    metrics.get("classes").forEach(c -> classes.add(c.asText()));
    List<String> truth = Files.readAllLines(data.resolve("test.csv"));
    long[][] confusion = new long[classes.size()][classes.size()];
    for (int i = 0; i < answer.get("predictions").size(); i++) {
      String actual = truth.get(i + 1).substring(truth.get(i + 1).lastIndexOf(',') + 1);
      confusion[classes.indexOf(actual)][
          classes.indexOf(answer.get("predictions").get(i).asText())]++;
    }
    assertEquals(
        metrics.get("confusion_matrix").toString(),
        new ObjectMapper().writeValueAsString(confusion),
        "pyfunc's predictions on the test split are the trainer's");
    double accuracy = metrics.get("test_accuracy").asDouble();
    assertTrue(accuracy > 0.5 && accuracy < 1, "a task with errors to agree on: " + accuracy);
  }

  private static String python(String resource, String... args) throws Exception {
    Path script = Files.createTempFile("mlops-trainer-", "-" + resource);
    try (InputStream in = MlflowModelIT.class.getResourceAsStream(resource)) {
      Files.write(script, in.readAllBytes());
    }
    String[] command = new String[args.length + 1];
    command[0] = script.toString();
    System.arraycopy(args, 0, command, 1, args.length);
    try {
      String out =
          PythonEnvironment.shared()
              .runPython(Duration.ofMinutes(3), command)
              .requireSuccess()
              .stdout()
              .strip();
      return out.substring(out.lastIndexOf('\n') + 1);
    } finally {
      Files.deleteIfExists(script);
    }
  }
}
