package io.jenkins.plugins.mlops.harness.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.ProcessResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessesTest {

  @Test
  void capturesExitCodeAndBothStreams() {
    ProcessResult result =
        Processes.run(
            new ProcessBuilder("bash", "-c", "echo out; echo err >&2; exit 3"),
            Duration.ofSeconds(30));

    assertEquals(3, result.exitCode());
    assertEquals("out\n", result.stdout());
    assertEquals("err\n", result.stderr());
  }

  @Test
  void killTreeStopsGrandchildrenToo() throws Exception {
    Process parent =
        new ProcessBuilder("bash", "-c", "sleep 300 & (sleep 300 & wait) & wait").start();
    List<ProcessHandle> tree = new ArrayList<>();
    Instant deadline = Instant.now().plusSeconds(10);
    while (parent.toHandle().descendants().count() < 3 && Instant.now().isBefore(deadline)) {
      Thread.sleep(20);
    }
    tree.add(parent.toHandle());
    tree.addAll(parent.toHandle().descendants().toList());
    assertTrue(tree.size() >= 4, "expected bash, two sleeps and a subshell: " + tree);

    List<ProcessHandle> survivors = Processes.killTree(parent.toHandle(), Duration.ofSeconds(5));

    assertEquals(List.of(), survivors);
    assertEquals(List.of(), tree.stream().filter(ProcessHandle::isAlive).toList());
  }

  @Test
  void runKillsACommandThatOutlivesItsTimeout() {
    IllegalStateException failure =
        assertThrows(
            IllegalStateException.class,
            () ->
                Processes.run(
                    new ProcessBuilder("bash", "-c", "echo started; sleep 300"),
                    Duration.ofMillis(500)));

    assertTrue(failure.getMessage().contains("did not finish within"), failure.getMessage());
    assertTrue(failure.getMessage().contains("started"), failure.getMessage());
  }

  @Test
  void tailKeepsTheLastLines() {
    assertEquals("c\nd", Processes.tail("a\nb\nc\nd", 2));
    assertEquals("a", Processes.tail("a", 5));
  }
}
