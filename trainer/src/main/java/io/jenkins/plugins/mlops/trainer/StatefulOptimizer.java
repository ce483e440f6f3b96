package io.jenkins.plugins.mlops.trainer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adam, AdamW and SGD with momentum, with state a checkpoint can save and restore exactly (DJL's
 * own optimizers keep theirs private). The learning rate and the step number are set by the
 * training loop before every step, so that a resumed run continues the same sequence. Gradients
 * summed over {@code devices} devices are divided by that count: the update equals a one-device
 * update on the whole batch.
 */
final class StatefulOptimizer extends Optimizer {

  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-7f; // Keras' Adam default

  private final String kind;
  private final float momentum;
  private final float decay;
  private final float clip;
  private final float rescale;
  private volatile float learningRate;
  private volatile long step = 1;

  /** Per parameter id and device: first moment (Adam) or velocity (SGD); second moment (Adam). */
  private final Map<String, Map<Device, NDArray>> first = new ConcurrentHashMap<>();

  private final Map<String, Map<Device, NDArray>> second = new ConcurrentHashMap<>();

  StatefulOptimizer(TrainerConfig config, int devices) {
    super(new Builder());
    this.kind = config.optimizer();
    this.momentum = (float) config.momentum();
    this.decay = (float) config.weightDecay();
    this.clip = (float) config.clipValue();
    this.rescale = 1f / devices;
    this.learningRate = (float) config.learningRate();
  }

  void setLearningRate(double value) {
    learningRate = (float) value;
  }

  /** The 1-based number of the step about to be taken (Adam's bias correction). */
  void setStep(long value) {
    step = value;
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    float lr = learningRate;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray g = grad.mul(rescale);
      if (clip > 0) {
        g = g.clip(-clip, clip);
      }
      if (decay > 0 && !kind.equals("adamw")) {
        g = g.add(weight.mul(decay));
      }
      NDArray m = state(first, parameterId, weight);
      if (kind.equals("sgd")) {
        m.muli(momentum).addi(g);
        weight.subi(m.mul(lr));
        return;
      }
      NDArray v = state(second, parameterId, weight);
      m.muli(BETA1).addi(g.mul(1 - BETA1));
      v.muli(BETA2).addi(g.square().muli(1 - BETA2));
      double correction1 = 1 - Math.pow(BETA1, step);
      double correction2 = 1 - Math.pow(BETA2, step);
      NDArray update = m.div(correction1).divi(v.div(correction2).sqrt().addi(EPSILON)).muli(lr);
      if (kind.equals("adamw") && decay > 0) {
        weight.muli(1 - lr * decay);
      }
      weight.subi(update);
    }
  }

  private NDArray state(Map<String, Map<Device, NDArray>> states, String id, NDArray weight) {
    return states
        .computeIfAbsent(id, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            weight.getDevice(),
            d -> {
              NDArray zeros = weight.zerosLike();
              NDScope.unregister(zeros);
              return zeros;
            });
  }

  /** The state of {@code parameters}, in their order, from the first device that has it. */
  NDList export(List<Pair<String, Parameter>> parameters, NDManager manager) {
    NDList out = new NDList();
    for (Map<String, Map<Device, NDArray>> states : List.of(first, second)) {
      for (Pair<String, Parameter> p : parameters) {
        Map<Device, NDArray> byDevice = states.get(p.getValue().getId());
        NDArray array =
            byDevice == null || byDevice.isEmpty()
                ? manager.zeros(p.getValue().getArray().getShape())
                : byDevice.values().iterator().next().toDevice(manager.getDevice(), true);
        out.add(array);
      }
    }
    return out;
  }

  /** Restores what {@link #export} saved onto every device in {@code devices}. */
  void restore(List<Pair<String, Parameter>> parameters, NDList saved, Device[] devices) {
    int n = parameters.size();
    if (saved.size() != 2 * n) {
      throw new IllegalStateException(
          "the checkpoint's optimizer state has " + saved.size() + " arrays; expected " + 2 * n);
    }
    for (int s = 0; s < 2; s++) {
      Map<String, Map<Device, NDArray>> states = s == 0 ? first : second;
      for (int i = 0; i < n; i++) {
        Parameter p = parameters.get(i).getValue();
        Map<Device, NDArray> byDevice = new ConcurrentHashMap<>();
        for (Device d : devices) {
          NDArray copy = saved.get(s * n + i).toDevice(d, true);
          copy.attach(p.getArray().getManager());
          byDevice.put(d, copy);
        }
        states.put(p.getId(), byDevice);
      }
    }
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
