package io.jenkins.plugins.mlops.tracking;

import java.util.Objects;

/**
 * A secret value (token, password) that never shows itself: {@link #toString()} is a mask, and only
 * {@link #reveal()} gives the plain text, to be used where it is sent and nowhere else. Not
 * serializable on purpose: a secret is never persisted in plain text (callers keep their own
 * credential store, such as Jenkins credentials, and pass the value in).
 */
public final class Secret {

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /**
   * Wraps {@code value}.
   *
   * @throws IllegalArgumentException when {@code value} is null or blank (the message never shows
   *     it)
   */
  public static Secret of(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("a secret may not be null or blank");
    }
    return new Secret(value);
  }

  /** The plain text; call it only where the secret is sent. */
  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret secret && secret.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value);
  }

  @Override
  public String toString() {
    return "******";
  }
}
