/**
 * Test-scope support shared by every module: a real MLflow server ({@link
 * io.jenkins.plugins.mlops.harness.MlflowServer}) and the Python peers in a cached virtual
 * environment ({@link io.jenkins.plugins.mlops.harness.PythonEnvironment}).
 *
 * <p>Production code must never depend on this package; it knows nothing of the product's modules.
 */
package io.jenkins.plugins.mlops.harness;
