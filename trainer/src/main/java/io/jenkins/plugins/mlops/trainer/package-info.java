/**
 * The built-in training program: reads the prepared splits, trains an MLP with DJL on PyTorch (CPU,
 * or data-parallel on every GPU of the machine), writes TensorBoard event files through the
 * bridge's writer, checkpoints every epoch and resumes exactly, and saves the model with a model
 * card. It speaks the training-container contract of design.md: {@code MLOPS_DATA_DIR}, {@code
 * MLOPS_LOGDIR}, {@code MLOPS_OUTPUT_DIR}, {@code MLOPS_CHECKPOINT_DIR}, hyperparameters as {@code
 * --name value} and {@code MLOPS_PARAM_<NAME>}.
 */
package io.jenkins.plugins.mlops.trainer;
