package io.jenkins.plugins.mlops.steps.cli;

import io.jenkins.plugins.mlops.tracking.Redaction;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of the {@code mlops} executable jar. {@link #run} does the work and returns the exit
 * status, so tests drive the real command line without exiting the JVM.
 */
public final class MlopsCli {

  private MlopsCli() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(out, err, args));
  }

  /**
   * Parses {@code args} and runs the chosen subcommand.
   *
   * @return the exit status (see {@link ExitCodes})
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine commandLine = new CommandLine(new MlopsCommand());
    commandLine.setOut(out);
    commandLine.setErr(err);
    HelpSections.install(commandLine);
    commandLine.setParameterExceptionHandler(MlopsCli::usageError);
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          String message = e.getMessage() == null ? e.toString() : e.getMessage();
          err.println(qualifiedName(cmd) + ": " + Redaction.uris(message));
          if (Boolean.getBoolean("mlops.debug") || System.getenv("MLOPS_DEBUG") != null) {
            e.printStackTrace(err);
          }
          return ExitCodes.ERROR;
        });
    try {
      return commandLine.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * One line that says what is wrong, then where the usage is ({@code see mlops gate --help}); the
   * whole usage only when no command was given. Exit 2.
   */
  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(qualifiedName(cmd) + ": " + Redaction.uris(oneLine(e)));
    if (cmd.getParent() == null && args.length == 0) {
      cmd.usage(err);
    } else {
      err.println(
          "see "
              + (cmd.getParent() == null ? "mlops --help" : qualifiedName(cmd) + " --help")
              + " for the options");
    }
    return ExitCodes.USAGE;
  }

  private static String oneLine(ParameterException e) {
    if (e instanceof UnmatchedArgumentException unmatched
        && !unmatched.getUnmatched().isEmpty()
        && unmatched.getUnmatched().get(0).startsWith("-")) {
      String word = unmatched.getUnmatched().get(0);
      String option = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
      List<String> options = new java.util.ArrayList<>();
      e.getCommandLine()
          .getCommandSpec()
          .options()
          .forEach(o -> options.addAll(List.of(o.names())));
      String nearest = nearest(option, options);
      return "unknown option '"
          + option
          + "'"
          + (nearest == null ? "" : " (did you mean '" + nearest + "'?)");
    }
    if (e instanceof UnmatchedArgumentException unmatched
        && e.getCommandLine().getParent() == null
        && !unmatched.getUnmatched().isEmpty()
        && !unmatched.getUnmatched().get(0).startsWith("-")) {
      String word = unmatched.getUnmatched().get(0);
      List<String> commands = List.copyOf(e.getCommandLine().getSubcommands().keySet());
      String nearest = nearest(word, commands);
      return "unknown command '"
          + word
          + "'"
          + (nearest == null ? "" : " (did you mean '" + nearest + "'?)")
          + "; commands: "
          + String.join(", ", commands);
    }
    return e.getMessage().replace(System.lineSeparator(), " ").replace('\n', ' ').strip();
  }

  /** The command within two edits (insert, delete, replace, swap) of {@code word}, if any. */
  static String nearest(String word, List<String> commands) {
    return io.jenkins.plugins.mlops.steps.Suggest.nearest(word, commands);
  }

  private static String qualifiedName(CommandLine cmd) {
    return cmd.getParent() == null ? cmd.getCommandName() : "mlops " + cmd.getCommandName();
  }
}
