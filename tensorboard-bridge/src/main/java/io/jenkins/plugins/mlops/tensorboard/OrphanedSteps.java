package io.jenkins.plugins.mlops.tensorboard;

import java.util.HashMap;
import java.util.Map;

/**
 * TensorBoard's rule for points a restarted job made obsolete, per run. In files of version 2 or
 * later (every current writer), the first {@code SessionLog.START} of a run is the start, and every
 * later one at step {@code s} orphans all points of the run at step {@code s} or later seen so far.
 * In older files, a value whose step is below the run's most recent step orphans the points of its
 * tag at that step or later. Not thread-safe.
 *
 * <p>The state is small (four fields per run) and can be saved with {@link #state()} and restored
 * with {@link #OrphanedSteps(Map)}, so that a resumed reader judges restarts as one that never
 * stopped.
 */
public final class OrphanedSteps {

  /** Where orphaned points are to be dropped. */
  public interface Sink {
    /**
     * Drops the points of {@code run} at {@code fromStep} or later: of every tag when {@code tag}
     * is null, else of that tag only.
     */
    void purge(String run, String tag, long fromStep);
  }

  /**
   * What the rule remembers of one run.
   *
   * @param fileVersion the run's file version ({@code 2} for {@code brain.Event:2}), 0 when unknown
   * @param seenStart whether the run's first {@code SessionLog.START} was seen
   * @param mostRecentStep the step of the last value seen, -1 before any
   */
  public record RunState(
      double fileVersion,
      boolean seenStart,
      long mostRecentStep,
      long purgeStep,
      double purgeWallTime) {

    static final RunState NEW = new RunState(0, false, -1, Long.MIN_VALUE, Double.NaN);
  }

  private final Map<String, RunState> runs;

  /** Rules for runs not seen yet. */
  public OrphanedSteps() {
    this(Map.of());
  }

  /** Rules that continue from a saved {@link #state()}. */
  public OrphanedSteps(Map<String, RunState> saved) {
    this.runs = new HashMap<>(saved);
  }

  /** What to save to continue later. */
  public Map<String, RunState> state() {
    return Map.copyOf(runs);
  }

  /** Notes a file's version record ({@code "brain.Event:2"}). */
  public void fileVersion(String run, String version) {
    double parsed = 0;
    if (version.startsWith("brain.Event:")) {
      try {
        parsed = Double.parseDouble(version.substring("brain.Event:".length()));
      } catch (NumberFormatException e) {
        parsed = 0;
      }
    }
    RunState s = get(run);
    runs.put(
        run, new RunState(parsed, s.seenStart, s.mostRecentStep, s.purgeStep, s.purgeWallTime));
  }

  /**
   * Applies a {@code SessionLog.START}.
   *
   * @return true when it was a restart and points were purged from {@code step}
   */
  public boolean sessionStart(String run, long step, Sink sink) {
    RunState s = get(run);
    if (s.fileVersion < 2) {
      return false;
    }
    if (!s.seenStart) {
      runs.put(
          run, new RunState(s.fileVersion, true, s.mostRecentStep, s.purgeStep, s.purgeWallTime));
      return false;
    }
    sink.purge(run, null, step);
    return true;
  }

  /**
   * Applies the out-of-order rule of old files before a value is kept, and notes its step. Values
   * of one event share its step and wall time; all of them purge when the event is out of order.
   */
  public void value(String run, String tag, long step, double wallTime, Sink sink) {
    RunState s = get(run);
    long purgeStep = s.purgeStep;
    double purgeWallTime = s.purgeWallTime;
    if (s.fileVersion < 2) {
      boolean sameEvent = step == s.purgeStep && wallTime == s.purgeWallTime;
      if (step < s.mostRecentStep || sameEvent) {
        sink.purge(run, tag, step);
        purgeStep = step;
        purgeWallTime = wallTime;
      }
    }
    if (step != s.mostRecentStep || purgeStep != s.purgeStep) {
      runs.put(run, new RunState(s.fileVersion, s.seenStart, step, purgeStep, purgeWallTime));
    }
  }

  private RunState get(String run) {
    return runs.getOrDefault(run, RunState.NEW);
  }
}
