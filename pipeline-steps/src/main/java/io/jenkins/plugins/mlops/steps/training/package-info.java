/**
 * Training jobs: the {@link io.jenkins.plugins.mlops.steps.training.TrainingJobSpec} a user writes,
 * validated as a whole before anything starts, and the launchers that turn it into the environment
 * and argument vector of every rank (design.md's training-container contract). The backends (local
 * processes, Kubernetes) build on these.
 */
package io.jenkins.plugins.mlops.steps.training;
