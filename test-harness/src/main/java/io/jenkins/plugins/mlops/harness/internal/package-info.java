/**
 * Process plumbing behind the harness: running commands with time limits, killing process trees,
 * and reading pip's output. Callers use {@link io.jenkins.plugins.mlops.harness.PythonEnvironment}
 * and {@link io.jenkins.plugins.mlops.harness.MlflowServer} instead.
 */
package io.jenkins.plugins.mlops.harness.internal;
