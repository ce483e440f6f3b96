package io.jenkins.plugins.mlops.steps.gate;

import io.jenkins.plugins.mlops.steps.MlflowLookup;
import io.jenkins.plugins.mlops.steps.Suggest;
import io.jenkins.plugins.mlops.tracking.ArtifactInfo;
import io.jenkins.plugins.mlops.tracking.ModelVersion;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Promotes a run's model in the MLflow registry: registers a version from the run's model artifact,
 * moves an alias (e.g. {@code champion}) to it and the alias's previous holder to {@code
 * previous-<alias>}; refuses a run whose gate did not pass unless forced. {@link #rollback} moves
 * the alias back.
 */
public final class ModelPromotion {

  /** The tag the registry version gets when it was promoted despite its gate. */
  public static final String TAG_FORCED = "mlops.promotion.forced";

  private static final Pattern ALIAS = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,250}");

  /**
   * What a promotion or rollback did.
   *
   * @param name the registered model
   * @param alias the alias moved
   * @param version the version the alias points at now
   * @param previousVersion the version it pointed at before; null when it was new
   * @param runId the run of {@code version}
   * @param source the version's source ({@code runs:/<run>/<path>})
   * @param forced whether a run that had not passed its gate was promoted anyway
   */
  public record Result(
      String name,
      String alias,
      String version,
      String previousVersion,
      String runId,
      String source,
      boolean forced) {}

  private ModelPromotion() {}

  /**
   * Registers {@code runId}'s {@code artifactPath} as a new version of {@code name} and points
   * {@code alias} at it.
   *
   * @throws IllegalStateException when the run's gate did not pass (or never ran) and {@code force}
   *     is false
   * @throws IllegalArgumentException when the run or its model artifact does not exist, or a name
   *     is not valid
   */
  public static Result promote(
      TrackingClient client,
      String name,
      String runId,
      String artifactPath,
      String alias,
      boolean force,
      Consumer<String> console) {
    checkNames(name, alias);
    String path = artifactPath == null || artifactPath.isBlank() ? "model" : artifactPath.strip();
    Run run =
        MlflowLookup.liveRun(client, runId)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "run (" + runId + ") does not exist or is deleted"));
    String gate = run.tags().get(EvaluationGate.TAG_STATUS);
    String refusal =
        !"passed".equals(gate)
            ? "run "
                + runId
                + (gate == null
                    ? " has not been through an evaluation gate"
                    : " did not pass its evaluation gate ("
                        + run.tags().getOrDefault(EvaluationGate.TAG_SUMMARY, gate)
                        + ")")
            : stale(client, run, name, alias);
    boolean passed = refusal == null;
    if (!passed && !force) {
      throw new IllegalStateException(
          refusal + "; nothing was registered. Run mlops gate first, or force the promotion");
    }
    if (!passed) {
      console.accept("promote: warning: forcing the promotion although " + refusal);
    }
    List<ArtifactInfo> files = client.artifacts().list(runId, path);
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          "run "
              + runId
              + " has no model artifact at '"
              + path
              + "'; its artifacts: "
              + client.artifacts().list(runId, "").stream().map(ArtifactInfo::path).toList());
    }
    client.registry().createIfMissing(name);
    String source = "runs:/" + runId + "/" + path;
    ModelVersion version = awaitReady(client, client.registry().createVersion(name, source, runId));
    Optional<ModelVersion> previous = MlflowLookup.alias(client, name, alias);
    client.registry().setAlias(name, alias, version.version());
    String before = null;
    if (previous.isPresent() && !previous.get().version().equals(version.version())) {
      before = previous.get().version();
      client.registry().setAlias(name, "previous-" + alias, before);
    }
    if (!passed) {
      client.runs().setTag(runId, TAG_FORCED, "true");
    }
    console.accept(
        "promote: "
            + name
            + " version "
            + version.version()
            + " ("
            + source
            + ") is now @"
            + alias
            + (before == null ? "" : "; version " + before + " is @previous-" + alias));
    return new Result(name, alias, version.version(), before, runId, source, !passed);
  }

  /**
   * Why a "passed" verdict no longer holds, or null when it does: the metrics the gate read changed
   * after it ran (new points, even at old steps), the verdict carries no fingerprint of them (a
   * gate of an older version), or the alias it compared with has moved to another run since.
   */
  private static String stale(TrackingClient client, Run run, String name, String alias) {
    String digest = run.tags().get(EvaluationGate.TAG_METRICS_DIGEST);
    String read = run.tags().get(EvaluationGate.TAG_METRICS);
    if (digest == null || read == null) {
      return "the gate verdict of run "
          + run.id()
          + " does not record which metric values it judged, so it cannot be trusted to be"
          + " current";
    }
    List<String> names = read.isEmpty() ? List.of() : List.of(read.split(","));
    if (!new MetricsDigest(client, run.id()).of(names).equals(digest)) {
      return "metrics of run "
          + run.id()
          + " that its gate judged ("
          + String.join(", ", names)
          + ") changed after the gate ran, so its verdict is stale";
    }
    String baseline = run.tags().get(EvaluationGate.TAG_BASELINE);
    String judged = run.tags().get(EvaluationGate.TAG_BASELINE_RUN);
    Optional<ModelVersion> holder = MlflowLookup.alias(client, name, alias);
    if (baseline != null && judged == null && holder.isPresent()) {
      return "the gate of run "
          + run.id()
          + " judged it as a first run (its baseline "
          + baseline
          + " did not exist), but models:/"
          + name
          + "@"
          + alias
          + " exists (version "
          + holder.get().version()
          + ", run "
          + holder.get().runId()
          + "); gate it against that";
    }
    if (baseline != null && baseline.strip().equals("models:/" + name + "@" + alias)) {
      String now = holder.map(ModelVersion::runId).orElse(null);
      if (!java.util.Objects.equals(judged, now)) {
        return "@"
            + alias
            + " of "
            + name
            + " has moved since the gate of run "
            + run.id()
            + " compared with it (then "
            + (judged == null ? "no model" : "run " + judged)
            + ", now "
            + (now == null ? "none" : "run " + now)
            + "), so its verdict is stale";
      }
    }
    return null;
  }

  /**
   * Points {@code alias} back at the version {@code previous-<alias>} holds, and {@code
   * previous-<alias>} at the one it leaves (so a second rollback undoes the first).
   *
   * @throws IllegalStateException when there is nothing to roll back to
   */
  public static Result rollback(
      TrackingClient client, String name, String alias, Consumer<String> console) {
    checkNames(name, alias);
    if (client.registry().getModel(name).isEmpty()) {
      String near = Suggest.nearest(name, client.registry().modelNames());
      throw new IllegalStateException(
          "there is no registered model "
              + name
              + (near == null ? "" : " (did you mean " + near + "?)")
              + "; nothing was changed");
    }
    Optional<ModelVersion> previous = MlflowLookup.alias(client, name, "previous-" + alias);
    if (previous.isEmpty()) {
      throw new IllegalStateException(
          "model " + name + " has no @previous-" + alias + " to roll back to; nothing was changed");
    }
    Optional<ModelVersion> current = MlflowLookup.alias(client, name, alias);
    client.registry().setAlias(name, alias, previous.get().version());
    String left = null;
    if (current.isPresent() && !current.get().version().equals(previous.get().version())) {
      left = current.get().version();
      client.registry().setAlias(name, "previous-" + alias, left);
    }
    console.accept(
        "promote: rolled "
            + name
            + " @"
            + alias
            + " back to version "
            + previous.get().version()
            + (left == null
                ? ""
                : " (from version "
                    + left
                    + ", now @previous-"
                    + alias
                    + "; a rollback goes back one step: a second one returns to version "
                    + left
                    + ")"));
    return new Result(
        name,
        alias,
        previous.get().version(),
        left,
        previous.get().runId(),
        previous.get().source(),
        false);
  }

  /**
   * Waits (up to two minutes, as MLflow's own client does for longer) while a server with
   * asynchronous registration still copies the version, so that an alias never points at a version
   * that is not there yet.
   */
  private static ModelVersion awaitReady(TrackingClient client, ModelVersion version) {
    long end = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
    ModelVersion v = version;
    while ("PENDING_REGISTRATION".equals(v.status())) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException(
            "model "
                + v.name()
                + " version "
                + v.version()
                + " is still PENDING_REGISTRATION after"
                + " 2 minutes; the alias was not moved");
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(
            "interrupted while version " + v.version() + " registers", e);
      }
      v = client.registry().getVersion(v.name(), v.version());
    }
    if ("FAILED_REGISTRATION".equals(v.status())) {
      throw new IllegalStateException(
          "model "
              + v.name()
              + " version "
              + v.version()
              + " failed to register (FAILED_REGISTRATION);"
              + " the alias was not moved");
    }
    return v;
  }

  private static void checkNames(String name, String alias) {
    if (name == null || name.isBlank() || name.contains("/") || name.contains("@")) {
      throw new IllegalArgumentException(
          "model name (" + name + ") is required and may not contain '/' or '@'");
    }
    if (alias == null
        || !ALIAS.matcher(alias).matches()
        || alias.matches("[vV]\\d+")
        || alias.equalsIgnoreCase("latest")) {
      throw new IllegalArgumentException(
          "alias ("
              + alias
              + ") must be letters, digits, '_' and '-', starting with a letter, and"
              + " not 'latest' or v<number> (MLflow reserves those)");
    }
  }
}
