package io.jenkins.plugins.mlops.steps.cli;

import picocli.CommandLine.Model.CommandSpec;

/**
 * What a subcommand says while the issue that implements it has not landed: plainly that nothing
 * was done, and where the work is tracked. It never pretends to work.
 */
final class NotInThisBuild {

  private NotInThisBuild() {}

  /**
   * Prints the notice to standard error.
   *
   * @param capability what the subcommand will do, e.g. "data preparation"
   * @param tracking where it is tracked, e.g. "issue #5 (Data preparation)"
   * @return {@link ExitCodes#NOT_AVAILABLE}
   */
  static int report(CommandSpec spec, String capability, String tracking) {
    spec.commandLine()
        .getErr()
        .println(
            "mlops "
                + spec.name()
                + ": "
                + capability
                + " is not in this build yet (it lands with "
                + tracking
                + "); nothing was done.");
    return ExitCodes.NOT_AVAILABLE;
  }
}
