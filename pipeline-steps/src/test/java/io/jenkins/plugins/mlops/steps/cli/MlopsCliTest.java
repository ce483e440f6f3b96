package io.jenkins.plugins.mlops.steps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MlopsCliTest {

  private static final List<String> SUBCOMMANDS =
      List.of("prepare", "train", "sync", "gate", "promote", "sweep", "demo");

  private record Outcome(int status, String out, String err) {
    String firstErrLine() {
      return err.lines().findFirst().orElse("");
    }
  }

  private static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = MlopsCli.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Outcome(status, out.toString(), err.toString());
  }

  @ParameterizedTest
  @CsvSource({
    "gate --run-id r1 --condition a>=1",
    "promote --name m --run-id r1",
    "sync --logdir . --run-id r1",
    "train --launcher command -- true",
  })
  void aTrackingUriWithAnUnencodedSlashInItsPasswordIsRefusedWithoutShowingIt(String line) {
    List<String> args = new java.util.ArrayList<>(List.of(line.split(" ")));
    args.addAll(1, List.of("--tracking-uri", "http://carol:Ca/rol-Pw-88x@127.0.0.1:9/"));

    Outcome refused = run(args.toArray(String[]::new));

    assertTrue(refused.status() != 0, refused.err());
    assertFalse((refused.out() + refused.err()).contains("rol-Pw"), refused.err());
    assertTrue(refused.err().contains("***@127.0.0.1:9"), refused.err());
    assertTrue(refused.err().contains("%2F"), refused.err());
  }

  @ParameterizedTest
  @CsvSource({"prepare", "train", "sync", "gate", "promote"})
  void everySubcommandsHelpListsTheMlflowVariablesItHonours(String command) {
    Outcome help = run(command, "--help");

    assertEquals(0, help.status(), help.err());
    for (String variable :
        List.of(
            "MLFLOW_TRACKING_URI",
            "MLFLOW_TRACKING_USERNAME/PASSWORD",
            "MLFLOW_TRACKING_TOKEN",
            "MLFLOW_HTTP_REQUEST_TIMEOUT",
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES")) {
      assertTrue(help.out().contains(variable), variable + ":\n" + help.out());
    }
  }

  @Test
  void trainHelpListsTheBuiltInTrainersSettingsAsTheTrainerReportsThem() {
    Outcome help = run("train", "--help");

    assertEquals(0, help.status(), help.err());
    String section = help.out().substring(help.out().indexOf("Built-in trainer (--launcher djl)"));
    for (String setting : List.of("epochs", "batch_size", "learning_rate", "hidden", "label")) {
      assertTrue(section.matches("(?s).*\\n  " + setting + " +\\S.*"), setting + ":\n" + section);
    }
    assertFalse(section.contains("not built here"), section);
  }

  @Test
  void helpListsEverySubcommand() {
    Outcome help = run("--help");

    assertEquals(0, help.status());
    for (String name : SUBCOMMANDS) {
      assertTrue(
          help.out().matches("(?s).*\\n\\s+" + name + "\\s+\\S.*"), name + ":\n" + help.out());
    }
  }

  @Test
  void versionNamesTheBuiltVersion() {
    Outcome version = run("--version");

    assertEquals(0, version.status());
    assertEquals(
        "mlops " + System.getProperty("mlops.expectedVersion"),
        version.out().lines().findFirst().orElseThrow());
  }

  @Test
  void unknownSubcommandIsAUsageErrorInOneLine() {
    Outcome unknown = run("nosuch");

    assertEquals(2, unknown.status());
    assertEquals(
        "mlops: unknown command 'nosuch'; commands: " + String.join(", ", SUBCOMMANDS) + ", help",
        unknown.firstErrLine());
    assertTrue(unknown.err().contains("see mlops --help"), unknown.err());
    assertFalse(
        unknown.err().contains("Usage:"), "one line, not the whole usage: " + unknown.err());
    assertEquals("", unknown.out());
  }

  @Test
  void misspelledSubcommandGetsASuggestion() {
    Outcome typo = run("gtae");

    assertEquals(2, typo.status());
    assertTrue(typo.firstErrLine().contains("did you mean 'gate'?"), typo.firstErrLine());
  }

  @Test
  void missingRequiredOptionNamesItAndPointsAtTheSubcommandsHelp() {
    Outcome prepare = run("prepare", "--output", "out");

    assertEquals(2, prepare.status());
    assertEquals("mlops prepare: Missing required option: '--input=PATH'", prepare.firstErrLine());
    assertEquals(
        List.of(
            "mlops prepare: Missing required option: '--input=PATH'",
            "see mlops prepare --help for the options"),
        prepare.err().lines().toList());
  }

  @Test
  void unknownOptionIsAUsageError() {
    Outcome bogus = run("sync", "--logdir", "logs", "--bogus");

    assertEquals(2, bogus.status());
    assertEquals("mlops sync: unknown option '--bogus'", bogus.firstErrLine());
  }

  @Test
  void misspelledOptionGetsASuggestion() {
    Outcome typo = run("gate", "--conditon", "test_accuracy >= 0.9");

    assertEquals(2, typo.status());
    assertEquals(
        "mlops gate: unknown option '--conditon' (did you mean '--condition'?)",
        typo.firstErrLine());
  }

  @Test
  void noSubcommandIsAUsageError() {
    Outcome none = run();

    assertEquals(2, none.status());
    assertTrue(none.firstErrLine().startsWith("mlops: missing command"), none.err());
  }

  @ParameterizedTest
  @CsvSource({
    "sweep, hyperparameter sweeps, sweep issue",
  })
  void subcommandsNotYetLandedSaySoAndFail(String line, String capability, String tracking) {
    Outcome pending = run(line.split(" "));

    assertEquals(3, pending.status());
    String name = line.split(" ")[0];
    assertTrue(
        pending.firstErrLine().startsWith("mlops " + name + ": " + capability + " is not in this"),
        pending.err());
    assertTrue(pending.firstErrLine().contains(tracking), pending.err());
    assertTrue(pending.firstErrLine().endsWith("nothing was done."), pending.err());
  }

  @Test
  void demoOptionsThatCannotWorkAreOneLineUsageErrorsBeforeAnythingRuns() {
    Outcome labelAlone = run("demo", "--label", "species");
    Outcome noEpochs = run("demo", "--epochs", "0");

    assertEquals(2, labelAlone.status());
    assertEquals(
        "mlops demo: --label (species) is for --input: give the CSV too",
        labelAlone.firstErrLine());
    assertEquals(2, noEpochs.status());
    assertEquals("mlops demo: --epochs (0) must be at least 1", noEpochs.firstErrLine());
  }

  @Test
  void theToolsTheDemoNamesAreThePinnedOnes() throws Exception {
    java.util.List<String> pinned =
        java.nio.file.Files.readAllLines(
            java.nio.file.Path.of(System.getProperty("mlops.repoRoot", ".."))
                .resolve("python/requirements.txt"));
    for (String tool : DemoCommand.PYTHON_TOOLS.split(" ")) {
      assertTrue(pinned.contains(tool), tool + " is not pinned in python/requirements.txt");
    }
  }

  @Test
  void theCliReferenceInDocsIsWhatTheCommandsSayNow() throws Exception {
    java.nio.file.Path docs =
        java.nio.file.Path.of(System.getProperty("mlops.repoRoot", "..")).resolve("docs/cli.md");
    String now = CliReference.render();

    assertTrue(java.nio.file.Files.isRegularFile(docs), docs + " is missing");
    assertEquals(
        now,
        java.nio.file.Files.readString(docs),
        "docs/cli.md is stale: run java -cp pipeline-steps/target/mlops.jar"
            + " io.jenkins.plugins.mlops.steps.cli.CliReference docs/cli.md");
    for (String command : List.of("prepare", "train", "sync", "gate", "promote", "demo")) {
      assertTrue(now.contains("\n## mlops " + command + "\n"), command);
    }
  }
}
