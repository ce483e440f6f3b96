package io.jenkins.plugins.mlops.steps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.tensorboard.EventFileWriter;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.Metric;
import io.jenkins.plugins.mlops.tracking.NewRun;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunQuery;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlops sync} against the real MLflow server, in-process and as the packaged jar. */
class SyncCommandIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();
  private static final Path JAR = Path.of(System.getProperty("mlops.cliJar"));

  @TempDir Path work;
  private TrackingClient client;

  private record Outcome(int status, String out, String err) {}

  @BeforeEach
  void open() {
    client = TrackingClient.open(TrackingConfig.parse(mlflow.trackingUri(), work), line -> {});
  }

  @AfterEach
  void close() {
    client.close();
  }

  private static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = MlopsCli.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Outcome(status, out.toString(), err.toString());
  }

  private static void write(Path logdir, int from, int to) {
    try (EventFileWriter w = EventFileWriter.open(logdir.resolve("train"))) {
      for (int step = from; step < to; step++) {
        w.scalar("epoch_loss", step, 1.0 / (step + 1));
      }
    }
  }

  private Run newRun() {
    Experiment e = client.experiments().getOrCreate("cli-sync-" + UUID.randomUUID());
    return client.runs().create(NewRun.of(e.id(), "target"));
  }

  private List<Metric> loss(String runId) {
    return client.runs().metricHistory(runId, "train/epoch_loss");
  }

  @Test
  void syncsOnceIntoAGivenRun() {
    Path logdir = work.resolve("logs");
    write(logdir, 0, 12);
    Run run = newRun();

    Outcome sync =
        run(
            "sync",
            "--logdir",
            logdir.toString(),
            "--run-id",
            run.id(),
            "--tracking-uri",
            mlflow.trackingUri());

    assertEquals(0, sync.status(), sync.err());
    assertTrue(sync.out().startsWith("synced " + logdir + ": 12 points"), sync.out());
    assertEquals(12, loss(run.id()).size());
    assertEquals(1, client.artifacts().list(run.id(), "tensorboard/train").size());
  }

  @Test
  void anExperimentGetsOneRunThatReRunsContinue() {
    Path logdir = work.resolve("logs");
    String experiment = "cli-sync-exp-" + UUID.randomUUID();
    write(logdir, 0, 5);
    Outcome first =
        run(
            "sync",
            "--logdir",
            logdir.toString(),
            "--experiment",
            experiment,
            "--tracking-uri",
            mlflow.trackingUri());
    write(logdir, 5, 9);
    Outcome second =
        run(
            "sync",
            "--logdir",
            logdir.toString(),
            "--experiment",
            experiment,
            "--tracking-uri",
            mlflow.trackingUri());

    assertEquals(0, first.status(), first.err());
    assertEquals(0, second.status(), second.err());
    assertTrue(second.err().contains("continuing run"), second.err());
    Experiment e = client.experiments().findByName(experiment).orElseThrow();
    List<Run> runs = client.runs().searchAll(RunQuery.in(e.id(), ""));
    assertEquals(1, runs.size());
    assertEquals("tensorboard-logs", runs.get(0).info().runName());
    assertEquals(RunStatus.FINISHED, runs.get(0).info().status());
    assertEquals(9, loss(runs.get(0).id()).size());
  }

  @Test
  void followingJarStopsWhenTheMarkerFileAppearsAfterAFinalPass() throws Exception {
    Path logdir = work.resolve("live");
    Path done = work.resolve("training.done");
    Run run = newRun();
    Process sync =
        new ProcessBuilder(
                "java",
                "-jar",
                JAR.toString(),
                "sync",
                "--logdir",
                logdir.toString(),
                "--run-id",
                run.id(),
                "--follow",
                "--interval",
                "0.2",
                "--until-file",
                done.toString(),
                "--tracking-uri",
                mlflow.trackingUri())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("sync.log").toFile())
            .start();
    try (EventFileWriter w = EventFileWriter.open(logdir.resolve("train"), Duration.ofMillis(50))) {
      for (int step = 0; step < 20; step++) {
        w.scalar("epoch_loss", step, 1.0 / (step + 1));
        Thread.sleep(50);
      }
    }
    Files.writeString(done, "ok");

    assertTrue(sync.waitFor(2, TimeUnit.MINUTES), Files.readString(work.resolve("sync.log")));
    assertEquals(0, sync.exitValue(), Files.readString(work.resolve("sync.log")));
    assertEquals(20, loss(run.id()).size());
  }

  @Test
  void aTerminatedFollowMakesItsFinalPassBeforeExiting() throws Exception {
    Path logdir = work.resolve("live");
    Run run = newRun();
    Process sync =
        new ProcessBuilder(
                "java",
                "-jar",
                JAR.toString(),
                "sync",
                "--logdir",
                logdir.toString(),
                "--run-id",
                run.id(),
                "--follow",
                "--interval",
                "30",
                "--tracking-uri",
                mlflow.trackingUri())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("sync.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (!Files.readString(work.resolve("sync.log")).contains("following")
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    write(logdir, 0, 7); // written after the first pass; the next pass is 30 s away

    sync.destroy(); // SIGTERM, as Kubernetes stops a sidecar

    assertTrue(sync.waitFor(2, TimeUnit.MINUTES), Files.readString(work.resolve("sync.log")));
    assertEquals(7, loss(run.id()).size(), Files.readString(work.resolve("sync.log")));
  }

  @Test
  void withoutARunItSaysWhichOptionsGiveOne() {
    Outcome none = run("sync", "--logdir", work.toString());
    assertEquals(2, none.status());
    assertTrue(
        none.err()
            .startsWith(
                "mlops sync: a run to sync into is required: --run-id (or"
                    + " MLFLOW_RUN_ID) or --experiment"),
        none.err());

    Outcome both = run("sync", "--logdir", work.toString(), "--run-id", "r", "--experiment", "e");
    assertEquals(2, both.status());
    assertTrue(both.err().contains("not both"), both.err());

    Outcome interval =
        run("sync", "--logdir", work.toString(), "--run-id", "r", "--follow", "--interval", "0");
    assertEquals(2, interval.status());
    assertTrue(
        interval.err().startsWith("mlops sync: --interval (0) must be positive"), interval.err());

    Outcome typo =
        run("sync", "--logdir", work.toString(), "--run-id", "r", "--follow", "--interval", "5x");
    assertEquals(2, typo.status());
    assertTrue(
        typo.err().contains("--interval (5x) is not a duration such as 90s, 10m"), typo.err());
  }

  @Test
  void intervalsTakeTheDurationsOfTrainSyncIntervalAndPlainSeconds() throws Exception {
    Path logdir = work.resolve("logs");
    write(logdir, 0, 3);
    Path done = Files.writeString(work.resolve("training.done"), "ok");
    Run run = newRun();

    Outcome units =
        run(
            "sync",
            "--logdir",
            logdir.toString(),
            "--run-id",
            run.id(),
            "--follow",
            "--interval",
            "5s",
            "--upload-interval",
            "2m",
            "--until-file",
            done.toString(),
            "--tracking-uri",
            mlflow.trackingUri());
    Outcome plain =
        run(
            "sync",
            "--logdir",
            logdir.toString(),
            "--run-id",
            run.id(),
            "--follow",
            "--interval",
            "0.5",
            "--until-file",
            done.toString(),
            "--tracking-uri",
            mlflow.trackingUri());

    assertEquals(0, units.status(), units.err());
    assertTrue(units.err().contains(" every 5.0 s"), units.err());
    assertEquals(0, plain.status(), plain.err());
    assertTrue(plain.err().contains(" every 0.5 s"), plain.err());
    assertEquals(3, loss(run.id()).size());
  }

  @Test
  void aMissingLogDirIsAnErrorUnlessFollowing() {
    Run run = newRun();
    Outcome missing =
        run(
            "sync",
            "--logdir",
            work.resolve("nope").toString(),
            "--run-id",
            run.id(),
            "--tracking-uri",
            mlflow.trackingUri());
    assertEquals(4, missing.status());
    assertTrue(missing.err().contains("does not exist"), missing.err());
  }
}
