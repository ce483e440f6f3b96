package io.jenkins.plugins.mlops.bench;

import io.jenkins.plugins.mlops.harness.PythonEnvironment;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The same MLP on the same data, CPU: our trainer (DJL on PyTorch) against Keras on TensorFlow (the
 * article's exact model): Dense(128, relu), softmax over the classes, Adam, sparse categorical
 * cross-entropy, the same batch size and epochs. Prints the training samples/s of each (the mean
 * over the epochs after the first, which carries start-up costs) and the ratio.
 *
 * <p>Usage: {@code bench/trainer/run [ROWS] [EPOCHS] [BATCH]} (default 200,000 x 64 features, 10
 * classes, 4 epochs, batch 128).
 */
public final class TrainerBenchmark {

  private static final Pattern EPOCH =
      Pattern.compile("trainer: epoch (\\d+)/\\d+ .* - ([\\d,]+) samples/s");

  private TrainerBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 128;
    Path jar = Path.of(args.length > 3 ? args[3] : "trainer/target/trainer.jar");
    Path work = Files.createTempDirectory("trainer-bench");
    PythonEnvironment python = PythonEnvironment.shared();
    Path script = PythonScripts.extract("python_trainer_bench.py");
    python
        .runPython(
            Duration.ofMinutes(10),
            script.toString(),
            "generate",
            work.toString(),
            Integer.toString(rows),
            "64",
            "10")
        .requireSuccess();
    System.out.printf(Locale.ROOT, "data: %,d rows x 64 features, 10 classes%n", rows);

    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dai.djl.offline=true",
            "-jar",
            jar.toAbsolutePath().toString(),
            "--label",
            "label",
            "--data_dir",
            work.toString(),
            "--output_dir",
            work.resolve("out").toString(),
            "--epochs",
            Integer.toString(epochs),
            "--batch_size",
            Integer.toString(batch),
            "--devices",
            "cpu");
    System.out.println("running: " + String.join(" ", command));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<Double> rates = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        System.out.println(line);
        Matcher m = EPOCH.matcher(line);
        if (m.find()) {
          rates.add(Double.parseDouble(m.group(2).replace(",", "")));
        }
      }
    }
    if (p.waitFor() != 0 || rates.isEmpty()) {
      throw new IllegalStateException("the trainer failed");
    }
    List<Double> steady = rates.size() > 1 ? rates.subList(1, rates.size()) : rates;
    double ours = steady.stream().mapToDouble(Double::doubleValue).average().orElseThrow();

    String keras =
        python
            .runPython(
                Duration.ofMinutes(30),
                script.toString(),
                "keras",
                work.toString(),
                Integer.toString(epochs),
                Integer.toString(batch))
            .requireSuccess()
            .stdout()
            .strip();
    String[] lines = keras.split("\n");
    String json = lines[lines.length - 1];
    System.out.println("keras: " + json);
    double theirs = PythonScripts.number(json, "samples_per_second");

    System.out.printf(
        Locale.ROOT,
        "%n%-60s %14s%n",
        "MLP 64-128-10, batch " + batch + ", " + epochs + " epochs, CPU",
        "samples/s");
    System.out.printf(
        Locale.ROOT, "%-60s %,14.0f%n", "ours: trainer (DJL 0.33, PyTorch 2.5.1)", ours);
    System.out.printf(
        Locale.ROOT, "%-60s %,14.0f%n", "Keras (TensorFlow " + tfVersion(python) + ")", theirs);
    System.out.printf(Locale.ROOT, "ratio: %.2fx Keras' samples/s%n", ours / theirs);
  }

  private static String tfVersion(PythonEnvironment python) {
    return python
        .runPython(Duration.ofMinutes(2), "-c", "import tensorflow as tf; print(tf.__version__)")
        .requireSuccess()
        .stdout()
        .strip();
  }
}
