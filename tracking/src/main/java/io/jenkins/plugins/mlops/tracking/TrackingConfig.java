package io.jenkins.plugins.mlops.tracking;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where runs are tracked and how to reach the server. A {@code http}/{@code https} URI means an
 * MLflow server; a {@code file:} URI (or none) means MLflow's file-store layout on disk.
 *
 * <p>User information in the URI ({@code https://user:pass@host}) is moved into {@link
 * Credentials.Basic}, so the URI never carries a secret. {@code toString()} masks every secret.
 *
 * @param trackingUri the server ({@code http}, {@code https}) or local store ({@code file})
 * @param credentials how requests authenticate
 * @param tls TLS settings for {@code https}
 * @param requestTimeout the limit for one HTTP request
 * @param retry when and how long to retry transient failures
 * @param spoolDir where writes wait (one file per run) while the server is unreachable
 * @param replayOthers whether requests another identity spooled (another user, token or server
 *     address) are replayed under this one's credentials: only when the user asks ({@code
 *     MLOPS_SPOOL_REPLAY_OTHERS=true})
 */
public record TrackingConfig(
    URI trackingUri,
    Credentials credentials,
    TlsOptions tls,
    Duration requestTimeout,
    RetryPolicy retry,
    Path spoolDir,
    boolean replayOthers) {

  /** The default request timeout, as MLflow's {@code MLFLOW_HTTP_REQUEST_TIMEOUT}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

  public TrackingConfig {
    Objects.requireNonNull(trackingUri, "trackingUri");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(spoolDir, "spoolDir");
    String scheme = trackingUri.getScheme() == null ? "" : trackingUri.getScheme();
    if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("file")) {
      throw new IllegalArgumentException(
          "trackingUri ("
              + trackingUri
              + ") has an unsupported scheme; allowed: http://, https:// (an MLflow server) or"
              + " file: (a local store)");
    }
    if (trackingUri.getUserInfo() != null) {
      throw new IllegalArgumentException(
          "trackingUri may not carry user information; use Credentials (or parse())");
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException(
          "requestTimeout (" + requestTimeout + ") must be positive");
    }
  }

  /**
   * A configuration for {@code uri} with no credentials and defaults elsewhere. A URI with user
   * information gets basic credentials from it, and a plain path means a local store.
   *
   * @param uri a server URI, a {@code file:} URI or a local path
   * @param workingDir resolves relative paths and holds the spool
   */
  public static TrackingConfig parse(String uri, Path workingDir) {
    Path base = workingDir.toAbsolutePath().normalize();
    Path spool = base.resolve(".mlops-spool");
    if (uri == null || uri.isBlank()) {
      return local(base.resolve("mlruns"), spool);
    }
    String trimmed = uri.strip();
    String lower = trimmed.toLowerCase(Locale.ROOT);
    if (lower.startsWith("file:")) {
      return local(base.resolve(URI.create(trimmed).getPath()), spool);
    }
    if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
      if (trimmed.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
        throw new IllegalArgumentException(
            "tracking URI ("
                + Redaction.uri(trimmed)
                + ") has an unsupported scheme; allowed: http://, https:// or file:");
      }
      return local(base.resolve(trimmed), spool);
    }
    // User information is split off by hand before any parsing, so that no error message (nor the
    // URI) can ever carry the password.
    Credentials credentials = Credentials.none();
    int schemeEnd = trimmed.indexOf("://") + 3;
    // Only '/' ends the authority here: an unencoded '#' or '?' in a password must not cut it
    // short.
    int authorityEnd = firstOf(trimmed, schemeEnd, "/");
    int at = trimmed.lastIndexOf('@', authorityEnd - 1);
    if (at >= schemeEnd) {
      credentials = fromUserInfo(trimmed.substring(schemeEnd, at));
      trimmed = trimmed.substring(0, schemeEnd) + trimmed.substring(at + 1);
    }
    if (trimmed.indexOf('@', schemeEnd) >= 0) {
      // An '@' after the authority: most likely a user name or password with an unencoded '/'
      // (http://carol:Ca/rol@host), which would otherwise send the password as a path or fail
      // with the URI, password and all, in the message.
      throw new IllegalArgumentException(
          "tracking URI ("
              + Redaction.uri(uri.strip())
              + ") has an '@' after the host's first '/'; a user name or password holding '/'"
              + " must write it as %2F (or use MLFLOW_TRACKING_USERNAME and"
              + " MLFLOW_TRACKING_PASSWORD)");
    }
    URI parsed;
    try {
      parsed = new URI(trimmed);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "tracking URI ("
              + Redaction.uri(trimmed)
              + ") is not a valid URI: "
              + Redaction.uris(e.getReason()),
          e);
    }
    if (parsed.getHost() == null) {
      throw new IllegalArgumentException(
          "tracking URI ("
              + trimmed
              + ") names no host; expected http[s]://[user:password@]host[:port][/path]");
    }
    return new TrackingConfig(
        parsed,
        credentials,
        TlsOptions.DEFAULT,
        DEFAULT_TIMEOUT,
        RetryPolicy.DEFAULT,
        spool,
        false);
  }

  /**
   * Reads MLflow's own environment variables: {@code MLFLOW_TRACKING_URI}, {@code
   * MLFLOW_TRACKING_TOKEN}, {@code MLFLOW_TRACKING_USERNAME}/{@code _PASSWORD}, {@code
   * MLFLOW_TRACKING_SERVER_CERT_PATH} (a CA file), {@code MLFLOW_TRACKING_INSECURE_TLS}, {@code
   * MLFLOW_HTTP_REQUEST_TIMEOUT} (seconds), {@code MLFLOW_HTTP_REQUEST_MAX_RETRIES}; and {@code
   * MLOPS_SPOOL_DIR} and {@code MLOPS_SPOOL_REPLAY_OTHERS}.
   */
  public static TrackingConfig fromEnvironment(Map<String, String> env, Path workingDir) {
    TrackingConfig config = parse(env.get("MLFLOW_TRACKING_URI"), workingDir);
    String token = env.get("MLFLOW_TRACKING_TOKEN");
    String user = env.get("MLFLOW_TRACKING_USERNAME");
    String password = env.get("MLFLOW_TRACKING_PASSWORD");
    if (user != null && !user.isBlank()) {
      if (password == null || password.isBlank()) {
        throw new IllegalArgumentException(
            "MLFLOW_TRACKING_USERNAME is set but MLFLOW_TRACKING_PASSWORD is not");
      }
      config = config.withCredentials(new Credentials.Basic(user, Secret.of(password)));
    } else if (token != null && !token.isBlank()) {
      config = config.withCredentials(new Credentials.BearerToken(Secret.of(token)));
    }
    boolean insecure = Boolean.parseBoolean(env.getOrDefault("MLFLOW_TRACKING_INSECURE_TLS", ""));
    String ca = env.get("MLFLOW_TRACKING_SERVER_CERT_PATH");
    if (insecure || (ca != null && !ca.isBlank())) {
      config =
          config.withTls(
              new TlsOptions(ca == null || ca.isBlank() ? null : workingDir.resolve(ca), insecure));
    }
    String timeout = env.get("MLFLOW_HTTP_REQUEST_TIMEOUT");
    if (timeout != null && !timeout.isBlank()) {
      config =
          config.withRequestTimeout(
              Duration.ofSeconds(positive("MLFLOW_HTTP_REQUEST_TIMEOUT", timeout)));
    }
    String retries = env.get("MLFLOW_HTTP_REQUEST_MAX_RETRIES");
    if (retries != null && !retries.isBlank()) {
      RetryPolicy r = config.retry();
      int attempts = 1 + (int) positiveOrZero("MLFLOW_HTTP_REQUEST_MAX_RETRIES", retries);
      config =
          config.withRetry(
              new RetryPolicy(
                  attempts, r.initialBackoff(), r.maxBackoff(), r.multiplier(), r.maxElapsed()));
    }
    String spool = env.get("MLOPS_SPOOL_DIR");
    if (spool != null && !spool.isBlank()) {
      config = config.withSpoolDir(workingDir.resolve(spool));
    }
    String replay = env.get("MLOPS_SPOOL_REPLAY_OTHERS");
    if (replay != null && !replay.isBlank()) {
      config = config.withReplayOthers(strictBoolean("MLOPS_SPOOL_REPLAY_OTHERS", replay));
    }
    return config;
  }

  /**
   * This configuration as MLflow's own environment variables, for a child process (a training
   * worker) that should reach the same store the same way: {@code MLFLOW_TRACKING_URI}, the
   * credentials ({@code MLFLOW_TRACKING_USERNAME}/{@code _PASSWORD} or {@code _TOKEN}), the TLS
   * settings, {@code MLFLOW_HTTP_REQUEST_TIMEOUT} and {@code MLFLOW_HTTP_REQUEST_MAX_RETRIES}.
   *
   * <p>The map holds secrets in plain text: hand it only to a process's environment, never to its
   * arguments (which {@code ps} shows), a file or a log.
   */
  public Map<String, String> toEnvironment() {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    String uri = trackingUri.toString();
    env.put(
        "MLFLOW_TRACKING_URI",
        uri.endsWith("/") && !uri.endsWith(":///") ? uri.substring(0, uri.length() - 1) : uri);
    if (credentials instanceof Credentials.Basic basic) {
      env.put("MLFLOW_TRACKING_USERNAME", basic.username());
      env.put("MLFLOW_TRACKING_PASSWORD", basic.password().reveal());
    } else if (credentials instanceof Credentials.BearerToken bearer) {
      env.put("MLFLOW_TRACKING_TOKEN", bearer.token().reveal());
    }
    if (tls.caCertificate() != null) {
      env.put("MLFLOW_TRACKING_SERVER_CERT_PATH", tls.caCertificate().toAbsolutePath().toString());
    }
    if (tls.insecure()) {
      env.put("MLFLOW_TRACKING_INSECURE_TLS", "true");
    }
    env.put("MLFLOW_HTTP_REQUEST_TIMEOUT", Long.toString(Math.max(1, requestTimeout.toSeconds())));
    env.put("MLFLOW_HTTP_REQUEST_MAX_RETRIES", Integer.toString(retry.maxAttempts() - 1));
    return java.util.Collections.unmodifiableMap(env);
  }

  /** Whether this is MLflow's file store on disk rather than a server. */
  public boolean isLocal() {
    return trackingUri.getScheme().equals("file");
  }

  /** The root of the local store ({@code mlruns}); only for {@link #isLocal()} configurations. */
  public Path localRoot() {
    if (!isLocal()) {
      throw new IllegalStateException(trackingUri + " is a server, not a local store");
    }
    return Path.of(trackingUri);
  }

  public TrackingConfig withCredentials(Credentials value) {
    return new TrackingConfig(
        trackingUri, value, tls, requestTimeout, retry, spoolDir, replayOthers);
  }

  public TrackingConfig withTls(TlsOptions value) {
    return new TrackingConfig(
        trackingUri, credentials, value, requestTimeout, retry, spoolDir, replayOthers);
  }

  public TrackingConfig withRequestTimeout(Duration value) {
    return new TrackingConfig(trackingUri, credentials, tls, value, retry, spoolDir, replayOthers);
  }

  public TrackingConfig withRetry(RetryPolicy value) {
    return new TrackingConfig(
        trackingUri, credentials, tls, requestTimeout, value, spoolDir, replayOthers);
  }

  public TrackingConfig withSpoolDir(Path value) {
    return new TrackingConfig(
        trackingUri, credentials, tls, requestTimeout, retry, value, replayOthers);
  }

  /** Whether requests another identity spooled are replayed under this one (see the class). */
  public TrackingConfig withReplayOthers(boolean value) {
    return new TrackingConfig(
        trackingUri, credentials, tls, requestTimeout, retry, spoolDir, value);
  }

  private static TrackingConfig local(Path root, Path spool) {
    return new TrackingConfig(
        root.toAbsolutePath().normalize().toUri(),
        Credentials.none(),
        TlsOptions.DEFAULT,
        DEFAULT_TIMEOUT,
        RetryPolicy.DEFAULT,
        spool,
        false);
  }

  private static Credentials fromUserInfo(String rawUserInfo) {
    int colon = rawUserInfo.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "tracking URI user information needs both a user and a password (user:password@host)");
    }
    String user = percentDecode(rawUserInfo.substring(0, colon));
    String password = percentDecode(rawUserInfo.substring(colon + 1));
    return new Credentials.Basic(user, Secret.of(password));
  }

  /** Percent-decoding as URIs use it ('+' stays '+', unlike form encoding). */
  private static String percentDecode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The index of the first of {@code chars} at or after {@code from}, or the text's length. */
  private static int firstOf(String text, int from, String chars) {
    for (int i = from; i < text.length(); i++) {
      if (chars.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return text.length();
  }

  /** {@code true} or {@code false}; anything else is an error, never a silent {@code false}. */
  private static boolean strictBoolean(String name, String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(name + " (" + value + ") must be true or false");
    }
    return v.equals("true");
  }

  private static long positive(String name, String value) {
    long parsed = positiveOrZero(name, value);
    if (parsed == 0) {
      throw new IllegalArgumentException(name + " (" + value + ") must be a positive number");
    }
    return parsed;
  }

  private static long positiveOrZero(String name, String value) {
    try {
      long parsed = Long.parseLong(value.strip());
      if (parsed < 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " (" + value + ") must be a whole number of 0 or more", e);
    }
  }
}
