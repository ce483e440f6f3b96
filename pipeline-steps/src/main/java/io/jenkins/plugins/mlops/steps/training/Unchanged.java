package io.jenkins.plugins.mlops.steps.training;

import io.jenkins.plugins.mlops.steps.MlflowLookup;
import io.jenkins.plugins.mlops.steps.data.DatasetLogging;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.ModelVersion;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.util.Optional;

/**
 * Skip-when-unchanged, for scheduled retraining: a job may be skipped only when the model it would
 * replace was trained on exactly this data (the prepared data's fingerprint, {@link #TAG_DATA} on
 * the champion's run) by exactly this job ({@link JobDigest}, {@link JobRun#TAG_DIGEST}). Anything
 * unknown, missing or different means: train. Every decision says why in one sentence.
 */
public final class Unchanged {

  /**
   * How the data was prepared (fingerprint, splits, label, seed, options), tagged on every run
   * trained on prepared data ({@link DatasetLogging#preparationDigest}).
   */
  public static final String TAG_DATA = DatasetLogging.TAG_PREPARATION;

  /**
   * Whether to skip, and why.
   *
   * @param skip true only when the champion was trained on this data by this job
   * @param reason the decision in a sentence
   * @param champion the version compared with; null when there was none to compare with
   */
  public record Decision(boolean skip, String reason, ModelVersion champion) {}

  private Unchanged() {}

  /**
   * Decides whether a job with {@code jobDigest} on data with {@code dataDigest} may be skipped
   * because {@code models:/<model>@<alias>} came from the same.
   */
  public static Decision decide(
      TrackingClient client, String model, String alias, String dataDigest, String jobDigest) {
    String ref = "models:/" + model + "@" + alias;
    if (dataDigest == null || dataDigest.isBlank()) {
      return train(
          "the job has no prepared data with a fingerprint, so nothing shows it unchanged", null);
    }
    Optional<ModelVersion> champion;
    try {
      champion = client.registry().getByAlias(model, alias);
    } catch (MlflowException e) {
      if (!e.isNotFound()) {
        throw e;
      }
      champion = Optional.empty();
    }
    if (champion.isEmpty()) {
      return train("there is no " + ref + " to compare with", null);
    }
    ModelVersion version = champion.get();
    String of = ref + " (version " + version.version() + ", run " + version.runId() + ")";
    Optional<Run> run =
        version.runId().isEmpty()
            ? Optional.empty()
            : MlflowLookup.liveRun(client, version.runId());
    if (run.isEmpty()) {
      return train("the run of " + of + " is gone, so what it was trained on is unknown", version);
    }
    String trainedOn = run.get().tags().get(TAG_DATA);
    if (trainedOn == null) {
      return train(of + " records no data digest (" + TAG_DATA + ")", version);
    }
    if (!trainedOn.equals(dataDigest)) {
      return train(
          "the data changed (its fingerprint, splits, label, seed or options): "
              + dataDigest
              + ", "
              + of
              + " was trained on "
              + trainedOn,
          version);
    }
    String trainedBy = run.get().tags().get(JobRun.TAG_DIGEST);
    if (trainedBy == null) {
      return train(of + " records no job digest (" + JobRun.TAG_DIGEST + ")", version);
    }
    if (!trainedBy.equals(jobDigest)) {
      return train(
          "the data is unchanged but the job is not: its launcher, program files, command,"
              + " hyperparameters, environment or workers differ from those that trained "
              + of,
          version);
    }
    return new Decision(
        true,
        "unchanged: "
            + of
            + " was trained on this data (prepared as "
            + dataDigest
            + ") by this job; training skipped, the model stays",
        version);
  }

  private static Decision train(String why, ModelVersion champion) {
    return new Decision(false, "training: " + why, champion);
  }
}
