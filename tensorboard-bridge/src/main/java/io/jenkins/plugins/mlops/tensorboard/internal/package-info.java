/**
 * How the bridge reads records and decodes events; callers use the public package. Knows nothing of
 * MLflow.
 */
package io.jenkins.plugins.mlops.tensorboard.internal;
