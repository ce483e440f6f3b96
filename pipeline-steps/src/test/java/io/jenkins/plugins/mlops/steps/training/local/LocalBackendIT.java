package io.jenkins.plugins.mlops.steps.training.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.MlflowServer;
import io.jenkins.plugins.mlops.steps.training.Launcher;
import io.jenkins.plugins.mlops.steps.training.TrainingContext;
import io.jenkins.plugins.mlops.steps.training.TrainingHandle;
import io.jenkins.plugins.mlops.steps.training.TrainingJobSpec;
import io.jenkins.plugins.mlops.steps.training.TrainingResult;
import io.jenkins.plugins.mlops.steps.training.TrainingResult.Outcome;
import io.jenkins.plugins.mlops.tracking.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * How local jobs fail, stop and restart: a failing worker stops the others, cancel and timeouts
 * leave no process behind (checked by pid, grandchildren and SIGTERM-ignoring workers included),
 * retries start every worker again, a finished job key is not run twice.
 */
class LocalBackendIT {

  @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();

  @TempDir Path work;
  private Jobs jobs;
  private Path worker;

  @BeforeEach
  void setUp() throws Exception {
    jobs = new Jobs(mlflow, work);
    // Every worker starts a grandchild, writes both pids, then does what its mode says.
    worker =
        jobs.script(
            "worker.py",
            "import os, signal, subprocess, sys, time",
            "mode = sys.argv[1]",
            "index = int(os.environ['MLOPS_WORKER_INDEX'])",
            "if mode == 'stubborn':",
            "    signal.signal(signal.SIGTERM, signal.SIG_IGN)",
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])",
            "os.makedirs('pids', exist_ok=True)",
            "with open(f'pids/.worker-{index}', 'w') as f:",
            "    f.write(f'{os.getpid()}\\n{child.pid}\\n')",
            "os.replace(f'pids/.worker-{index}', f'pids/worker-{index}')",
            "print(f'worker {index} ready', flush=True)",
            "if mode == 'fail' and index == 1:",
            "    while not os.path.exists('pids/worker-0'):",
            "        time.sleep(0.05)",
            "    print('loading shard 1')",
            "    print('boom: shard 1 is corrupt', flush=True)",
            "    sys.exit(3)",
            "time.sleep(600)");
  }

  @AfterEach
  void tearDown() throws Exception {
    // Whatever a failed assertion left running goes, so that one test cannot hold up the next.
    ProcessTree.stop(
        jobs.writtenPids().stream().flatMap(p -> ProcessHandle.of(p).stream()).toList(),
        null,
        Duration.ofSeconds(1));
    jobs.close();
  }

  private TrainingJobSpec.Builder twoWorkers(String mode) {
    return TrainingJobSpec.builder()
        .setNamePrefix("fail")
        .setLauncher(Launcher.TENSORFLOW)
        .addCommand(Jobs.python(), worker.toString(), mode)
        .optWorkers(2);
  }

  private void awaitPids(int count) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (jobs.writtenPids().size() < count) {
      assertTrue(System.nanoTime() < end, "workers did not start: " + jobs.consoleText());
      Thread.sleep(100);
    }
  }

  @Test
  void aWorkerThatFailsStopsTheOthersAndIsNamedWithItsExitCodeAndLastLines() throws Exception {
    TrainingHandle handle =
        Jobs.backend().submit(twoWorkers("fail").build(), jobs.context("local-fail"));
    TrainingResult r = handle.await();

    assertEquals(Outcome.FAILED, r.outcome(), r.reason());
    assertEquals(1, r.failedWorker());
    assertEquals(3, r.exitCode());
    assertTrue(r.reason().startsWith("worker 1 exited with code 3"), r.reason());
    assertTrue(r.reason().contains("the other workers were stopped"), r.reason());
    assertEquals(
        List.of("worker 1 ready", "loading shard 1", "boom: shard 1 is corrupt"), r.lastLines());
    assertTrue(r.ranks().get(0).stopped(), "worker 0 was stopped: " + r.ranks());
    assertFalse(r.ranks().get(1).stopped());
    List<Long> pids = jobs.writtenPids();
    assertEquals(4, pids.size(), "two workers and their children: " + pids);
    assertEquals(List.of(), Jobs.running(pids), "no process is left behind");
    assertEquals(RunStatus.FAILED, jobs.client.runs().get(r.runId()).info().status());
    assertTrue(
        Files.readString(Path.of(r.ranks().get(1).log())).contains("boom: shard 1 is corrupt"));
    assertTrue(jobs.consoleText().contains("[worker 1] boom: shard 1 is corrupt"));
  }

  @Test
  void cancelKillsEveryProcessEvenOnesThatIgnoreSigterm() throws Exception {
    TrainingHandle handle =
        Jobs.backend().submit(twoWorkers("stubborn").build(), jobs.context("local-cancel"));
    awaitPids(4);
    assertFalse(handle.isDone());
    handle.cancel("the build was aborted");
    TrainingResult r = handle.await();

    assertEquals(Outcome.CANCELLED, r.outcome());
    assertTrue(r.reason().startsWith("the build was aborted; stopped 2 running"), r.reason());
    assertEquals(List.of(), Jobs.running(jobs.writtenPids()), "no process is left behind");
    assertTrue(jobs.consoleText().contains("ignored SIGTERM"), jobs.consoleText());
    assertEquals(RunStatus.KILLED, jobs.client.runs().get(r.runId()).info().status());
    assertNull(r.failedWorker());
  }

  @Test
  void theDeadlineStopsEveryProcessAndSaysSo() throws Exception {
    TrainingResult r =
        Jobs.backend()
            .submit(
                twoWorkers("sleep").optDeadline(Duration.ofSeconds(3)).build(),
                jobs.context("local-deadline"))
            .await();

    assertEquals(Outcome.TIMED_OUT, r.outcome());
    assertTrue(r.reason().startsWith("the deadline (3 s) passed with 2 of 2"), r.reason());
    assertTrue(r.seconds() >= 3 && r.seconds() < 30, "took " + r.seconds());
    assertEquals(List.of(), Jobs.running(jobs.writtenPids()), "no process is left behind");
  }

  @Test
  void aWorkerThatPrintsNothingFailsTheStartupTimeout() throws Exception {
    TrainingResult r =
        Jobs.backend()
            .submit(
                TrainingJobSpec.builder()
                    .setNamePrefix("silent")
                    .setLauncher(Launcher.COMMAND)
                    .addCommand(Jobs.python(), "-c", "import time; time.sleep(600)")
                    .optStartupTimeout(Duration.ofSeconds(2))
                    .build(),
                jobs.context("local-startup"))
            .await();

    assertEquals(Outcome.TIMED_OUT, r.outcome());
    assertTrue(
        r.reason().startsWith("worker 0 printed nothing within the startup timeout (2 s)"),
        r.reason());
    assertEquals(List.of(), Jobs.running(List.of(r.ranks().get(0).pid())));
  }

  @Test
  void retriesStartTheWorkersAgainWithTheirCheckpoints() throws Exception {
    Path script =
        jobs.script(
            "flaky.py",
            "import os, sys",
            "marker = os.path.join(os.environ['MLOPS_CHECKPOINT_DIR'], 'attempted')",
            "if not os.path.exists(marker):",
            "    open(marker, 'w').close()",
            "    print('preempted', flush=True)",
            "    sys.exit(137)",
            "print('resumed from the checkpoint', flush=True)");
    TrainingResult r =
        Jobs.backend()
            .submit(
                TrainingJobSpec.builder()
                    .setNamePrefix("flaky")
                    .setLauncher(Launcher.COMMAND)
                    .addCommand(Jobs.python(), script.toString())
                    .optRetries(2)
                    .build(),
                jobs.context("local-retry"))
            .await();

    assertEquals(Outcome.SUCCEEDED, r.outcome(), r.reason());
    assertEquals(2, r.attempts());
    assertTrue(jobs.consoleText().contains("worker 0 exited with code 137 (ended by SIGKILL"));
    assertEquals(List.of("resumed from the checkpoint"), r.ranks().get(0).lastLines());
  }

  @Test
  void aProgramThatDoesNotExistFailsWithAClearReason() throws Exception {
    TrainingResult r =
        Jobs.backend()
            .submit(
                TrainingJobSpec.builder()
                    .setNamePrefix("missing")
                    .setLauncher(Launcher.COMMAND)
                    .addCommand("mlops-no-such-program", "--x")
                    .build(),
                jobs.context("local-missing"))
            .await();

    assertEquals(Outcome.FAILED, r.outcome());
    assertTrue(r.reason().contains("could not be started"), r.reason());
    assertTrue(r.reason().contains("is mlops-no-such-program installed and on the PATH?"));
  }

  @Test
  void eachWorkerOfAGpuJobSeesItsSliceOfTheVisibleGpus() throws Exception {
    java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
    env.put("CUDA_VISIBLE_DEVICES", "3,5");
    TrainingJobSpec.Builder spec =
        TrainingJobSpec.builder()
            .setNamePrefix("gpus")
            .setLauncher(Launcher.TENSORFLOW)
            .addCommand(
                Jobs.python(),
                "-c",
                "import os; print('gpus=' + os.environ['CUDA_VISIBLE_DEVICES'])")
            .optWorkers(2)
            .optGpusPerWorker(1);
    TrainingContext context =
        new TrainingContext(work, env, jobs.console::add, jobs.client, "gpus", null, "gpus-1");
    TrainingResult r = Jobs.backend().submit(spec.build(), context).await();

    assertEquals(Outcome.SUCCEEDED, r.outcome(), r.reason());
    assertEquals(List.of("gpus=3"), r.ranks().get(0).lastLines());
    assertEquals(List.of("gpus=5"), r.ranks().get(1).lastLines());
    IllegalArgumentException tooFew =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> Jobs.backend().submit(spec.optGpusPerWorker(2).build(), context));
    assertTrue(
        tooFew
            .getMessage()
            .contains(
                "asks for 2 worker(s) x 2 GPU(s), but CUDA_VISIBLE_DEVICES (3,5) lists only 2"),
        tooFew.getMessage());
  }

  @Test
  void theSameJobKeyReturnsTheEndedJobInsteadOfRunningItTwice() throws Exception {
    String key = "build-42/" + UUID.randomUUID();
    TrainingJobSpec spec =
        TrainingJobSpec.builder()
            .setNamePrefix("once")
            .setLauncher(Launcher.COMMAND)
            .addCommand(Jobs.python(), "-c", "print('trained')")
            .build();
    TrainingContext context =
        new TrainingContext(
            work, System.getenv(), jobs.console::add, jobs.client, "once", null, key);
    TrainingResult first = Jobs.backend().submit(spec, context).await();
    TrainingHandle again = Jobs.backend().submit(spec, context);

    assertEquals(Outcome.SUCCEEDED, first.outcome());
    assertTrue(again.isDone());
    assertEquals(first, again.await());
    assertEquals(first.name(), Jobs.backend().attach(first.name(), context).orElseThrow().name());
    assertTrue(jobs.consoleText().contains("ran before with this job key"));
  }
}
