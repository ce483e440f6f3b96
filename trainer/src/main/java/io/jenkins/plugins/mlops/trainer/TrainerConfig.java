package io.jenkins.plugins.mlops.trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The trainer's settings, typed and checked: every bad value is named with what is allowed, before
 * any data is read.
 */
public record TrainerConfig(
    Path dataDir,
    Path logdir,
    Path outputDir,
    Path checkpointDir,
    String label,
    List<String> features,
    List<String> categorical,
    String categoricalEncoding,
    int embeddingDim,
    Task task,
    List<Integer> hidden,
    String activation,
    double dropout,
    boolean batchNorm,
    String loss,
    String optimizer,
    double learningRate,
    double momentum,
    double weightDecay,
    double clipValue,
    String schedule,
    int stepEpochs,
    double stepGamma,
    int warmupEpochs,
    int epochs,
    int batchSize,
    int earlyStoppingPatience,
    String earlyStoppingMetric,
    long seed,
    String devices,
    int logEveryBatches,
    Map<String, String> hyperparameters) {

  /** What the label is. */
  public enum Task {
    AUTO,
    CLASSIFICATION,
    REGRESSION
  }

  /**
   * Reads the settings from {@code args} and {@code env} (see {@link Hyperparameters}), with the
   * container contract's directories as defaults.
   *
   * @throws IllegalArgumentException naming the setting, its value and what is allowed
   */
  public static TrainerConfig from(List<String> args, Map<String, String> env, Path workDir) {
    Map<String, String> v = Hyperparameters.resolve(args, env);
    Path output = path(v.get("output_dir"), env.get("MLOPS_OUTPUT_DIR"), "output", workDir);
    String data = firstNonBlank(v.get("data_dir"), env.get("MLOPS_DATA_DIR"));
    if (data == null) {
      throw new IllegalArgumentException(
          "no data: give --data_dir DIR or set MLOPS_DATA_DIR to the directory of the prepared"
              + " splits (train.parquet or train.csv, and optionally validation and test)");
    }
    String checkpoint = firstNonBlank(v.get("checkpoint_dir"), env.get("MLOPS_CHECKPOINT_DIR"));
    Path dataDir = workDir.resolve(data).normalize();
    String label = v.get("label");
    if (label == null || label.isBlank()) {
      DataManifest manifest = Files.isDirectory(dataDir) ? DataManifest.read(dataDir) : null;
      label = manifest == null ? null : manifest.label();
      if (label == null || label.isBlank()) {
        throw new IllegalArgumentException(
            "--label is required: the column to predict"
                + (manifest == null
                    ? ""
                    : " (" + dataDir.resolve(DataManifest.FILE) + " names no label)"));
      }
      v.put("label", label);
    }
    Map<String, String> hyper = new LinkedHashMap<>();
    v.forEach(
        (name, value) -> {
          if (Hyperparameters.known().get(name).hyperparameter()) {
            hyper.put(name, value == null ? "" : value);
          }
        });
    return new TrainerConfig(
        dataDir,
        path(v.get("logdir"), env.get("MLOPS_LOGDIR"), output.resolve("logs").toString(), workDir),
        output,
        checkpoint == null ? null : workDir.resolve(checkpoint).normalize(),
        label.strip(),
        list(v.get("features")),
        list(v.get("categorical")),
        oneOf("categorical_encoding", v.get("categorical_encoding"), "auto", "onehot", "embedding"),
        count("embedding_dim", v.get("embedding_dim"), 0),
        choice("task", v.get("task"), Task.class),
        sizes(v.get("hidden")),
        oneOf("activation", v.get("activation"), "relu", "tanh", "gelu", "sigmoid", "leaky_relu"),
        range("dropout", v.get("dropout"), 0, 1, false),
        bool("batch_norm", v.get("batch_norm")),
        oneOf("loss", v.get("loss"), "auto", "l2", "l1"),
        oneOf("optimizer", v.get("optimizer"), "adam", "adamw", "sgd"),
        positive("learning_rate", v.get("learning_rate")),
        range("momentum", v.get("momentum"), 0, 1, false),
        range("weight_decay", v.get("weight_decay"), 0, 1, true),
        range("clip_value", v.get("clip_value"), 0, Double.MAX_VALUE, true),
        oneOf("schedule", v.get("schedule"), "constant", "step", "cosine"),
        count("step_epochs", v.get("step_epochs"), 1),
        range("step_gamma", v.get("step_gamma"), 0, 1, true),
        count("warmup_epochs", v.get("warmup_epochs"), 0),
        count("epochs", v.get("epochs"), 1),
        count("batch_size", v.get("batch_size"), 1),
        count("early_stopping_patience", v.get("early_stopping_patience"), 0),
        metric(v.get("early_stopping_metric")),
        integer("seed", v.get("seed")),
        v.get("devices").strip().toLowerCase(Locale.ROOT),
        count("log_every_batches", v.get("log_every_batches"), 0),
        hyper);
  }

  private static String firstNonBlank(String a, String b) {
    if (a != null && !a.isBlank()) {
      return a.strip();
    }
    return b != null && !b.isBlank() ? b.strip() : null;
  }

  private static Path path(String arg, String env, String fallback, Path workDir) {
    String chosen = firstNonBlank(arg, env);
    return workDir.resolve(chosen == null ? fallback : chosen).normalize();
  }

  private static List<String> list(String value) {
    List<String> items = new ArrayList<>();
    if (value != null) {
      Arrays.stream(value.split(","))
          .map(String::strip)
          .filter(s -> !s.isEmpty())
          .forEach(items::add);
    }
    return List.copyOf(items);
  }

  private static List<Integer> sizes(String value) {
    List<Integer> sizes = new ArrayList<>();
    for (String part : list(value)) {
      int n = count("hidden", part, 1);
      sizes.add(n);
    }
    return List.copyOf(sizes);
  }

  private static <E extends Enum<E>> E choice(String name, String value, Class<E> type) {
    try {
      return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--"
              + name
              + " ("
              + value
              + ") must be one of "
              + Arrays.stream(type.getEnumConstants())
                  .map(c -> c.name().toLowerCase(Locale.ROOT))
                  .toList());
    }
  }

  private static String oneOf(String name, String value, String... allowed) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    if (!Arrays.asList(allowed).contains(v)) {
      throw new IllegalArgumentException(
          "--" + name + " (" + value + ") must be one of " + String.join(", ", allowed));
    }
    return v;
  }

  private static double number(String name, String value) {
    try {
      double d = Double.parseDouble(value.strip());
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " (" + value + ") is not a number");
    }
  }

  private static double positive(String name, String value) {
    double d = number(name, value);
    if (!(d > 0)) {
      throw new IllegalArgumentException("--" + name + " (" + value + ") must be > 0");
    }
    return d;
  }

  private static double range(
      String name, String value, double min, double max, boolean maxIncluded) {
    double d = number(name, value);
    if (d < min || d > max || (!maxIncluded && d == max)) {
      throw new IllegalArgumentException(
          "--"
              + name
              + " ("
              + value
              + ") must be in ["
              + min
              + ", "
              + max
              + (maxIncluded ? "]" : ")"));
    }
    return d;
  }

  private static long integer(String name, String value) {
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " (" + value + ") is not a whole number");
    }
  }

  private static int count(String name, String value, int min) {
    long n = integer(name, value);
    if (n < min || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "--" + name + " (" + value + ") must be a whole number >= " + min);
    }
    return (int) n;
  }

  private static boolean bool(String name, String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("1") || v.equals("yes")) {
      return true;
    }
    if (v.equals("false") || v.equals("0") || v.equals("no")) {
      return false;
    }
    throw new IllegalArgumentException("--" + name + " (" + value + ") must be true or false");
  }

  private static String metric(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    if (!v.matches("(val_|train_)?[a-z0-9_]+")) {
      throw new IllegalArgumentException(
          "--early_stopping_metric (" + value + ") must be a metric name such as val_loss");
    }
    return v.startsWith("val_") || v.startsWith("train_") ? v : "val_" + v;
  }

  /** Whether larger values of {@code metric} are better (accuracy, F1, R²) or smaller (losses). */
  static boolean greaterIsBetter(String metric) {
    return metric.matches(".*(accuracy|precision|recall|f1|r2)$");
  }
}
