package io.jenkins.plugins.mlops.steps.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jenkins.plugins.mlops.steps.MlflowLookup;
import io.jenkins.plugins.mlops.steps.data.DataCheckException;
import io.jenkins.plugins.mlops.steps.data.DataChecks;
import io.jenkins.plugins.mlops.steps.data.DatasetLogging;
import io.jenkins.plugins.mlops.steps.data.DatasetManifest;
import io.jenkins.plugins.mlops.steps.data.DatasetPreparer;
import io.jenkins.plugins.mlops.steps.data.PrepareSpec;
import io.jenkins.plugins.mlops.steps.data.Split;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mlops prepare}: cleans and splits input data with DuckDB, writes the splits and a
 * manifest.
 */
@Command(
    name = "prepare",
    mixinStandardHelpOptions = true,
    description = {
      "Clean and split input data with DuckDB, write Parquet splits and a manifest.",
      "Splits are stable (a hash of the seed and the row, key or group decides a row's split),"
          + " outputs appear only when all are complete, and manifest.json records counts,"
          + " statistics and a content fingerprint."
    })
final class PrepareCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "PATH",
      description =
          "Input data: a CSV/TSV, Parquet or JSON-lines file, a directory or a glob"
              + " (repeatable).")
  List<String> inputs;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "auto",
      description = "auto, csv, parquet or json (default: from the file extension).")
  String format;

  @Option(
      names = "--delimiter",
      paramLabel = "CHAR",
      description = "CSV delimiter (default:" + " detected; \\t for tab).")
  String delimiter;

  @Option(
      names = "--header",
      negatable = true,
      description = "CSV files have a header row" + " (default: detected).")
  Boolean header;

  @Option(
      names = "--null",
      paramLabel = "TOKEN",
      description = "A CSV string meaning no value," + " e.g. NA (repeatable).")
  List<String> nullTokens = new ArrayList<>();

  @Option(
      names = "--type",
      paramLabel = "COLUMN:TYPE",
      description =
          "Declare a column's type"
              + " (e.g. age:INTEGER; repeatable): a value that does not fit fails with its file, line and"
              + " column.")
  List<String> declaredTypes = new ArrayList<>();

  @Option(names = "--label", paramLabel = "COLUMN", description = "The label column.")
  String label;

  @Option(
      names = "--split",
      paramLabel = "NAME=F,...",
      description =
          "Named fractions summing to 1 (default: train=0.8,validation=0.1,test=0.1); with"
              + " --cutoffs, names only (default: train,validation,test).")
  String split;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed of the split hash (default:" + " ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--stratify", description = "Keep the label's class proportions in every split.")
  boolean stratify;

  @Option(
      names = "--group-by",
      paramLabel = "COLUMN",
      description = "Keep all rows of a value of" + " this column in one split (no leakage).")
  String groupBy;

  @Option(
      names = "--key",
      paramLabel = "COLUMN",
      description =
          "Split by a hash of this column (a" + " stable row id) instead of the whole row.")
  String key;

  @Option(
      names = "--time-column",
      paramLabel = "COLUMN",
      description =
          "Split by time: the oldest rows go to the first split, the newest to the last (at the"
              + " fractions, or at --cutoffs).")
  String timeColumn;

  @Option(
      names = "--cutoffs",
      paramLabel = "T1,...",
      split = ",",
      description =
          "With --time-column: the start of each split after the first, e.g. 2024-07-01,2024-10-01.")
  List<String> cutoffs = new ArrayList<>();

  @Option(names = "--drop-na", description = "Drop rows with a null in any column.")
  boolean dropNa;

  @Option(
      names = "--drop-na-column",
      paramLabel = "COLUMN",
      description = "Drop rows with a null" + " in this column (repeatable).")
  List<String> dropNaColumns = new ArrayList<>();

  @Option(names = "--dedupe", description = "Drop exact duplicate rows.")
  boolean dedupe;

  @Option(
      names = "--keep",
      paramLabel = "COLUMN",
      description = "Keep only these columns (and the" + " label; repeatable).")
  List<String> keep = new ArrayList<>();

  @Option(names = "--drop", paramLabel = "COLUMN", description = "Drop this column (repeatable).")
  List<String> drop = new ArrayList<>();

  @Option(
      names = "--filter",
      paramLabel = "SQL",
      description = "Keep rows satisfying this SQL" + " condition, e.g. \"age >= 18\".")
  String filter;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "DIR",
      description = "Directory for the splits and manifest.json.")
  Path output;

  @Option(
      names = "--output-format",
      paramLabel = "FORMAT",
      defaultValue = "parquet",
      description = "parquet or csv (default: ${DEFAULT-VALUE}).")
  String outputFormat;

  @Option(
      names = "--memory-limit",
      paramLabel = "SIZE",
      description = "DuckDB memory limit, e.g." + " 2GB; beyond it DuckDB spills to disk.")
  String memoryLimit;

  @Option(names = "--spill-dir", paramLabel = "DIR", description = "Where DuckDB spills.")
  Path spillDir;

  @Option(
      names = "--min-rows",
      paramLabel = "N",
      defaultValue = "0",
      description = "Fail when fewer rows are prepared.")
  long minRows;

  @Option(
      names = "--max-null-fraction",
      paramLabel = "F",
      defaultValue = "1",
      description = "Fail when a column has a larger fraction of nulls.")
  double maxNullFraction;

  @Option(
      names = "--expect-classes",
      paramLabel = "A,B,...",
      split = ",",
      description = "Fail unless the label has exactly these classes, each of them in every split.")
  List<String> expectClasses = new ArrayList<>();

  @Option(
      names = "--every-class-in",
      paramLabel = "SPLIT,...",
      split = ",",
      description =
          "Fail when one of these splits has no row of a label class (otherwise that is a"
              + " warning), e.g. test.")
  List<String> everyClassIn = new ArrayList<>();

  @Option(
      names = "--null-padding",
      description = "CSV: give a line with fewer fields than the header nulls for the rest.")
  boolean nullPadding;

  @Option(
      names = "--ignore-errors",
      description =
          "CSV: skip lines that cannot be read (counted in the manifest, the first named in a"
              + " warning).")
  boolean ignoreErrors;

  @Option(
      names = "--force",
      description =
          "Publish into an output directory that holds files of its own: replace only the splits"
              + " and the manifest and keep the rest (without it, such a directory is refused and"
              + " an earlier preparation's directory is replaced as a whole).")
  boolean force;

  @Option(
      names = "--previous-manifest",
      paramLabel = "FILE",
      description =
          "Compare with the"
              + " manifest of an earlier preparation: \"data unchanged\", or drift per column.")
  Path previousManifest;

  @Option(
      names = "--fail-psi",
      paramLabel = "PSI",
      description =
          "Fail when a numeric column's" + " PSI reaches this (default: only warn, at 0.1).")
  Double failPsi;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description =
          "Log the splits as dataset inputs"
              + " of this MLflow run, and the manifest as an artifact (default: MLFLOW_RUN_ID, if set).")
  String runId;

  @Option(
      names = "--dataset-name",
      paramLabel = "NAME",
      description = "The dataset's name in" + " MLflow (default: the output directory's name).")
  String datasetName;

  @Mixin TrackingUriOption store;

  @Option(names = "--json", description = "Print the manifest as JSON on standard output.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrepareSpec prepare = toSpec();
    checkRun(err);
    try {
      DatasetManifest m =
          DatasetPreparer.prepare(prepare, Path.of("").toAbsolutePath(), CliTracking.console(err));
      logToMlflow(m, err);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
      } else {
        out.printf(
            Locale.ROOT,
            "prepared %,d rows into %s: %s; fingerprint %s%n",
            m.totalRows(),
            output,
            m.rows(),
            m.fingerprint());
      }
      return ExitCodes.OK;
    } catch (DataCheckException e) {
      err.println("mlops prepare: the prepared data failed its checks; nothing was written:");
      e.problems().forEach(p -> err.println("  - " + p));
      return ExitCodes.FAILURE;
    }
  }

  /**
   * Makes sure the run to log into exists before anything is prepared, so that a wrong run id or an
   * unreachable server fails with nothing written.
   */
  private void checkRun(PrintWriter err) {
    java.util.Map<String, String> env = store.environment();
    String run = runId != null ? runId : env.get("MLFLOW_RUN_ID");
    if (run == null || run.isBlank()) {
      return;
    }
    try (TrackingClient client = CliTracking.open(env, err)) {
      if (io.jenkins.plugins.mlops.steps.MlflowLookup.liveRun(client, run).isEmpty()) {
        throw new ParameterException(
            spec.commandLine(),
            (runId != null ? "--run-id (" : "MLFLOW_RUN_ID (")
                + run
                + ") is not a run at "
                + client.trackingUri()
                + " (it does not exist or is deleted); nothing was prepared");
      }
    }
  }

  private void logToMlflow(DatasetManifest m, PrintWriter err) {
    java.util.Map<String, String> env = store.environment();
    String run = runId != null ? runId : env.get("MLFLOW_RUN_ID");
    if (run == null || run.isBlank()) {
      return;
    }
    Path cwd = Path.of("").toAbsolutePath();
    Path out = cwd.resolve(output).normalize();
    String name = m.name() != null ? m.name() : out.getFileName().toString();
    try (TrackingClient client = CliTracking.open(env, err)) {
      DatasetLogging.log(client, run, m, out, name);
      err.println(
          "prepare: logged "
              + m.files().size()
              + " dataset inputs ("
              + name
              + "-<split>) and the manifest into run "
              + run);
      MlflowLookup.fileStoreHint(client.trackingUri().toString())
          .ifPresent(hint -> err.println("prepare: " + hint));
    }
  }

  private PrepareSpec toSpec() {
    try {
      PrepareSpec.Builder b =
          PrepareSpec.builder()
              .setSplits(
                  cutoffs.isEmpty()
                      ? Split.parse(split == null ? "train=0.8,validation=0.1,test=0.1" : split)
                      : Split.parseNames(split == null ? "train,validation,test" : split))
              .setOutput(output)
              .optFormat(
                  PrepareSpec.InputFormat.valueOf(
                      upper("--format", format, "auto, csv, parquet, json")))
              .optDelimiter(delimiter)
              .optHeader(header)
              .optLabel(label)
              .optSeed(seed)
              .optStratify(stratify)
              .optGroupBy(groupBy)
              .optKey(key)
              .optTimeColumn(timeColumn)
              .optDropNa(dropNa)
              .optDedupe(dedupe)
              .optFilter(filter)
              .optOutputFormat(
                  PrepareSpec.OutputFormat.valueOf(
                      upper("--output-format", outputFormat, "parquet, csv")))
              .optMemoryLimit(memoryLimit)
              .optSpillDir(spillDir)
              .optForce(force)
              .optName(datasetName)
              .optNullPadding(nullPadding)
              .optIgnoreErrors(ignoreErrors);
      inputs.forEach(b::addInput);
      cutoffs.forEach(b::addCutoff);
      for (String t : declaredTypes) {
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
          throw new IllegalArgumentException(
              "--type (" + t + ") must be COLUMN:TYPE, e.g." + " age:INTEGER");
        }
        b.addType(t.substring(0, colon), t.substring(colon + 1).toUpperCase(Locale.ROOT));
      }
      nullTokens.forEach(b::addNullToken);
      dropNaColumns.forEach(b::addDropNaColumn);
      keep.forEach(b::addKeepColumn);
      drop.forEach(b::addDropColumn);
      DataChecks checks =
          DataChecks.NONE
              .withMinRows(minRows)
              .withMaxNullFraction(maxNullFraction)
              .withExpectedClasses(expectClasses)
              .withEveryClassIn(everyClassIn)
              .withPreviousManifest(previousManifest);
      if (failPsi != null) {
        checks = checks.withPsi(Math.min(0.1, failPsi), failPsi);
      }
      return b.optChecks(checks).build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private static String upper(String option, String value, String allowed) {
    String v = value.toUpperCase(Locale.ROOT);
    if (!allowed.toUpperCase(Locale.ROOT).contains(v) || v.contains(",")) {
      throw new IllegalArgumentException(option + " (" + value + ") must be one of " + allowed);
    }
    return v;
  }
}
