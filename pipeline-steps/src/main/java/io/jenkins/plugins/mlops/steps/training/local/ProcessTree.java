package io.jenkins.plugins.mlops.steps.training.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Stops whole process trees: a worker and everything it started (torchrun's ranks, a shell's
 * children, a data loader's workers). A child whose parent died is re-parented and can no longer be
 * found from it, so every worker also carries a cookie in its environment ({@link #COOKIE}), which
 * its children inherit: on Linux, every process of this user with the job's cookie is part of the
 * job, wherever it hangs now (the way Jenkins finds the processes a build left behind).
 */
public final class ProcessTree {

  private ProcessTree() {}

  /** The environment variable whose value marks every process of one job. */
  public static final String COOKIE = "MLOPS_JOB_COOKIE";

  /**
   * {@code roots}, all their descendants and every process whose environment holds {@code
   * COOKIE=cookie} (null for none), as they are now.
   */
  public static Set<ProcessHandle> collect(Collection<ProcessHandle> roots, String cookie) {
    Set<ProcessHandle> all = new LinkedHashSet<>();
    for (ProcessHandle root : roots) {
      all.add(root);
      root.descendants().forEach(all::add);
    }
    all.addAll(withCookie(cookie));
    return all;
  }

  /** The running processes whose environment holds {@code COOKIE=cookie} (Linux only). */
  public static List<ProcessHandle> withCookie(String cookie) {
    if (cookie == null || !Files.isDirectory(Path.of("/proc/self"))) {
      return List.of();
    }
    byte[] marker = (COOKIE + "=" + cookie + "\0").getBytes(StandardCharsets.UTF_8);
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
        .filter(p -> p.pid() != self)
        .filter(p -> contains(environ(p.pid()), marker))
        .toList();
  }

  private static byte[] environ(long pid) {
    try {
      return Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
    } catch (IOException | SecurityException e) {
      return new byte[0];
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (i > 0 && haystack[i - 1] != 0) {
        continue;
      }
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * Asks every process of the trees to end (SIGTERM), waits up to {@code grace}, then kills what is
   * left (SIGKILL) and waits for it to be gone.
   *
   * @return how many processes had to be killed
   */
  public static int stop(Collection<ProcessHandle> roots, String cookie, Duration grace) {
    Set<ProcessHandle> all = collect(roots, cookie);
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    while (System.nanoTime() < deadline) {
      // Children started while the others were stopping are part of the tree too.
      for (ProcessHandle p : List.copyOf(all)) {
        if (running(p)) {
          p.descendants().filter(all::add).forEach(ProcessHandle::destroy);
        }
      }
      withCookie(cookie).stream().filter(all::add).forEach(ProcessHandle::destroy);
      if (all.stream().noneMatch(ProcessTree::running)) {
        return 0;
      }
      sleep(50);
    }
    int killed = 0;
    for (int round = 0; round < 100; round++) {
      for (ProcessHandle p : List.copyOf(all)) {
        if (running(p)) {
          p.descendants().forEach(all::add);
        }
      }
      all.addAll(withCookie(cookie));
      List<ProcessHandle> left = all.stream().filter(ProcessTree::running).toList();
      if (left.isEmpty()) {
        break;
      }
      for (ProcessHandle p : left) {
        if (p.destroyForcibly() && round == 0) {
          killed++;
        }
      }
      sleep(50);
    }
    return killed;
  }

  /**
   * Whether {@code p} still runs: alive and, on Linux, not a zombie (a process that has ended but
   * whose parent has not collected it yet still shows as alive).
   */
  public static boolean running(ProcessHandle p) {
    if (!p.isAlive()) {
      return false;
    }
    Path stat = Path.of("/proc", Long.toString(p.pid()), "stat");
    try {
      String text = Files.readString(stat);
      int close = text.lastIndexOf(')');
      return close < 0 || close + 2 >= text.length() || text.charAt(close + 2) != 'Z';
    } catch (IOException | UnsupportedOperationException e) {
      return p.isAlive();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
