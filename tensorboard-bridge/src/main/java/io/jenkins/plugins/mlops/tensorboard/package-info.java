/**
 * TensorBoard event files: {@link io.jenkins.plugins.mlops.tensorboard.LogDirReader} reads and
 * follows a log directory (every writer's scalar encodings, histograms, images, text), {@link
 * io.jenkins.plugins.mlops.tensorboard.EventFileWriter} writes TF2-compatible files, and {@link
 * io.jenkins.plugins.mlops.tensorboard.TensorBoardSync} syncs both points and files into an MLflow
 * run, incrementally.
 *
 * <p>Talks to MLflow only through the tracking module; knows nothing of Jenkins, Kubernetes or
 * training.
 */
package io.jenkins.plugins.mlops.tensorboard;
