package io.jenkins.plugins.mlops.steps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    assertTrue(unknown.err().contains("Usage: mlops"), unknown.err());
    assertEquals("", unknown.out());
  }

  @Test
  void misspelledSubcommandGetsASuggestion() {
    Outcome typo = run("gtae");

    assertEquals(2, typo.status());
    assertTrue(typo.firstErrLine().contains("did you mean 'gate'?"), typo.firstErrLine());
  }

  @Test
  void missingRequiredOptionNamesItAndShowsTheSubcommandsUsage() {
    Outcome gate = run("gate", "--condition", "test_accuracy >= 0.95");

    assertEquals(2, gate.status());
    assertEquals("mlops gate: Missing required option: '--run-id=ID'", gate.firstErrLine());
    assertTrue(gate.err().contains("Usage: mlops gate"), gate.err());
  }

  @Test
  void unknownOptionIsAUsageError() {
    Outcome bogus = run("sync", "--logdir", "logs", "--bogus");

    assertEquals(2, bogus.status());
    assertTrue(
        bogus.firstErrLine().startsWith("mlops sync: Unknown option: '--bogus'"), bogus.err());
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
  void demoShowsItsPlanAndDoesNotPretendToRun() {
    Outcome demo = run("demo");

    assertEquals(3, demo.status());
    assertTrue(demo.out().startsWith("mlops demo will run"), demo.out());
    for (String stage : DemoCommand.PLAN) {
      assertTrue(demo.out().contains(stage), stage);
    }
    assertTrue(demo.firstErrLine().contains("nothing was done"), demo.err());
  }
}
