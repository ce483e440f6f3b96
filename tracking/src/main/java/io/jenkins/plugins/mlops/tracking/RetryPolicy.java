package io.jenkins.plugins.mlops.tracking;

import java.time.Duration;
import java.util.Objects;

/**
 * When and how long to retry a request that failed for a transient reason (HTTP 408, 429, 5xx, or a
 * connection error). Other 4xx answers are never retried. Waits grow exponentially from {@code
 * initialBackoff} by {@code multiplier} up to {@code maxBackoff}, each with full jitter (a random
 * wait between half and all of it); a {@code Retry-After} header sets the wait instead, up to
 * {@code maxBackoff}. Gives up after {@code maxAttempts} attempts or once {@code maxElapsed} has
 * passed.
 *
 * @param maxAttempts attempts in all, the first included (1 means no retry)
 * @param initialBackoff the wait before the first retry
 * @param maxBackoff the longest single wait
 * @param multiplier how much each wait grows
 * @param maxElapsed the longest time to keep trying one request
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    double multiplier,
    Duration maxElapsed) {

  /** 8 attempts, 0.5 s doubling to 30 s, at most 2 minutes: close to MLflow's Python client. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(
          8, Duration.ofMillis(500), Duration.ofSeconds(30), 2.0, Duration.ofMinutes(2));

  /** One attempt only. */
  public static final RetryPolicy NONE =
      new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, Duration.ZERO);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts (" + maxAttempts + ") must be at least 1");
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(maxElapsed, "maxElapsed");
    if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxElapsed.isNegative()) {
      throw new IllegalArgumentException("retry durations may not be negative");
    }
    if (multiplier < 1.0) {
      throw new IllegalArgumentException("multiplier (" + multiplier + ") must be at least 1.0");
    }
  }

  /** Whether an HTTP status is worth retrying: 408, 429 and every 5xx. */
  public static boolean isRetryable(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  /**
   * The wait before retry number {@code retry} (1 for the first), before jitter.
   *
   * @throws IllegalArgumentException when {@code retry} is below 1
   */
  public Duration backoff(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry (" + retry + ") must be at least 1");
    }
    double millis = initialBackoff.toMillis() * Math.pow(multiplier, retry - 1);
    return Duration.ofMillis((long) Math.min(millis, maxBackoff.toMillis()));
  }
}
