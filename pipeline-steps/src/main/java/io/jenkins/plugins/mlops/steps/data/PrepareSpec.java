package io.jenkins.plugins.mlops.steps.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link DatasetPreparer} does: where the data comes from, how it is cleaned and split, and
 * where the splits go. Build it with {@link #builder()}; {@link Builder#build()} checks everything
 * that can be checked without reading the data.
 *
 * @param inputs files, directories (every data file below) or globs; all of one format
 * @param format the input format; {@link InputFormat#AUTO} picks it from the file extension
 * @param delimiter the CSV delimiter; null to detect it
 * @param header whether CSV files have a header; null to detect it
 * @param nullTokens CSV strings that mean "no value" (besides the empty string)
 * @param label the label column; required to stratify
 * @param splits the named fractions, summing to 1
 * @param seed the seed of the split hash
 * @param stratify keep the label's class proportions in every split (within one row per class)
 * @param groupBy keep all rows of a value of this column in one split; null for none
 * @param key split by a hash of this column (a stable row id); null to hash the whole row
 * @param timeColumn split by time: the oldest rows go to the first split, the newest to the last;
 *     null for hash splits
 * @param cutoffs with {@code timeColumn}: the start of every split after the first (one fewer than
 *     the splits, increasing, in the column's type, e.g. {@code 2024-07-01}); empty to cut the time
 *     order at the splits' fractions
 * @param dropNa drop rows with a null in {@code dropNaColumns}, or in any column when that is empty
 * @param dedupe drop exact duplicate rows
 * @param keepColumns keep only these columns (and the label); empty keeps all
 * @param dropColumns drop these columns
 * @param filter a SQL predicate rows must satisfy, e.g. {@code age >= 18}; null for none
 * @param output the directory the splits and {@code manifest.json} go to
 * @param outputFormat Parquet (default) or CSV
 * @param memoryLimit DuckDB's memory limit, e.g. {@code 1GB}; null for DuckDB's default
 * @param spillDir where DuckDB spills when the data does not fit; null for a temporary directory
 * @param checks rules the prepared data must satisfy, and the drift check
 * @param types declared column types (column to DuckDB type), enforced while reading
 * @param force publish into an output directory that holds files of its own (neither the splits nor
 *     the manifest of an earlier preparation): the splits and manifest are then replaced one by one
 *     and the other files kept, instead of replacing the directory as a whole
 * @param nullPadding pad rows with too few fields with nulls instead of failing
 * @param ignoreErrors skip rows that cannot be read instead of failing, counting them
 * @param name the data set's name (in the manifest, in MLflow dataset inputs, and the default
 *     experiment of a training job on it); null for the output directory's name
 */
public record PrepareSpec(
    List<String> inputs,
    InputFormat format,
    String delimiter,
    Boolean header,
    List<String> nullTokens,
    String label,
    List<Split> splits,
    long seed,
    boolean stratify,
    String groupBy,
    String key,
    String timeColumn,
    List<String> cutoffs,
    boolean dropNa,
    List<String> dropNaColumns,
    boolean dedupe,
    List<String> keepColumns,
    List<String> dropColumns,
    String filter,
    Path output,
    OutputFormat outputFormat,
    String memoryLimit,
    Path spillDir,
    DataChecks checks,
    Map<String, String> types,
    boolean force,
    boolean nullPadding,
    boolean ignoreErrors,
    String name) {

  /** Input formats. */
  public enum InputFormat {
    AUTO,
    CSV,
    PARQUET,
    JSON
  }

  /** Output formats. */
  public enum OutputFormat {
    PARQUET,
    CSV;

    /** The file extension. */
    public String extension() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public PrepareSpec {
    inputs = List.copyOf(inputs);
    nullTokens = List.copyOf(nullTokens);
    splits = Split.validate(splits);
    cutoffs = List.copyOf(cutoffs);
    dropNaColumns = List.copyOf(dropNaColumns);
    keepColumns = List.copyOf(keepColumns);
    dropColumns = List.copyOf(dropColumns);
    checks = checks == null ? DataChecks.NONE : checks;
    types = Map.copyOf(types);
    types.forEach(
        (column, type) -> {
          if (!type.matches(
              "(?i)BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|FLOAT|DOUBLE|VARCHAR"
                  + "|DATE|TIMESTAMP|DECIMAL\\(\\d{1,2},\\s*\\d{1,2}\\)")) {
            throw new IllegalArgumentException(
                "type of column '"
                    + column
                    + "' ("
                    + type
                    + ") must be"
                    + " one of BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, HUGEINT, FLOAT, DOUBLE, VARCHAR,"
                    + " DATE, TIMESTAMP, DECIMAL(p,s)");
          }
        });
    if (!checks.expectedClasses().isEmpty() && (label == null || label.isBlank())) {
      throw new IllegalArgumentException("expected classes need a label column (--label)");
    }
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("input is required: a file, a directory or a glob");
    }
    if (output == null) {
      throw new IllegalArgumentException("output is required: the directory for the splits");
    }
    if (stratify && (label == null || label.isBlank())) {
      throw new IllegalArgumentException("stratify needs a label column (--label)");
    }
    if (stratify && groupBy != null) {
      throw new IllegalArgumentException(
          "stratify and group-by (" + groupBy + ") cannot be combined: choose one");
    }
    if (groupBy != null && key != null) {
      throw new IllegalArgumentException(
          "group-by (" + groupBy + ") and key (" + key + ") cannot be combined: choose one");
    }
    if (timeColumn != null && (stratify || groupBy != null || key != null)) {
      throw new IllegalArgumentException(
          "time column ("
              + timeColumn
              + ") splits by time; it cannot be combined with stratify, group-by or key: choose"
              + " one");
    }
    if (!cutoffs.isEmpty() && timeColumn == null) {
      throw new IllegalArgumentException(
          "cutoffs " + cutoffs + " need a time column (--time-column)");
    }
    if (!cutoffs.isEmpty() && cutoffs.size() != splits.size() - 1) {
      throw new IllegalArgumentException(
          "cutoffs "
              + cutoffs
              + " must be one fewer than the splits "
              + splits.stream().map(Split::name).toList()
              + ": each cut-off starts the next split");
    }
    if (delimiter != null && delimiter.length() != 1 && !delimiter.equals("\\t")) {
      throw new IllegalArgumentException(
          "delimiter (" + delimiter + ") must be one character (or \\t)");
    }
    if (memoryLimit != null
        && !memoryLimit.matches("(?i)\\d+(\\.\\d+)?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)")) {
      throw new IllegalArgumentException(
          "memory limit (" + memoryLimit + ") must be a size such as 512MB or 2GB");
    }
  }

  /** A builder with the defaults: format AUTO, seed 42, Parquet output, no cleaning. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link PrepareSpec}: {@code setX} for required values, {@code optX} for the rest. */
  public static final class Builder {
    private final List<String> inputs = new ArrayList<>();
    private InputFormat format = InputFormat.AUTO;
    private String delimiter;
    private Boolean header;
    private final List<String> nullTokens = new ArrayList<>();
    private String label;
    private List<Split> splits = List.of();
    private long seed = 42;
    private boolean stratify;
    private String groupBy;
    private String key;
    private String timeColumn;
    private final List<String> cutoffs = new ArrayList<>();
    private boolean dropNa;
    private final List<String> dropNaColumns = new ArrayList<>();
    private boolean dedupe;
    private final List<String> keepColumns = new ArrayList<>();
    private final List<String> dropColumns = new ArrayList<>();
    private String filter;
    private Path output;
    private OutputFormat outputFormat = OutputFormat.PARQUET;
    private String memoryLimit;
    private Path spillDir;
    private DataChecks checks = DataChecks.NONE;
    private final Map<String, String> types = new java.util.LinkedHashMap<>();
    private boolean force;
    private String name;
    private boolean nullPadding;
    private boolean ignoreErrors;

    public Builder addInput(String input) {
      inputs.add(input);
      return this;
    }

    public Builder setSplits(List<Split> value) {
      splits = value;
      return this;
    }

    public Builder setOutput(Path value) {
      output = value;
      return this;
    }

    public Builder optFormat(InputFormat value) {
      format = value;
      return this;
    }

    public Builder optDelimiter(String value) {
      delimiter = value;
      return this;
    }

    public Builder optHeader(Boolean value) {
      header = value;
      return this;
    }

    public Builder addNullToken(String value) {
      nullTokens.add(value);
      return this;
    }

    public Builder optLabel(String value) {
      label = value;
      return this;
    }

    public Builder optSeed(long value) {
      seed = value;
      return this;
    }

    public Builder optStratify(boolean value) {
      stratify = value;
      return this;
    }

    public Builder optGroupBy(String value) {
      groupBy = value;
      return this;
    }

    public Builder optKey(String value) {
      key = value;
      return this;
    }

    public Builder optTimeColumn(String value) {
      timeColumn = value;
      return this;
    }

    public Builder addCutoff(String value) {
      cutoffs.add(value);
      return this;
    }

    public Builder optDropNa(boolean value) {
      dropNa = value;
      return this;
    }

    public Builder addDropNaColumn(String value) {
      dropNa = true;
      dropNaColumns.add(value);
      return this;
    }

    public Builder optDedupe(boolean value) {
      dedupe = value;
      return this;
    }

    public Builder addKeepColumn(String value) {
      keepColumns.add(value);
      return this;
    }

    public Builder addDropColumn(String value) {
      dropColumns.add(value);
      return this;
    }

    public Builder optFilter(String value) {
      filter = value;
      return this;
    }

    public Builder optOutputFormat(OutputFormat value) {
      outputFormat = value;
      return this;
    }

    public Builder optMemoryLimit(String value) {
      memoryLimit = value;
      return this;
    }

    public Builder optSpillDir(Path value) {
      spillDir = value;
      return this;
    }

    /** Declares {@code column}'s type; a value that does not fit fails with its file and line. */
    public Builder addType(String column, String type) {
      types.put(column, type);
      return this;
    }

    /** The data set's name (see {@link PrepareSpec#name}). */
    public Builder optName(String value) {
      name = value;
      return this;
    }

    /** Publishes into a directory that holds other files too (see {@link PrepareSpec#force}). */
    public Builder optForce(boolean value) {
      force = value;
      return this;
    }

    /** CSV: pads lines with too few fields with nulls. */
    public Builder optNullPadding(boolean value) {
      nullPadding = value;
      return this;
    }

    /** CSV: skips lines that cannot be read, and counts them. */
    public Builder optIgnoreErrors(boolean value) {
      ignoreErrors = value;
      return this;
    }

    public Builder optChecks(DataChecks value) {
      checks = value;
      return this;
    }

    /** Checks and builds the spec. */
    public PrepareSpec build() {
      return new PrepareSpec(
          inputs,
          format,
          delimiter,
          header,
          nullTokens,
          label,
          splits,
          seed,
          stratify,
          groupBy,
          key,
          timeColumn,
          cutoffs,
          dropNa,
          dropNaColumns,
          dedupe,
          keepColumns,
          dropColumns,
          filter,
          output,
          outputFormat,
          memoryLimit,
          spillDir,
          checks,
          types,
          force,
          nullPadding,
          ignoreErrors,
          name);
    }
  }
}
