package io.jenkins.plugins.mlops.trainer;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One directory per completed epoch, {@code epoch-00003/}: the parameters, the optimizer's state,
 * the best parameters so far (with early stopping) and {@code state.json}. Written under a
 * temporary name and renamed when complete, so every {@code epoch-*} directory is whole; the two
 * newest are kept.
 */
final class Checkpoints {

  /** What a resumed run needs besides the arrays. */
  record State(
      String key,
      int epochsDone,
      long steps,
      double best,
      int bestEpoch,
      int sinceBest,
      List<Map<String, Double>> history) {}

  /** A loaded checkpoint. */
  record Loaded(
      Path dir, State state, byte[] parameters, NDList optimizer, byte[] bestParameters) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private Checkpoints() {}

  static void save(Path root, Block block, NDList optimizer, byte[] bestParameters, State state)
      throws IOException {
    Files.createDirectories(root);
    String name = String.format("epoch-%05d", state.epochsDone());
    Path tmp = root.resolve(".tmp-" + name + "-" + UUID.randomUUID());
    Files.createDirectories(tmp);
    try {
      try (DataOutputStream out =
          new DataOutputStream(
              new BufferedOutputStream(Files.newOutputStream(tmp.resolve("params.bin"))))) {
        block.saveParameters(out);
      }
      try (OutputStream out =
          new BufferedOutputStream(Files.newOutputStream(tmp.resolve("optimizer.ndlist")))) {
        optimizer.encode(out);
      }
      if (bestParameters != null) {
        Files.write(tmp.resolve("best.bin"), bestParameters);
      }
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve("state.json").toFile(), state);
      Path target = root.resolve(name);
      if (Files.exists(target)) {
        deleteTree(target);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteTree(tmp);
    }
    List<Path> all = complete(root);
    for (int i = 0; i < all.size() - 2; i++) {
      deleteTree(all.get(i));
    }
  }

  /** The newest complete checkpoint; null when there is none. */
  static Loaded loadLatest(Path root, NDManager manager) {
    if (root == null || !Files.isDirectory(root)) {
      return null;
    }
    List<Path> all = complete(root);
    if (all.isEmpty()) {
      return null;
    }
    Path dir = all.get(all.size() - 1);
    try {
      State state = JSON.readValue(dir.resolve("state.json").toFile(), State.class);
      byte[] parameters = Files.readAllBytes(dir.resolve("params.bin"));
      NDList optimizer;
      try (InputStream in =
          new BufferedInputStream(Files.newInputStream(dir.resolve("optimizer.ndlist")))) {
        optimizer = NDList.decode(manager, in);
      }
      Path best = dir.resolve("best.bin");
      return new Loaded(
          dir, state, parameters, optimizer, Files.exists(best) ? Files.readAllBytes(best) : null);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "checkpoint " + dir + " cannot be read (" + e.getMessage() + "); delete it to start over",
          e);
    }
  }

  /** Peeks at the newest checkpoint's state without loading arrays; null when there is none. */
  static State peek(Path root) {
    if (root == null || !Files.isDirectory(root)) {
      return null;
    }
    List<Path> all = complete(root);
    if (all.isEmpty()) {
      return null;
    }
    try {
      return JSON.readValue(all.get(all.size() - 1).resolve("state.json").toFile(), State.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> complete(Path root) {
    try (Stream<Path> list = Files.list(root)) {
      List<Path> dirs =
          new ArrayList<>(
              list.filter(p -> p.getFileName().toString().matches("epoch-\\d{5}"))
                  .filter(p -> Files.isRegularFile(p.resolve("state.json")))
                  .toList());
      dirs.sort(Comparator.comparing(p -> p.getFileName().toString()));
      return dirs;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + root, e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
