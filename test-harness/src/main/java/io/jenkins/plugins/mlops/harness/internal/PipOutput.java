package io.jenkins.plugins.mlops.harness.internal;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads pip's output to say which package an install failed on. pip reports failures in a handful
 * of shapes (no matching version, a wheel that failed to build, a resolver conflict); anything else
 * falls back to the last package pip was working on.
 */
public final class PipOutput {

  private static final List<Pattern> FAILURES =
      List.of(
          Pattern.compile("No matching distribution found for (\\S+)"),
          Pattern.compile("Could not find a version that satisfies the requirement (\\S+)"),
          Pattern.compile("Failed building wheel for (\\S+)"),
          Pattern.compile(
              "Failed to build (?:installable wheels for some pyproject\\.toml based"
                  + " projects \\()?([^\\s)]+)"),
          Pattern.compile("Cannot install (\\S+?)(?:,| and| because)"),
          Pattern.compile("Could not install packages due to an \\S+: .*?'([^']+)'"),
          Pattern.compile("Invalid requirement: '([^']+)'"));

  private static final Pattern WORKING_ON =
      Pattern.compile(
          "^\\s*(?:Collecting|Building wheel for|Installing build dependencies for)" + " (\\S+)");

  private PipOutput() {}

  /**
   * The package pip failed on, judged from its output lines, if any line says so.
   *
   * @param lines pip's standard output and error, interleaved in the order printed
   */
  public static Optional<String> failedPackage(List<String> lines) {
    for (Pattern pattern : FAILURES) {
      for (String line : lines) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          return Optional.of(m.group(1));
        }
      }
    }
    String last = null;
    for (String line : lines) {
      Matcher m = WORKING_ON.matcher(line);
      if (m.find()) {
        last = m.group(1);
      }
    }
    return Optional.ofNullable(last);
  }

  /** The package a "Collecting ..." progress line names, if the line is one. */
  public static Optional<String> collecting(String line) {
    if (!line.startsWith("Collecting ")) {
      return Optional.empty();
    }
    String rest = line.substring("Collecting ".length()).trim();
    int space = rest.indexOf(' ');
    return Optional.of(space < 0 ? rest : rest.substring(0, space));
  }
}
