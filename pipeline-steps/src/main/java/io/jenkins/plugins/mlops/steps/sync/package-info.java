/**
 * The {@code syncTensorBoard} operation: which run a log directory syncs into (a given run, or one
 * made in an experiment and found again on a re-run), when following stops (told to, the training
 * process gone, a marker file), and the sync itself from the TensorBoard bridge.
 *
 * <p>Knows nothing of Jenkins; talks to MLflow only through the tracking module.
 */
package io.jenkins.plugins.mlops.steps.sync;
