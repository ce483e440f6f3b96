package io.jenkins.plugins.mlops.steps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import io.jenkins.plugins.mlops.tracking.ModelVersion;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlops demo} as a newcomer runs it: a fresh directory, no server, the defaults; then read
 * back by MLflow's own Python client, run again against the champion, run against a real server,
 * and refused on bad input without writing anything to the store.
 */
class DemoIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  @TempDir Path home;

  private record Outcome(int status, String out, String err) {
    String all() {
      return out + "\n" + err;
    }
  }

  private static Path trainerJar() {
    return Path.of(System.getProperty("mlops.repoRoot", ".."))
        .toAbsolutePath()
        .normalize()
        .resolve("trainer/target/trainer.jar");
  }

  /** Runs {@code mlops demo ARGS} in {@code dir}, as a process, with no MLFLOW_* variable set. */
  private static Outcome demo(Path dir, Map<String, String> env, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("mlops.cliJar"),
                "demo"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir.getParent(), "demo", ".out");
    Path err = Files.createTempFile(dir.getParent(), "demo", ".err");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("MLFLOW_") || k.startsWith("MLOPS_"));
    builder.environment().put("MLOPS_TRAINER_JAR", trainerJar().toString());
    builder.environment().putAll(env);
    Process p = builder.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("mlops demo did not end within 5 minutes");
    }
    return new Outcome(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private Path freshDir(String name) throws Exception {
    return Files.createDirectories(home.resolve(name));
  }

  @Test
  void onAFreshDirectoryTheDemoRunsToTheEndAndMlflowReadsWhatItWrote() throws Exception {
    Path dir = freshDir("fresh");

    Outcome first = demo(dir, Map.of(), "--epochs", "3");

    assertEquals(0, first.status(), first.all());
    assertTrue(first.out().contains("mlops demo: the model was promoted"), first.out());
    assertTrue(first.out().contains("models:/mlops-demo@champion = version 1"), first.out());
    assertTrue(first.err().contains("CC BY 4.0"), "the data's licence is named: " + first.err());
    Path mlruns = dir.resolve("mlruns");
    String storeUri = mlruns.toUri().toString().replaceAll("/$", "");
    String look = "MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri " + storeUri;
    assertTrue(first.out().contains(look + "\n"), first.out());
    assertTrue(
        mlflowUiShowsTheExperiment(storeUri, "mlops-demo"), "the printed mlflow ui command works");
    assertTrue(
        first.out().contains("tensorboard --logdir " + dir.resolve("mlops-demo")), first.out());
    assertTrue(first.out().matches("(?s).*Time +prepare \\S+ s, train \\S+ s, gate \\S+ s.*"));

    // MLflow's own client reads the store exactly as the demo printed it.
    JsonNode read = readWithMlflow(mlruns);
    assertEquals("3", read.get("params").get("epochs").asText(), read.toString());
    assertEquals(3, read.get("validation_accuracy_steps").asInt(), read.toString());
    assertTrue(read.get("inputs").asInt() >= 1, "dataset inputs on the run: " + read);
    assertEquals(read.get("run_id").asText(), read.get("champion_run").asText());
    assertTrue(read.get("test_accuracy").asDouble() >= 0.9, read.toString());
    assertTrue(Files.isRegularFile(dir.resolve("mlops-demo/gate/gate-report.html")));

    // The report: self-contained, its curves as many points as epochs, the gate, the data, the
    // confusion matrix of the test split.
    Path report = dir.resolve("mlops-demo/report.html");
    assertTrue(first.out().contains("Report    " + report), first.out());
    String html = Files.readString(report);
    assertFalse(html.matches("(?s).*<script.*"), "no script");
    assertFalse(html.matches("(?s).*(src|href)=\"https?://.*"), "nothing fetched");
    List<String> charts = ReportPages.svgs(html);
    assertEquals(2, charts.size(), "loss and accuracy");
    for (String chart : charts) {
      Map<String, Integer> points = ReportPages.pointsBySeries(chart);
      assertEquals(Map.of("train", 3, "validation", 3), points, chart);
    }
    assertTrue(html.contains("<td class=\"PASS\">PASS</td>"), "the gate's rows");
    assertTrue(html.contains("test_accuracy &gt;= 0.9"), "the gate's condition");
    assertEquals(269, ReportPages.confusionTotal(html), "every test row in the matrix");
    assertTrue(html.contains(read.get("run_id").asText()));

    // ... and in a real browser: it loads, fetches nothing, its charts have a size and a marker per
    // epoch; the screenshot stays in target/ for a person to look at.
    ReportPages.Rendered page =
        ReportPages.inBrowser(
            report,
            Path.of(System.getProperty("mlops.repoRoot", ".."))
                .toAbsolutePath()
                .normalize()
                .resolve("pipeline-steps/target/report-screenshots/demo-report.png"));
    assertEquals(0, page.probe().get("resources").asInt(), page.probe().toString());
    assertEquals(2, page.probe().get("charts").size(), page.probe().toString());
    for (JsonNode chart : page.probe().get("charts")) {
      assertTrue(chart.get("width").asDouble() > 100 && chart.get("height").asDouble() > 100);
      assertEquals(2, chart.get("series").size(), chart.toString());
      for (JsonNode series : chart.get("series")) {
        assertEquals(3, series.get("points").asInt(), series.toString());
        assertTrue(series.get("width").asDouble() > 0, series.toString());
      }
    }
    byte[] png = Files.readAllBytes(page.png());
    assertTrue(png.length > 10_000, "a screenshot with something on it");
    assertEquals(
        1150,
        java.nio.ByteBuffer.wrap(png, 16, 4).getInt(),
        "the PNG's width, from its IHDR chunk");

    // Again: the same data and seed give the same model, which passes against the champion.
    Outcome second = demo(dir, Map.of(), "--epochs", "3");

    assertEquals(0, second.status(), second.all());
    assertTrue(
        second.out().contains("= version 2 (was version 1, now @previous-champion)"), second.out());
    assertTrue(second.out().contains("baseline"), "the gate compared: " + second.out());
    Path manifest = dir.resolve("mlops-demo/prepared/manifest.json");
    assertTrue(
        second.err().contains("prepare: unchanged against manifest " + manifest), second.err());

    // Scheduled retraining: unchanged data and job keep the champion without training ...
    long jobs;
    try (var dirs = Files.list(dir.resolve("mlops-demo/mlops-jobs"))) {
      jobs = dirs.count();
    }
    Outcome unchanged = demo(dir, Map.of(), "--epochs", "3", "--skip-unchanged");

    assertEquals(0, unchanged.status(), unchanged.all());
    assertTrue(
        unchanged.out().contains("mlops demo: unchanged: models:/mlops-demo@champion (version 2,"),
        unchanged.out());
    assertTrue(unchanged.out().contains("training skipped"), unchanged.out());
    try (var dirs = Files.list(dir.resolve("mlops-demo/mlops-jobs"))) {
      assertEquals(jobs, dirs.count(), "no job ran");
    }

    // ... and changed data trains again, saying why.
    Outcome changed = demo(dir, Map.of(), "--epochs", "3", "--seed", "7", "--skip-unchanged");

    assertTrue(changed.status() == 0 || changed.status() == 1, changed.all());
    assertTrue(
        changed.err().contains("prepare: changed against manifest " + manifest), changed.err());
    assertTrue(changed.err().contains("demo: training: the data changed"), changed.err());
  }

  @Test
  void theSamePipelineRunsAgainstARealServerWithNoOtherChange() throws Exception {
    Path dir = freshDir("server");
    String model = "demo-" + UUID.randomUUID().toString().substring(0, 8);

    Outcome o =
        demo(
            dir,
            Map.of("MLFLOW_TRACKING_URI", mlflow.trackingUri()),
            "--epochs",
            "5",
            "--model",
            model);

    assertEquals(0, o.status(), o.all());
    assertFalse(Files.exists(dir.resolve("mlruns")), "nothing went to a file store");
    try (TrackingClient client =
        TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), dir), line -> {})) {
      ModelVersion champion = client.registry().getByAlias(model, "champion").orElseThrow();
      assertEquals("1", champion.version());
      assertTrue(o.out().contains("run " + champion.runId()), o.out());
    }
  }

  @Test
  void distributedTrainsTheKerasExampleOnTwoWorkersOrSaysHowToGetPython() throws Exception {
    Path dir = freshDir("distributed");
    Path noPython = dir.resolve("no-python");

    Outcome refused = demo(dir, Map.of(), "--distributed", "--python", noPython.toString());

    assertEquals(2, refused.status(), refused.all());
    List<String> errors = refused.err().lines().filter(l -> l.startsWith("mlops demo: ")).toList();
    assertEquals(1, errors.size(), refused.err());
    assertTrue(
        errors.get(0).contains("--python (" + noPython + ") it cannot be run"), errors.get(0));
    assertTrue(errors.get(0).contains("pip install -r python/requirements.txt"), errors.get(0));
    try (var left = Files.list(dir)) {
      assertEquals(List.of(), left.map(Path::getFileName).map(Path::toString).toList(), "nothing");
    }

    Outcome keras =
        demo(
            dir,
            Map.of(),
            "--distributed",
            "--python",
            PythonEnvironment.shared().python().toString(),
            "--epochs",
            "4",
            "--min-accuracy",
            "0.5");

    assertEquals(0, keras.status(), keras.all());
    assertTrue(
        keras.err().contains("starting 2 worker(s) with the tensorflow launcher"), keras.err());
    assertTrue(keras.out().contains("models:/mlops-demo@champion = version 1"), keras.out());
    List<String> charts = ReportPages.svgs(Files.readString(dir.resolve("mlops-demo/report.html")));
    assertEquals(Map.of("train", 4, "validation", 4), ReportPages.pointsBySeries(charts.get(0)));
  }

  @Test
  void badInputIsOneLineExitTwoAndNothingInTheStore() throws Exception {
    Path dir = freshDir("bad");
    Path oneClass = dir.resolve("one-class.csv");
    List<String> rows = new ArrayList<>(List.of("x,y,label"));
    for (int i = 0; i < 50; i++) {
      rows.add(i + "," + (i % 3) + ",same");
    }
    Files.write(oneClass, rows);

    List<Outcome> outcomes =
        List.of(
            demo(dir, Map.of(), "--input", dir.resolve("missing.csv").toString(), "--label", "y"),
            demo(dir, Map.of(), "--input", oneClass.toString(), "--label", "colour"),
            demo(dir, Map.of(), "--input", oneClass.toString(), "--label", "label"));

    List<String> expected =
        List.of(
            "--input (" + dir.resolve("missing.csv") + ") is not a file",
            "label (colour) is not a column of the data. Columns: x, y, label",
            "label (label) has 1 class(es) after cleaning");
    for (int i = 0; i < outcomes.size(); i++) {
      Outcome o = outcomes.get(i);
      assertEquals(2, o.status(), o.all());
      List<String> errors = o.err().lines().filter(l -> l.startsWith("mlops demo: ")).toList();
      assertEquals(1, errors.size(), "one line says what is wrong: " + o.err());
      assertTrue(errors.get(0).contains(expected.get(i)), o.err());
    }
    assertFalse(Files.exists(dir.resolve("mlruns")), "nothing was written to the store");
  }

  /**
   * Runs the printed {@code mlflow ui} command (MLflow's own, from the pinned set) on a free port
   * and asks it for the experiments; waits for the server to answer, then stops its whole tree.
   */
  private static boolean mlflowUiShowsTheExperiment(String storeUri, String experiment)
      throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ProcessBuilder builder =
        PythonEnvironment.shared()
            .processBuilder(
                List.of(
                    "mlflow",
                    "ui",
                    "--backend-store-uri",
                    storeUri,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    Integer.toString(port)));
    builder.environment().put("MLFLOW_ALLOW_FILE_STORE", "true");
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process ui = builder.start();
    try {
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.URI search =
          java.net.URI.create(
              "http://127.0.0.1:" + port + "/api/2.0/mlflow/experiments/search?max_results=100");
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < end && ui.isAlive()) {
        try {
          java.net.http.HttpResponse<String> r =
              http.send(
                  java.net.http.HttpRequest.newBuilder(search).build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            return r.body().contains("\"" + experiment + "\"");
          }
        } catch (java.io.IOException notYet) {
          // the server is still starting: the next attempt waits on its connect
        }
        ui.waitFor(200, TimeUnit.MILLISECONDS);
      }
      return false;
    } finally {
      ui.descendants().forEach(ProcessHandle::destroy);
      ui.destroy();
      if (!ui.waitFor(30, TimeUnit.SECONDS)) {
        ui.descendants().forEach(ProcessHandle::destroyForcibly);
        ui.destroyForcibly();
      }
    }
  }

  /** Reads the demo's run and champion with MLflow's own Python client. */
  private static JsonNode readWithMlflow(Path mlruns) throws Exception {
    String script =
        String.join(
            "\n",
            "import json, sys",
            "from mlflow.tracking import MlflowClient",
            "c = MlflowClient(tracking_uri=sys.argv[1], registry_uri=sys.argv[1])",
            "v = c.get_model_version_by_alias('mlops-demo', 'champion')",
            "r = c.get_run(v.run_id)",
            "h = c.get_metric_history(v.run_id, 'validation/epoch_accuracy')",
            "print(json.dumps({'run_id': r.info.run_id, 'champion_run': v.run_id,",
            "  'params': r.data.params, 'validation_accuracy_steps': len(h),",
            "  'test_accuracy': r.data.metrics.get('test_accuracy'),",
            "  'inputs': len(r.inputs.dataset_inputs)}))");
    ProcessBuilder builder =
        PythonEnvironment.shared()
            .processBuilder(
                List.of(
                    PythonEnvironment.shared().python().toString(),
                    "-c",
                    script,
                    mlruns.toUri().toString()));
    Path out = Files.createTempFile("demo-read", ".json");
    builder.redirectOutput(out.toFile()).redirectErrorStream(false);
    Process p = builder.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(3, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), err);
    String json = Files.readString(out);
    Files.delete(out);
    return new ObjectMapper().readTree(json.lines().reduce((a, b) -> b).orElse("{}"));
  }
}
