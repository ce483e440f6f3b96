package io.jenkins.plugins.mlops.steps.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jenkins.plugins.mlops.steps.gate.Condition;
import io.jenkins.plugins.mlops.steps.gate.Conditions;
import io.jenkins.plugins.mlops.steps.gate.EvaluationGate;
import io.jenkins.plugins.mlops.steps.gate.GateReport;
import io.jenkins.plugins.mlops.steps.gate.GateSpec;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mlops gate}: evaluates a run against conditions and a baseline; exit 0 pass, 1 fail, 2
 * usage.
 */
@Command(
    name = "gate",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate a run against threshold conditions and a baseline; exit 0 pass, 1 fail.",
      "Conditions: 'test_accuracy >= 0.95', 'val_loss < 0.3', 'f1 == 0.9 ± 0.01',"
          + " 'test_accuracy >= baseline + 0.005', 'test_loss <= baseline * 0.98',"
          + " 'min(validation/epoch_loss) <= 0.2', 'validation/epoch_accuracy@9 >= 0.9' (the"
          + " built-in trainer's series); or MLflow's MetricThreshold as"
          + " maps in --conditions-file.",
      "The verdict is tagged on the run (mlops.gate.status), and with --report-dir written as"
          + " gate-report.json/.md/.html and a BLESSED or NOT_BLESSED file.",
      "Exit status: 0 passed, 1 not passed, 2 bad conditions or options, 4 could not run."
    })
final class GateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description = "The MLflow run of the candidate model (default: MLFLOW_RUN_ID).")
  String runId;

  @Option(
      names = "--condition",
      paramLabel = "EXPR",
      description = "A condition such as 'test_accuracy >= 0.95'; repeat for more.")
  List<String> conditions = new ArrayList<>();

  @Option(
      names = "--conditions-file",
      paramLabel = "FILE",
      description =
          "YAML or JSON: a list of condition strings and MLflow-style maps {metric, threshold,"
              + " minAbsoluteChange, minRelativeChange, greaterIsBetter}.")
  Path conditionsFile;

  @Option(
      names = "--baseline",
      paramLabel = "REF",
      description =
          "models:/<name>@<alias>, models:/<name>/<version>, a run id, or"
              + " best:<experiment>:<metric>[:max|min].")
  String baseline;

  @Option(
      names = "--no-baseline",
      paramLabel = "POLICY",
      defaultValue = "fail",
      description =
          "When the baseline does not exist at all (its registered model, or the experiment or"
              + " finished runs of best:): fail (change conditions fail, as MLflow's do) or skip"
              + " (a first run: change conditions are not checked, the absolute ones decide)."
              + " A model that exists without the alias is always an error. Default:"
              + " ${DEFAULT-VALUE}.")
  String noBaseline;

  @Option(
      names = "--report-dir",
      paramLabel = "DIR",
      description = "Write gate-report.json/.md/.html and BLESSED or NOT_BLESSED here.")
  Path reportDir;

  @Mixin TrackingUriOption store;

  @Option(names = "--json", description = "Print the report as JSON on standard output.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    GateSpec gate;
    try {
      List<Condition> all = new ArrayList<>();
      if (conditionsFile != null) {
        all.addAll(readFile(conditionsFile));
      }
      for (String c : conditions) {
        all.add(Conditions.parse(c));
      }
      if (!noBaseline.equals("skip") && !noBaseline.equals("fail")) {
        throw new IllegalArgumentException(
            "--no-baseline (" + noBaseline + ") must be skip or fail");
      }
      if (all.isEmpty()) {
        throw new IllegalArgumentException(
            "give at least one --condition (e.g. 'test_accuracy >= 0.95') or --conditions-file");
      }
      String run = runId != null ? runId : System.getenv("MLFLOW_RUN_ID");
      if (run == null || run.isBlank()) {
        throw new IllegalArgumentException("give --run-id (or set MLFLOW_RUN_ID)");
      }
      gate = new GateSpec(run, all, baseline, noBaseline.equals("skip"), reportDir);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try (TrackingClient client = CliTracking.open(store.environment(), err)) {
      GateReport report;
      try {
        report = EvaluationGate.run(client, gate, CliTracking.console(err));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(json ? report.toJson() : report.verdict() + ": " + report.summary());
      return report.passed() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
  }

  /** A YAML/JSON list of strings and maps, or a map with a {@code conditions} list. */
  static List<Condition> readFile(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--conditions-file (" + file + ") cannot be read: " + e.getMessage(), e);
    }
    if (root != null && root.isObject() && root.has("conditions")) {
      root = root.get("conditions");
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException(
          "--conditions-file (" + file + ") must hold a list of conditions");
    }
    List<Condition> out = new ArrayList<>();
    ObjectMapper mapper = new ObjectMapper();
    for (JsonNode item : root) {
      if (item.isTextual()) {
        out.add(Conditions.parse(item.asText()));
      } else if (item.isObject()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = mapper.convertValue(item, Map.class);
        out.add(Conditions.fromMap(map));
      } else {
        throw new IllegalArgumentException(
            "--conditions-file (" + file + "): " + item + " is neither a string nor a map");
      }
    }
    return out;
  }
}
