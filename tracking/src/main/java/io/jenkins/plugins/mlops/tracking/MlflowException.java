package io.jenkins.plugins.mlops.tracking;

/**
 * A request to MLflow failed. Carries the HTTP status (0 when no answer came), MLflow's {@code
 * error_code} and message, and a hint that says what to do. Never carries a secret.
 */
public class MlflowException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String errorCode;
  private final String hint;

  public MlflowException(
      String message, int status, String errorCode, String hint, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode == null ? "" : errorCode;
    this.hint = hint == null ? "" : hint;
  }

  /** The HTTP status, or 0 when the server could not be reached. */
  public int status() {
    return status;
  }

  /** MLflow's {@code error_code}, e.g. {@code RESOURCE_DOES_NOT_EXIST}; empty when none came. */
  public String errorCode() {
    return errorCode;
  }

  /** What to do about it, in a sentence; empty when there is nothing specific to say. */
  public String hint() {
    return hint;
  }

  /**
   * Whether a later attempt may succeed: no answer at all (a TLS failure is an answer of sorts and
   * does not count), 408, 429 or 5xx.
   */
  public boolean isTransient() {
    return (status == 0 && errorCode.isEmpty()) || RetryPolicy.isRetryable(status);
  }

  /**
   * Whether the request should be kept for a later try rather than given up: transient failures,
   * and refused credentials (401, 403), which an operator fixes without the data being wrong.
   */
  public boolean isWorthKeeping() {
    return isTransient() || status == 401 || status == 403;
  }

  /** Whether the server said the entity does not exist. */
  public boolean isNotFound() {
    return status == 404 || errorCode.equals("RESOURCE_DOES_NOT_EXIST");
  }
}
