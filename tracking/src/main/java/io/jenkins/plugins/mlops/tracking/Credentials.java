package io.jenkins.plugins.mlops.tracking;

import java.util.Objects;

/** How requests to the tracking server authenticate. {@code toString()} never shows a secret. */
public sealed interface Credentials {

  /** No authentication header. */
  record None() implements Credentials {}

  /** {@code Authorization: Bearer <token>} ({@code MLFLOW_TRACKING_TOKEN}). */
  record BearerToken(Secret token) implements Credentials {
    public BearerToken {
      Objects.requireNonNull(token, "token");
    }
  }

  /**
   * {@code Authorization: Basic ...} ({@code MLFLOW_TRACKING_USERNAME}/{@code _PASSWORD}), as used
   * by MLflow's basic-auth app.
   */
  record Basic(String username, Secret password) implements Credentials {
    public Basic {
      if (username == null || username.isBlank()) {
        throw new IllegalArgumentException("username may not be blank for basic authentication");
      }
      Objects.requireNonNull(password, "password");
    }
  }

  /** No credentials. */
  static Credentials none() {
    return new None();
  }
}
