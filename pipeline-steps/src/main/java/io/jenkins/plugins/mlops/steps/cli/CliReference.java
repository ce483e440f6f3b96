package io.jenkins.plugins.mlops.steps.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/**
 * The command-line reference ({@code docs/cli.md}), generated from picocli's own model of the
 * commands, so that it says what {@code --help} says; a test fails when the file is stale. Run
 * {@code java -cp pipeline-steps/target/mlops.jar io.jenkins.plugins.mlops.steps.cli.CliReference
 * docs/cli.md} to write it again.
 */
public final class CliReference {

  /** The width the reference is wrapped at. */
  static final int WIDTH = 100;

  private CliReference() {}

  /** The reference as Markdown. */
  static String render() {
    CommandLine mlops = new CommandLine(new MlopsCommand());
    HelpSections.install(mlops, false);
    mlops.setUsageHelpWidth(WIDTH);
    StringBuilder b = new StringBuilder();
    b.append("# mlops command-line reference\n\n")
        .append("Generated from the commands' own definitions by `CliReference` (a test fails when")
        .append(" this file is stale); `mlops <command> --help` prints the same. The built-in")
        .append(" trainer's settings, which `mlops train --help` lists too, are in")
        .append(" [trainer/README.md](../trainer/README.md).\n\n");
    b.append("## mlops\n\n```\n").append(usage(mlops)).append("```\n");
    for (Map.Entry<String, CommandLine> e : mlops.getSubcommands().entrySet()) {
      if (e.getKey().equals("help")) {
        continue;
      }
      e.getValue().setUsageHelpWidth(WIDTH);
      b.append("\n## mlops ")
          .append(e.getKey())
          .append("\n\n```\n")
          .append(usage(e.getValue()))
          .append("```\n");
    }
    return b.toString();
  }

  private static String usage(CommandLine command) {
    return command.getUsageMessage(CommandLine.Help.Ansi.OFF).replace(System.lineSeparator(), "\n");
  }

  /** Writes the reference to the file given (default {@code docs/cli.md}). */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args.length > 0 ? args[0] : "docs/cli.md");
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, render(), StandardCharsets.UTF_8);
    System.out.println("wrote " + file);
  }
}
