package io.jenkins.plugins.mlops.trainer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The trainer's settings by name: what each means, its default and the values it allows. Values
 * come from {@code --name value} (or {@code --name=value}) arguments and from {@code
 * MLOPS_PARAM_<NAME>} environment variables; arguments win. Names are case-insensitive and {@code
 * -} equals {@code _}.
 */
public final class Hyperparameters {

  /** One known setting. */
  public record Spec(String name, String defaultValue, String help, boolean hyperparameter) {}

  private static final Map<String, Spec> KNOWN = new LinkedHashMap<>();

  private static void known(String name, String defaultValue, String help) {
    KNOWN.put(name, new Spec(name, defaultValue, help, true));
  }

  private static void setting(String name, String defaultValue, String help) {
    KNOWN.put(name, new Spec(name, defaultValue, help, false));
  }

  static {
    setting("data_dir", null, "the prepared splits (default: $MLOPS_DATA_DIR)");
    setting("logdir", null, "TensorBoard logdir (default: $MLOPS_LOGDIR, else <output_dir>/logs)");
    setting(
        "output_dir", null, "model and metrics.json (default: $MLOPS_OUTPUT_DIR, else ./output)");
    setting(
        "checkpoint_dir",
        null,
        "checkpoints; resumes from the latest (default: $MLOPS_CHECKPOINT_DIR, else none)");
    known("label", null, "the label column (required)");
    known("features", "", "feature columns, comma-separated (default: every other column)");
    known("categorical", "", "columns to one-hot encode (default: the text and boolean ones)");
    known(
        "categorical_encoding",
        "auto",
        "onehot, embedding, or auto (one-hot up to 16 values, an embedding above)");
    known("embedding_dim", "0", "embedding size; 0 for min(32, (values + 1) / 2 + 1)");
    known("task", "auto", "auto, classification or regression");
    known("hidden", "128", "hidden layer sizes, comma-separated (e.g. 256,128); empty for none");
    known("activation", "relu", "relu, tanh, gelu, sigmoid or leaky_relu");
    known("dropout", "0", "dropout rate after each hidden layer, in [0, 1)");
    known("batch_norm", "false", "batch normalisation after each hidden layer");
    known("loss", "auto", "regression loss: l2 or l1 (classification: softmax cross-entropy)");
    known("optimizer", "adam", "adam, adamw or sgd (with momentum)");
    known("learning_rate", "0.001", "the base learning rate");
    known("momentum", "0.9", "sgd momentum");
    known("weight_decay", "0", "L2 penalty (adam, sgd) or decoupled decay (adamw)");
    known("clip_value", "0", "clip every gradient value to [-v, v]; 0 for none");
    known("schedule", "constant", "learning-rate schedule: constant, step or cosine");
    known("step_epochs", "10", "step schedule: epochs between decays");
    known("step_gamma", "0.1", "step schedule: the factor of each decay");
    known("warmup_epochs", "0", "linear warm-up from 0 over this many epochs");
    known("epochs", "10", "passes over the training split");
    known("batch_size", "32", "samples per step (split across the devices)");
    known(
        "early_stopping_patience",
        "0",
        "stop after this many epochs without improvement; 0 for never");
    known(
        "early_stopping_metric", "val_loss", "the monitored metric, e.g. val_loss or val_accuracy");
    known("seed", "42", "seed of initialisation, shuffling and dropout");
    known("devices", "auto", "auto (every GPU, else the CPU), cpu, gpu, gpu:0,1 or a GPU count");
    known("log_every_batches", "0", "also write batch_* scalars every N steps; 0 for none");
  }

  private Hyperparameters() {}

  /** Every known setting, in help order. */
  public static Map<String, Spec> known() {
    return KNOWN;
  }

  /**
   * Merges {@code MLOPS_PARAM_*} variables of {@code env} and {@code --name value} arguments (which
   * win) over the defaults.
   *
   * @throws IllegalArgumentException for an unknown name (listing the known ones), a name without a
   *     value, or a stray argument
   */
  public static Map<String, String> resolve(List<String> args, Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    KNOWN.values().forEach(s -> values.put(s.name(), s.defaultValue()));
    Map<String, String> fromArgs = new LinkedHashMap<>();
    // Arguments first: a launcher passes each setting both ways, and the message should name
    // the spelling the user wrote (--epoch), not the variable made from it (MLOPS_PARAM_EPOCH).
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new IllegalArgumentException(
            "argument '" + arg + "' is not --name value; settings are " + names());
      }
      String name;
      String value;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.substring(2, eq);
        value = arg.substring(eq + 1);
      } else {
        name = arg.substring(2);
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException("--" + name + " needs a value");
        }
        value = args.get(++i);
      }
      fromArgs.put(check(name, "--" + name), value);
    }
    env.forEach(
        (key, value) -> {
          if (key.startsWith("MLOPS_PARAM_")) {
            values.put(check(key.substring("MLOPS_PARAM_".length()), key), value);
          }
        });
    values.putAll(fromArgs);
    return values;
  }

  private static String check(String raw, String given) {
    String name = raw.toLowerCase(Locale.ROOT).replace('-', '_');
    if (!KNOWN.containsKey(name)) {
      String nearest = nearest(name);
      throw new IllegalArgumentException(
          given
              + " is not a setting of the trainer"
              + (nearest == null ? "" : "; did you mean '" + nearest + "'?")
              + " Known: "
              + names());
    }
    return name;
  }

  private static String names() {
    return String.join(", ", KNOWN.keySet());
  }

  /** The known name closest to {@code name} by edit distance, or null when none is close. */
  static String nearest(String name) {
    return nearest(name, KNOWN.keySet());
  }

  /** The one of {@code candidates} closest to {@code name}, or null when none is close. */
  static String nearest(String name, java.util.Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(name, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return bestDistance <= Math.max(2, name.length() / 3) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }

  /** The help text: one line per setting. */
  public static String help() {
    List<String> lines = new ArrayList<>();
    KNOWN
        .values()
        .forEach(
            s ->
                lines.add(
                    String.format(
                        Locale.ROOT,
                        "  --%-24s %s%s",
                        s.name(),
                        s.help(),
                        s.defaultValue() == null || s.defaultValue().isEmpty()
                            ? ""
                            : " [" + s.defaultValue() + "]")));
    return String.join("\n", lines);
  }
}
