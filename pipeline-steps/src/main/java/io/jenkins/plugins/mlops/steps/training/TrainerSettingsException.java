package io.jenkins.plugins.mlops.steps.training;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in trainer ({@code djl} launcher) refused a job's settings when asked before the job
 * started ({@code trainer --check}): nothing was made in MLflow. The trainer names its settings
 * {@code --name}; each front end spells them its own way ({@link #describe}).
 */
public final class TrainerSettingsException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;
  private static final Pattern SETTING = Pattern.compile("(?<![\\w-])--([a-z][a-z0-9_]*)");

  private final String trainerMessage;

  public TrainerSettingsException(String trainerMessage) {
    super(
        "the built-in trainer refuses the job's settings: "
            + spell(trainerMessage, name -> "hyperparameter '" + name + "'"));
    this.trainerMessage = trainerMessage;
  }

  /** What the trainer said, with its own {@code --name} spelling. */
  public String trainerMessage() {
    return trainerMessage;
  }

  /** The message with each setting spelled by {@code spelling} (the CLI: {@code --param epoch}). */
  public String describe(UnaryOperator<String> spelling) {
    return "the built-in trainer refuses the job's settings: " + spell(trainerMessage, spelling);
  }

  private static String spell(String message, UnaryOperator<String> spelling) {
    Matcher m = SETTING.matcher(message);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(spelling.apply(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }
}
