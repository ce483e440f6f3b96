package io.jenkins.plugins.mlops.trainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a training run produced.
 *
 * @param epochs epochs trained in all (a resumed run counts the ones before the interruption)
 * @param resumedFrom the epoch a checkpoint resumed after; 0 for a fresh start
 * @param stoppedEarly whether early stopping ended the run
 * @param metrics the final metrics, as written to {@code metrics.json} ({@code test_accuracy}, ...)
 * @param history per epoch: {@code loss}, {@code val_loss}, ... (Keras names)
 * @param modelDir the saved model
 */
public record TrainingResult(
    int epochs,
    int resumedFrom,
    boolean stoppedEarly,
    Map<String, Double> metrics,
    List<Map<String, Double>> history,
    Path modelDir) {}
