package io.jenkins.plugins.mlops.steps.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code mlops} command: lists the subcommands; run alone, it shows its usage. */
@Command(
    name = "mlops",
    mixinStandardHelpOptions = true,
    versionProvider = MlopsCommand.Version.class,
    description = {
      "Production ML training from a shell or a Jenkinsfile: prepare data, train (locally or on"
          + " Kubernetes GPU pods), sync TensorBoard event files into MLflow, gate and promote."
    },
    subcommands = {
      PrepareCommand.class,
      TrainCommand.class,
      SyncCommand.class,
      GateCommand.class,
      PromoteCommand.class,
      SweepCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  success",
      "  1  failure (gate: not passed)",
      "  2  usage error",
      "  3  not in this build yet",
      "  4  error (the work could not be done: server unreachable, unreadable input, ...)"
    })
final class MlopsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    cmd.getErr().println("mlops: missing command; commands: " + commands(cmd));
    cmd.usage(cmd.getErr());
    return ExitCodes.USAGE;
  }

  private static String commands(CommandLine cmd) {
    return String.join(
        ", ", cmd.getSubcommands().keySet().stream().filter(name -> !name.equals("help")).toList());
  }

  /** Reads the version Maven wrote into {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {

    /** The version of this build, e.g. {@code 0.1.0-SNAPSHOT}. */
    static String number() {
      Properties properties = new Properties();
      try (InputStream in = MlopsCommand.class.getResourceAsStream("version.properties")) {
        if (in == null) {
          throw new IllegalStateException("version.properties is missing from the mlops jar");
        }
        properties.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return properties.getProperty("version");
    }

    @Override
    public String[] getVersion() {
      return new String[] {
        "mlops " + number(),
        "Java "
            + Runtime.version()
            + " ("
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.arch")
            + ")"
      };
    }
  }
}
