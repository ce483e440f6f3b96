/**
 * The local backend: a training job's workers as processes on this machine, with the same
 * launchers, contract and {@link io.jenkins.plugins.mlops.steps.training.TrainingResult} as pods.
 */
package io.jenkins.plugins.mlops.steps.training.local;
