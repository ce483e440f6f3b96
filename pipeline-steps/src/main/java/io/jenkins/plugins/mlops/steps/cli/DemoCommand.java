package io.jenkins.plugins.mlops.steps.cli;

import io.jenkins.plugins.mlops.steps.ShortProcess;
import io.jenkins.plugins.mlops.steps.data.DataCheckException;
import io.jenkins.plugins.mlops.steps.data.DataChecks;
import io.jenkins.plugins.mlops.steps.data.DatasetLogging;
import io.jenkins.plugins.mlops.steps.data.DatasetManifest;
import io.jenkins.plugins.mlops.steps.data.DatasetPreparer;
import io.jenkins.plugins.mlops.steps.data.PrepareSpec;
import io.jenkins.plugins.mlops.steps.data.Split;
import io.jenkins.plugins.mlops.steps.gate.Conditions;
import io.jenkins.plugins.mlops.steps.gate.EvaluationGate;
import io.jenkins.plugins.mlops.steps.gate.GateReport;
import io.jenkins.plugins.mlops.steps.gate.GateRow;
import io.jenkins.plugins.mlops.steps.gate.GateSpec;
import io.jenkins.plugins.mlops.steps.gate.ModelPromotion;
import io.jenkins.plugins.mlops.steps.report.RunReport;
import io.jenkins.plugins.mlops.steps.training.Launcher;
import io.jenkins.plugins.mlops.steps.training.TrainerSettingsException;
import io.jenkins.plugins.mlops.steps.training.TrainingContext;
import io.jenkins.plugins.mlops.steps.training.TrainingJobSpec;
import io.jenkins.plugins.mlops.steps.training.TrainingResult;
import io.jenkins.plugins.mlops.steps.training.Unchanged;
import io.jenkins.plugins.mlops.steps.training.local.LocalBackend;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mlops demo}: the whole pipeline on embedded defaults, through the same services the other
 * subcommands (and later the Jenkins steps) use: prepare the digits (or the user's CSV), train the
 * built-in trainer on the local backend with its logdir synced into the run, gate it, promote it,
 * and print what happened and where to look.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole pipeline on embedded data: prepare, train (with the TensorBoard logs synced"
          + " into MLflow), gate, promote; then print a summary with the commands to look at it.",
      "The data: UCI's handwritten digits (1,797 rows of 8x8 pixels, 10 classes; CC BY 4.0),"
          + " shipped inside mlops.jar, or your own CSV with --input and --label.",
      "Exit status: 0 the model was promoted; 1 the gate refused it (the run is complete);"
          + " 2 bad options or input; 4 a stage could not run (it is named)."
    },
    footer = {
      "",
      "Examples:",
      "  mlops demo",
      "  mlops demo --epochs 20 --seed 7 --work-dir /tmp/demo",
      "  mlops demo --input wine.csv --label target --model wine",
      "  mlops demo --skip-unchanged                       # scheduled retraining",
      "  mlops demo --distributed --python .venv/bin/python  # Keras on 2 workers",
      "  MLFLOW_TRACKING_URI=http://localhost:5000 mlops demo"
    })
final class DemoCommand implements Callable<Integer> {

  /** The embedded data set, its licence and source, inside the jar. */
  static final String DIGITS = "/io/jenkins/plugins/mlops/steps/demo/digits.csv";

  /** The MLflow and TensorBoard the printed commands are for: the pinned Python set's. */
  static final String PYTHON_TOOLS = "mlflow==3.17.2 tensorboard==2.21.0";

  /** The default registered model, and experiment, of the demo. */
  static final String MODEL = "mlops-demo";

  @Spec CommandSpec spec;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      defaultValue = "mlops-demo",
      description = "Where the data, the job and the gate report go (default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Option(
      names = "--epochs",
      paramLabel = "N",
      defaultValue = "10",
      description = "Training epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "42",
      description = "Seed of the split and of training (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--input",
      paramLabel = "FILE",
      description = "Your own CSV instead of the digits (give --label too).")
  Path input;

  @Option(names = "--label", paramLabel = "COLUMN", description = "The label column of --input.")
  String label;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      defaultValue = MODEL,
      description =
          "The registered model, and the experiment, of the run (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--min-accuracy",
      paramLabel = "X",
      defaultValue = "0.9",
      description = "The gate's absolute condition test_accuracy >= X (default: ${DEFAULT-VALUE}).")
  double minAccuracy;

  @Option(
      names = "--skip-unchanged",
      description =
          "Train only when the data or the job changed since the champion was trained: the same"
              + " prepared data and the same job (trainer, settings) keep the champion and exit"
              + " 0. What the job digest cannot see (a module a script imports, an image tag that"
              + " moved) does not count as a change.")
  boolean skipUnchanged;

  @Option(
      names = "--distributed",
      description =
          "Train the Keras example (examples/training/keras_multiworker.py) on 2 workers with"
              + " MultiWorkerMirroredStrategy instead of the built-in trainer; needs a Python with"
              + " TensorFlow 2.21 and tf_keras (--python).")
  boolean distributed;

  @Option(
      names = "--python",
      paramLabel = "PATH",
      defaultValue = "python3",
      description = "The Python of --distributed (default: ${DEFAULT-VALUE} on the PATH).")
  String python;

  /** The Keras example inside the jar. */
  static final String KERAS = "/io/jenkins/plugins/mlops/steps/demo/keras_multiworker.py";

  /** The decision that skipped training, when {@code --skip-unchanged} did. */
  private Unchanged.Decision skipped;

  @Mixin TrackingUriOption store;

  /** A stage that could not run: exit 4, naming it. */
  private static final class StageFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StageFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    Consumer<String> console = CliTracking.console(err);
    checkOptions();
    Path work = workDir.toAbsolutePath().normalize();
    if (distributed) {
      checkPython(); // before anything is written: a missing Python is a usage error
    }
    Map<String, String> environment = store.environment();
    TrackingConfig tracking;
    try {
      tracking = CliTracking.config(environment, work);
    } catch (IllegalArgumentException e) { // a bad --tracking-uri or MLflow variable
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Map<String, Long> seconds = new LinkedHashMap<>();

    // 1. Data, prepared before MLflow is contacted: bad input writes nothing to the store.
    long t = System.nanoTime();
    Path csv =
        input != null
            ? input.toAbsolutePath().normalize()
            : stage("data", () -> extractDigits(work, console));
    String column = input != null ? label : "digit";
    DatasetManifest manifest = prepare(csv, column, work, console);
    seconds.put("prepare", elapsed(t));

    try (TrackingClient client = TrackingClient.open(tracking, console)) {
      // 2. Train with the built-in trainer on the local backend, its logdir synced into the run.
      t = System.nanoTime();
      TrainingResult result = train(work, manifest, environment, client, console);
      seconds.put("train", elapsed(t));
      if (result == null) { // --skip-unchanged, and nothing changed: the champion stays
        out.println();
        out.println("mlops demo: " + skipped.reason());
        out.printf(
            Locale.ROOT,
            "Data      %s: %,d rows, fingerprint %s%n",
            manifest.name(),
            manifest.totalRows(),
            manifest.fingerprint());
        out.println(
            "Model     models:/"
                + model
                + "@champion = version "
                + skipped.champion().version()
                + " (run "
                + skipped.champion().runId()
                + ")");
        out.flush();
        return ExitCodes.OK;
      }
      if (!result.succeeded()) {
        err.println(
            "mlops demo: the train stage failed: "
                + result.reason()
                + " (run "
                + result.runId()
                + ")");
        return ExitCodes.ERROR;
      }

      // 3. Gate against the champion, when there is one.
      t = System.nanoTime();
      GateReport gate = gate(client, result.runId(), work, console);
      seconds.put("gate", elapsed(t));

      // 4. Promote when blessed.
      ModelPromotion.Result promoted = null;
      if (gate.passed()) {
        t = System.nanoTime();
        promoted =
            stage(
                "promote",
                () ->
                    ModelPromotion.promote(
                        client, model, result.runId(), "model", "champion", false, console));
        seconds.put("promote", elapsed(t));
      }

      // 5. The report, read back from the run as any other front end would.
      t = System.nanoTime();
      Path report;
      try {
        report =
            stage(
                "report",
                () -> RunReport.collect(client, result.runId()).write(work.resolve("report.html")));
      } catch (StageFailed e) { // the pipeline's decisions stand; only the page is missing
        console.accept("WARNING: mlops demo: " + e.getMessage());
        report = null;
      }
      seconds.put("report", elapsed(t));

      ModelPromotion.Result champion = promoted;
      Path page = report;
      stage(
          "summary",
          () -> {
            summary(out, tracking, manifest, client, result, gate, champion, work, page, seconds);
            return null;
          });
      return gate.passed() ? ExitCodes.OK : ExitCodes.FAILURE;
    } catch (StageFailed e) {
      err.println("mlops demo: " + e.getMessage());
      return ExitCodes.ERROR;
    }
  }

  private void checkOptions() {
    if ((input == null) != (label == null)) {
      throw new ParameterException(
          spec.commandLine(),
          input == null
              ? "--label (" + label + ") is for --input: give the CSV too"
              : "--input (" + input + ") needs --label COLUMN, the column to predict");
    }
    if (input != null && !Files.isRegularFile(input)) {
      throw new ParameterException(spec.commandLine(), "--input (" + input + ") is not a file");
    }
    if (epochs < 1) {
      throw new ParameterException(
          spec.commandLine(), "--epochs (" + epochs + ") must be at least 1");
    }
    if (!(minAccuracy >= 0 && minAccuracy <= 1)) {
      throw new ParameterException(
          spec.commandLine(), "--min-accuracy (" + minAccuracy + ") must be within [0, 1]");
    }
  }

  /**
   * Checks that {@code --python} runs and has what the Keras example needs; a usage error naming
   * the command that makes such an environment otherwise.
   */
  private void checkPython() throws InterruptedException {
    String missing;
    try {
      ShortProcess.Result r =
          ShortProcess.run(
              new ProcessBuilder(python, "-c", "import tensorflow, tf_keras, pandas, pyarrow"),
              Duration.ofMinutes(3));
      if (r.timedOut()) {
        missing = "it did not answer within 3 minutes";
      } else if (r.exitCode() != 0) {
        String last = r.output().strip().lines().reduce((a, b) -> b).orElse("exit " + r.exitCode());
        missing = "it cannot import TensorFlow, tf_keras, pandas and pyarrow (" + last + ")";
      } else {
        return;
      }
    } catch (IOException e) {
      missing = "it cannot be run (" + e.getMessage() + ")";
    }
    throw new ParameterException(
        spec.commandLine(),
        "--distributed needs a Python with TensorFlow and tf_keras, and --python ("
            + python
            + ") "
            + missing
            + "; make one with: python3.11 -m venv .venv && .venv/bin/pip install -r"
            + " python/requirements.txt, then add --python .venv/bin/python");
  }

  /** Writes a resource of the jar to {@code target}, complete or not at all. */
  private static Path extract(String resource, Path target) {
    try (InputStream in = DemoCommand.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the jar");
      }
      Files.createDirectories(target.getParent());
      Path temp =
          target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
      try {
        Files.copy(in, temp);
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
      return target;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + target, e);
    }
  }

  /** Writes the embedded digits to {@code <work>/data/digits.csv} (complete, or not at all). */
  private static Path extractDigits(Path work, Consumer<String> console) throws IOException {
    Path target = work.resolve("data").resolve("digits.csv");
    Files.createDirectories(target.getParent());
    try (InputStream in = DemoCommand.class.getResourceAsStream(DIGITS)) {
      if (in == null) {
        throw new IllegalStateException(DIGITS + " is missing from the jar");
      }
      Path temp = target.resolveSibling(".digits." + UUID.randomUUID() + ".tmp");
      try {
        Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
    }
    console.accept(
        "demo: data: UCI's Optical Recognition of Handwritten Digits (1,797 rows, 8x8 pixels,"
            + " 10 classes; E. Alpaydin, C. Kaynak; CC BY 4.0), written to "
            + target);
    return target;
  }

  private DatasetManifest prepare(Path csv, String column, Path work, Consumer<String> console) {
    String name = input == null ? "digits" : stem(csv);
    PrepareSpec prepare;
    try {
      prepare =
          PrepareSpec.builder()
              .addInput(csv.toString())
              .setOutput(work.resolve("prepared"))
              .optLabel(column)
              .optStratify(true)
              .optSeed(seed)
              .setSplits(Split.parse("train=0.7,validation=0.15,test=0.15"))
              .optName(name)
              .optChecks(DataChecks.NONE.withEveryClassIn(List.of("train", "test")))
              .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try { // a label with one class, or none, is refused by the stratified split
      return DatasetPreparer.prepare(prepare, work, console);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    } catch (DataCheckException e) {
      throw new ParameterException(
          spec.commandLine(), "the data failed its checks: " + String.join("; ", e.problems()));
    } catch (RuntimeException e) {
      throw new StageFailed("the prepare stage failed: " + message(e), e);
    }
  }

  private TrainingResult train(
      Path work,
      DatasetManifest manifest,
      Map<String, String> environment,
      TrackingClient client,
      Consumer<String> console) {
    TrainingJobSpec.Builder builder =
        TrainingJobSpec.builder()
            .setNamePrefix("demo")
            .addHyperparameter("epochs", Integer.toString(epochs))
            .addHyperparameter("seed", Long.toString(seed))
            .optDatasetManifest(work.resolve("prepared").resolve("manifest.json"));
    if (distributed) {
      builder
          .setLauncher(Launcher.TENSORFLOW)
          .optWorkers(2)
          .addCommand(python, extract(KERAS, work.resolve("keras_multiworker.py")).toString())
          .addHyperparameter("label", manifest.label());
    } else {
      builder.setLauncher(Launcher.DJL);
    }
    TrainingJobSpec job = builder.build();
    Map<String, String> workerEnv = new LinkedHashMap<>(System.getenv());
    workerEnv.keySet().removeIf(k -> k.startsWith("MLFLOW_") || k.startsWith("MLOPS_"));
    TrainingContext context =
        new TrainingContext(
            work,
            workerEnv,
            console,
            client,
            model,
            "demo-" + manifest.name(),
            UUID.randomUUID().toString());
    LocalBackend backend = new LocalBackend(LocalBackend.Options.defaults(environment));
    if (skipUnchanged) {
      Unchanged.Decision decision =
          stage(
              "skip-unchanged check",
              () ->
                  Unchanged.decide(
                      client,
                      model,
                      "champion",
                      DatasetLogging.preparationDigest(manifest),
                      backend.digest(job, context)));
      console.accept("demo: " + decision.reason());
      if (decision.skip()) {
        skipped = decision;
        return null;
      }
    }
    try {
      return stage("train", () -> backend.submit(job, context).await());
    } catch (StageFailed e) {
      if (e.getCause() instanceof TrainerSettingsException settings) {
        throw new ParameterException(spec.commandLine(), settings.describe(n -> "--" + n));
      }
      throw e;
    }
  }

  private GateReport gate(
      TrackingClient client, String runId, Path work, Consumer<String> console) {
    GateSpec gate =
        new GateSpec(
            runId,
            List.of(
                Conditions.parse("test_accuracy >= " + minAccuracy),
                Conditions.parse("test_accuracy >= baseline - 0.01")),
            "models:/" + model + "@champion",
            true, // the first run has no champion: the absolute condition decides
            work.resolve("gate"));
    return stage("gate", () -> EvaluationGate.run(client, gate, console));
  }

  private interface Stage<T> {
    T run() throws Exception;
  }

  private static <T> T stage(String name, Stage<T> body) {
    try {
      return body.run();
    } catch (RuntimeException e) {
      if (e instanceof ParameterException || e instanceof StageFailed) {
        throw e;
      }
      throw new StageFailed("the " + name + " stage failed: " + message(e), e);
    } catch (Exception e) {
      throw new StageFailed("the " + name + " stage failed: " + message(e), e);
    }
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  private void summary(
      PrintWriter out,
      TrackingConfig tracking,
      DatasetManifest manifest,
      TrackingClient client,
      TrainingResult result,
      GateReport gate,
      ModelPromotion.Result promoted,
      Path work,
      Path report,
      Map<String, Long> seconds) {
    out.println();
    out.println(
        "mlops demo: "
            + (promoted != null
                ? "the model was promoted"
                : gate.verdict() + ": the gate refused the model; the champion stays"));
    out.println();
    out.printf(Locale.ROOT, "Data      %s: %,d rows", manifest.name(), manifest.totalRows());
    manifest.rows().forEach((split, n) -> out.printf(Locale.ROOT, ", %s %,d", split, n));
    out.println();
    out.println("          fingerprint " + manifest.fingerprint());
    out.println(
        "Training  run "
            + result.runId()
            + " (experiment "
            + model
            + "), "
            + result.metrics().getOrDefault("epochs", (double) epochs).intValue()
            + " epochs");
    List<Metric> train = client.runs().metricHistory(result.runId(), "train/epoch_accuracy");
    List<Metric> validation =
        client.runs().metricHistory(result.runId(), "validation/epoch_accuracy");
    out.println("          epoch  train accuracy  validation accuracy");
    Map<Long, Double> byStep = new LinkedHashMap<>();
    validation.forEach(m -> byStep.put(m.step(), m.value()));
    for (Metric m : train) {
      Double v = byStep.get(m.step());
      out.printf(
          Locale.ROOT,
          "          %5d  %14.4f  %19s%n",
          m.step(),
          m.value(),
          v == null ? "-" : String.format(Locale.ROOT, "%.4f", v));
    }
    out.printf(
        Locale.ROOT,
        "          test accuracy %.4f%n",
        result.metrics().getOrDefault("test_accuracy", Double.NaN));
    out.println("Gate      " + gate.verdict() + ": " + gate.summary());
    for (GateRow row : gate.rows()) {
      out.println("          " + row.status() + "  " + row.condition() + "  " + row.reason());
    }
    if (promoted != null) {
      out.println(
          "Model     models:/"
              + promoted.name()
              + "@"
              + promoted.alias()
              + " = version "
              + promoted.version()
              + (promoted.previousVersion() == null
                  ? ""
                  : " (was version "
                      + promoted.previousVersion()
                      + ", now @previous-"
                      + promoted.alias()
                      + ")"));
    }
    out.println(
        "Written   data "
            + work.resolve("prepared")
            + ", job "
            + result.outputDir()
            + ", gate report "
            + work.resolve("gate").resolve("gate-report.html"));
    out.println("Report    " + (report == null ? "(not written: see the warning above)" : report));
    out.println("Look      " + mlflowUi(tracking));
    out.println("          tensorboard --logdir " + result.logdir());
    out.println("          (Python tools: pip install " + PYTHON_TOOLS + ")");
    StringBuilder times = new StringBuilder("Time     ");
    seconds.forEach(
        (stage, millis) ->
            times.append(String.format(Locale.ROOT, " %s %.1f s,", stage, millis / 1000.0)));
    times.setLength(times.length() - 1);
    out.println(times);
    out.flush();
  }

  /** The command that opens this run's store or server in MLflow's UI, as MLflow 3.17 needs it. */
  static String mlflowUi(TrackingConfig tracking) {
    if (tracking.isLocal()) {
      return "MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri "
          + tracking.trackingUri().toString().replaceAll("/$", "");
    }
    return "open " + tracking.trackingUri();
  }

  private static long elapsed(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static String stem(Path file) {
    String name = file.getFileName().toString();
    int dot = name.indexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
