package io.jenkins.plugins.mlops.steps.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Skip-when-unchanged fails closed: only the same data and the same job skip (a file store). */
class UnchangedTest {

  private static final String DATA = "sha256:" + "d".repeat(64);
  private static final String JOB = "sha256:" + "j".repeat(64);

  @TempDir Path work;
  private TrackingClient client;

  @BeforeEach
  void open() {
    client = TrackingClient.open(TrackingConfig.parse(null, work), line -> {});
  }

  @AfterEach
  void close() {
    client.close();
  }

  /** A run with {@code tags}, registered as version N of {@code model} and aliased champion. */
  private Run champion(String model, Map<String, String> tags) {
    String experiment = client.experiments().getOrCreate("unchanged").id();
    Run run = client.runs().create(NewRun.of(experiment, "trained"));
    tags.forEach((k, v) -> client.runs().setTag(run.id(), k, v));
    client.registry().createIfMissing(model);
    String version =
        client.registry().createVersion(model, "runs:/" + run.id() + "/model", run.id()).version();
    client.registry().setAlias(model, "champion", version);
    return run;
  }

  private Unchanged.Decision decide(String model, String data, String job) {
    return Unchanged.decide(client, model, "champion", data, job);
  }

  @Test
  void theSameDataAndTheSameJobSkipAndSaySo() {
    Run run = champion("m", Map.of(Unchanged.TAG_DATA, DATA, JobRun.TAG_DIGEST, JOB));

    Unchanged.Decision d = decide("m", DATA, JOB);

    assertTrue(d.skip(), d.reason());
    assertEquals(
        "unchanged: models:/m@champion (version 1, run "
            + run.id()
            + ") was trained on this data (prepared as "
            + DATA
            + ") by this job; training skipped, the model stays",
        d.reason());
  }

  @Test
  void anythingUnknownMissingOrDifferentTrains() {
    champion("full", Map.of(Unchanged.TAG_DATA, DATA, JobRun.TAG_DIGEST, JOB));
    champion("no-data-tag", Map.of(JobRun.TAG_DIGEST, JOB));
    champion("no-job-tag", Map.of(Unchanged.TAG_DATA, DATA));

    Map<String, Unchanged.Decision> decisions =
        Map.of(
            "no model", decide("missing", DATA, JOB),
            "no data fingerprint given", decide("full", null, JOB),
            "blank data fingerprint", decide("full", " ", JOB),
            "other data", decide("full", "sha256:" + "e".repeat(64), JOB),
            "other job", decide("full", DATA, "sha256:" + "k".repeat(64)),
            "champion without data tag", decide("no-data-tag", DATA, JOB),
            "champion without job tag", decide("no-job-tag", DATA, JOB));

    decisions.forEach(
        (name, d) -> {
          assertFalse(d.skip(), name + ": " + d.reason());
          assertTrue(d.reason().startsWith("training: "), name + ": " + d.reason());
        });
    assertTrue(decisions.get("no model").reason().contains("there is no models:/missing@champion"));
    assertTrue(decisions.get("other data").reason().contains("the data changed"));
    assertTrue(decisions.get("other job").reason().contains("the job is not"));
    assertTrue(
        decisions.get("champion without data tag").reason().contains("records no data digest"));
    assertTrue(
        decisions.get("champion without job tag").reason().contains("records no job digest"));
  }

  @Test
  void theDigestSeesTheScriptsContentsAndNotTheOrderOfParams() throws Exception {
    Path script = Files.writeString(work.resolve("train.py"), "print('v1')\n");
    TrainingJobSpec.Builder a =
        TrainingJobSpec.builder()
            .setNamePrefix("t")
            .setLauncher(Launcher.COMMAND)
            .addCommand("python", "train.py")
            .addHyperparameter("lr", "0.1")
            .addHyperparameter("epochs", "3");
    TrainingJobSpec.Builder b =
        TrainingJobSpec.builder()
            .setNamePrefix("t")
            .setLauncher(Launcher.COMMAND)
            .addCommand("python", "train.py")
            .addHyperparameter("epochs", "3")
            .addHyperparameter("lr", "0.1");

    String before = JobDigest.of(a.build(), work, List.of());
    assertEquals(before, JobDigest.of(b.build(), work, List.of()), "params in another order");
    Files.writeString(script, "print('v2')\n");
    String edited = JobDigest.of(a.build(), work, List.of());

    assertNotEquals(before, edited, "the script changed");
    // the same size and time, other bytes: still another job (contents are hashed, never sizes)
    java.nio.file.attribute.FileTime time = Files.getLastModifiedTime(script);
    Files.writeString(script, "print('v3')\n");
    Files.setLastModifiedTime(script, time);
    assertNotEquals(edited, JobDigest.of(a.build(), work, List.of()), "same size and time");
    Files.writeString(script, "print('v2')\n");
    assertNotEquals(
        edited,
        JobDigest.of(a.addHyperparameter("lr", "0.2").build(), work, List.of()),
        "a hyperparameter changed");
  }
}
