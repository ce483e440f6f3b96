package io.jenkins.plugins.mlops.steps.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mlops prepare}: Clean and split input data with DuckDB, write Parquet splits and a
 * manifest.
 */
@Command(
    name = "prepare",
    mixinStandardHelpOptions = true,
    description = "Clean and split input data with DuckDB, write Parquet splits and a manifest.")
final class PrepareCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "PATH",
      description = "Input data: a CSV/TSV, Parquet or JSON-lines file, a directory or a glob.")
  String input;

  @Override
  public Integer call() {
    return NotInThisBuild.report(spec, "data preparation", "issue #5 (Data preparation)");
  }
}
