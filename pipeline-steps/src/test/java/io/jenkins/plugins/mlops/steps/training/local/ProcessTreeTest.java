package io.jenkins.plugins.mlops.steps.training.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Stopping a tree finds the orphans a dead parent left behind by the job's cookie. */
class ProcessTreeTest {

  @Test
  void anOrphanWhoseParentHasEndedIsFoundByItsCookieAndStopped() throws Exception {
    String cookie = UUID.randomUUID().toString();
    ProcessBuilder builder =
        new ProcessBuilder("/bin/sh", "-c", "sleep 600 & echo $!").redirectErrorStream(true);
    builder.environment().put(ProcessTree.COOKIE, cookie);
    Process parent = builder.start();
    long orphan;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      orphan = Long.parseLong(out.readLine().strip());
    }
    assertEquals(0, parent.waitFor());
    ProcessHandle handle = ProcessHandle.of(orphan).orElseThrow();
    assertTrue(ProcessTree.running(handle), "the orphan runs on after its parent");
    assertEquals(List.of(handle), ProcessTree.withCookie(cookie));
    assertEquals(List.of(), ProcessTree.withCookie(UUID.randomUUID().toString()));

    ProcessTree.stop(List.of(parent.toHandle()), cookie, Duration.ofSeconds(5));

    assertFalse(ProcessTree.running(handle), "the orphan was stopped");
  }
}
