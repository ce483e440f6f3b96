package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Turns MLflow's error answers into exceptions that say what happened and what to do. */
final class ErrorHints {

  private ErrorHints() {}

  static MlflowException toException(
      String what, URI base, int status, String body, HttpHeaders headers) {
    String code = "";
    String message = body == null ? "" : body.strip();
    try {
      JsonNode json = Json.MAPPER.readTree(message);
      if (json != null && json.isObject()) {
        code = Json.text(json, "error_code");
        String detail = Json.text(json, "message");
        message = detail.isEmpty() ? message : detail;
      }
    } catch (Exception notJson) {
      // plain-text or HTML error page: keep the text
    }
    if (message.length() > 500) {
      message = message.substring(0, 500) + " ...";
    }
    String hint = hint(base, status, code, message, headers);
    String text =
        "MLflow "
            + what
            + ": HTTP "
            + status
            + (code.isEmpty() ? "" : " " + code)
            + (message.isEmpty() ? "" : ": " + message)
            + (hint.isEmpty() ? "" : ". " + hint);
    return new MlflowException(text, status, code, hint, null);
  }

  static String hint(URI base, int status, String code, String message, HttpHeaders headers) {
    if (status == 403 && message.contains("Invalid Host header")) {
      return "MLflow's security middleware refused the Host header '"
          + base.getAuthority()
          + "': start the server with --allowed-hosts "
          + base.getHost()
          + " (or MLFLOW_SERVER_ALLOWED_HOSTS), or reach it by a name it allows";
    }
    if (status == 401) {
      return "the server wants credentials: set MLFLOW_TRACKING_TOKEN, or"
          + " MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD";
    }
    if (status == 403) {
      return "the server refused these credentials for this operation: check the user's"
          + " permissions on the experiment or model";
    }
    if (status == 404 && code.isEmpty()) {
      return "no such endpoint at " + base + ": check that the tracking URI is an MLflow server";
    }
    if (status / 100 == 3) {
      return "the server redirects to "
          + headers.firstValue("Location").orElse("another address")
          + ": use that address as the tracking URI";
    }
    if (status == 429) {
      return "the server kept rate-limiting after all retries: log less often or retry later";
    }
    if (status >= 500) {
      return "the server kept failing after all retries: see the MLflow server's log";
    }
    return "";
  }

  static String tls() {
    return "If the server's certificate comes from a private CA, set MLFLOW_TRACKING_SERVER_CERT_PATH"
        + " to that CA's PEM file; MLFLOW_TRACKING_INSECURE_TLS=true skips all checks (test servers"
        + " only)";
  }

  static String unreachable(URI base) {
    return "Check that the MLflow server runs and that the tracking URI (" + base + ") is right";
  }

  /** {@code Retry-After} as seconds or an HTTP date. */
  static Optional<Duration> parseRetryAfter(String value) {
    String trimmed = value.strip();
    try {
      long seconds = Long.parseLong(trimmed);
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime when = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration until = Duration.between(ZonedDateTime.now(when.getZone()), when);
        return Optional.of(until.isNegative() ? Duration.ZERO : until);
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }
}
