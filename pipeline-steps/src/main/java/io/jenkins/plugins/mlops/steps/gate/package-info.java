/**
 * The evaluation gate (may a freshly trained model replace the one in production?) with MLflow's
 * {@code MetricThreshold} semantics and a verdict explained condition by condition, and model
 * promotion in the MLflow registry with a rollback.
 */
package io.jenkins.plugins.mlops.steps.gate;
