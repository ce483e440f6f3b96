package io.jenkins.plugins.mlops.harness;

import java.util.Optional;

/**
 * The Python environment of the harness could not be created: no usable interpreter, or pip failed.
 * When pip failed, {@link #failedPackage()} names the package it failed on.
 */
public final class PythonEnvironmentException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String failedPackage;

  PythonEnvironmentException(String message, String failedPackage, Throwable cause) {
    super(message, cause);
    this.failedPackage = failedPackage;
  }

  /** The package pip reported as the cause of the failure, if it named one. */
  public Optional<String> failedPackage() {
    return Optional.ofNullable(failedPackage);
  }
}
