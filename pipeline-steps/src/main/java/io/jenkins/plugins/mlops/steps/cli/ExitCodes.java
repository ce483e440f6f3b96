package io.jenkins.plugins.mlops.steps.cli;

/** The exit statuses of {@code mlops}, the same for every subcommand. */
public final class ExitCodes {

  /** The command did what it was asked. */
  public static final int OK = 0;

  /** The command ran and its answer is no (for {@code gate}: the model did not pass). */
  public static final int FAILURE = 1;

  /** The command line was wrong: unknown command or option, missing or invalid argument. */
  public static final int USAGE = 2;

  /** The subcommand exists but its implementation has not landed in this build. */
  public static final int NOT_AVAILABLE = 3;

  /**
   * The command could not do its work (server unreachable, unreadable input, ...): distinct from
   * {@link #FAILURE} so that CI can tell "the model was rejected" from "the check did not run".
   */
  public static final int ERROR = 4;

  private ExitCodes() {}
}
