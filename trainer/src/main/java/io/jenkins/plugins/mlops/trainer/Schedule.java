package io.jenkins.plugins.mlops.trainer;

/**
 * The learning rate at every step: a linear warm-up from 0 over {@code warmup_epochs}, then
 * constant, step decay ({@code step_gamma} every {@code step_epochs}) or cosine decay to 0 at the
 * last epoch.
 */
final class Schedule {

  private final TrainerConfig config;

  Schedule(TrainerConfig config) {
    this.config = config;
  }

  /** The rate for step {@code step} (0-based) of {@code steps} in epoch {@code epoch} (0-based). */
  double at(int epoch, int step, int steps) {
    double base = config.learningRate();
    double progress = epoch + step / (double) steps; // epochs done, fractional
    int warmup = config.warmupEpochs();
    if (warmup > 0 && progress < warmup) {
      return base * (progress + 1.0 / steps) / warmup;
    }
    return switch (config.schedule()) {
      case "step" ->
          base * Math.pow(config.stepGamma(), Math.floor(epoch / (double) config.stepEpochs()));
      case "cosine" -> {
        double span = Math.max(1e-9, config.epochs() - warmup);
        double t = Math.min(1, (progress - warmup) / span);
        yield base * 0.5 * (1 + Math.cos(Math.PI * t));
      }
      default -> base;
    };
  }
}
