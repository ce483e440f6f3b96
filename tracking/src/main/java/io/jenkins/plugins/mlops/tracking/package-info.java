/**
 * The MLflow layer: the one way every other module talks to MLflow. {@link
 * io.jenkins.plugins.mlops.tracking.TrackingClient} opens a server (REST, with retries, auth and
 * TLS) or the local file store; values are immutable, JSON-serializable records.
 *
 * <p>Knows nothing of Jenkins, Kubernetes, TensorBoard or training; imports nothing of ours.
 */
package io.jenkins.plugins.mlops.tracking;
