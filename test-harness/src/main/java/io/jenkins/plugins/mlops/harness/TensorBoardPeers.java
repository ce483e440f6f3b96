package io.jenkins.plugins.mlops.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The TensorBoard peers of the harness Python environment: real writers (TensorFlow's {@code
 * tf.summary}, a Keras {@code fit()} with the TensorBoard callback, tensorboardX, TensorBoard's own
 * protos for every scalar encoding) and real readers (TensorBoard's event multiplexer, tbparse).
 */
public final class TensorBoardPeers {

  private static final String SCRIPT = "tensorboard_peer.py";

  private TensorBoardPeers() {}

  /**
   * Writes event files under {@code root}: {@code tf/} (scalars, histograms, images, text in two
   * runs), {@code keras/} ({@code train} and {@code validation}), {@code tbx/} (tensorboardX simple
   * values and sub-runs), {@code dtypes/} (one tag per scalar encoding, with {@code expected.json}
   * computed by numpy), {@code restart/} (a {@code SessionLog.START} restart and an old-format run
   * with out-of-order steps).
   */
  public static void writeAll(Path root) {
    run(Duration.ofMinutes(4), "write", root.toString());
  }

  /**
   * Reads each log directory with TensorBoard's loader and with tbparse into the JSON file {@code
   * out}: {@code {logdir: {"tensorboard": {"scalars": [[run, tag, step, wall_time, value]],
   * "histograms": [[run, tag, step, wall_time, [[left, right, count]]]], "images": [[run, tag,
   * step, wall_time, index, width, height, sha256]], "text": [[run, tag, step, wall_time, text]],
   * "errors": [...]}, "tbparse": {"scalars": [...], "errors": [...]}}}}; NaN as {@code "NaN"}.
   */
  public static void read(Path out, List<Path> logdirs) {
    List<String> args = new ArrayList<>(List.of("read", out.toString()));
    logdirs.forEach(p -> args.add(p.toString()));
    run(Duration.ofMinutes(4), args.toArray(String[]::new));
  }

  /**
   * Starts a Python writer that appends {@code count} scalar points to {@code logdir/train} (tag
   * {@code epoch_loss}, value {@code 1 / (step + 1)}) one by one, flushing each and pausing {@code
   * pauseSeconds} between them; halfway it starts {@code logdir/validation} ({@code
   * epoch_accuracy}, value {@code step / count}). The caller waits for or destroys the process.
   */
  public static Process startAppending(Path logdir, int count, double pauseSeconds) {
    Path script = extract();
    ProcessBuilder builder =
        PythonEnvironment.shared()
            .processBuilder(
                List.of(
                    PythonEnvironment.shared().python().toString(),
                    script.toString(),
                    "append",
                    logdir.toString(),
                    Integer.toString(count),
                    Double.toString(pauseSeconds)));
    builder.redirectErrorStream(true);
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the appending TensorBoard peer", e);
    }
  }

  private static void run(Duration timeout, String... args) {
    Path script = extract();
    String[] command = new String[args.length + 1];
    command[0] = script.toString();
    System.arraycopy(args, 0, command, 1, args.length);
    try {
      PythonEnvironment.shared().runPython(timeout, command).requireSuccess();
    } finally {
      try {
        Files.deleteIfExists(script);
      } catch (IOException ignored) {
        // a leftover temporary script is harmless
      }
    }
  }

  private static Path extract() {
    try (InputStream in = TensorBoardPeers.class.getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IllegalStateException("the harness jar lacks " + SCRIPT);
      }
      Path script = Files.createTempFile("mlops-peer-", "-" + SCRIPT);
      script.toFile().deleteOnExit();
      Files.write(script, in.readAllBytes());
      return script;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
