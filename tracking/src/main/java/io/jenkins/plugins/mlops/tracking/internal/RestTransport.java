package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.mlops.tracking.Credentials;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.RetryPolicy;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * HTTP to one MLflow server: authentication, TLS, timeouts, retries of transient failures (408,
 * 429, 5xx, no answer) with backoff, jitter and {@code Retry-After}, and errors mapped to {@link
 * MlflowException} with a hint. Thread-safe. The authorization header is never logged or shown.
 */
public final class RestTransport {

  /** Waits between attempts; tests replace it to run without real sleeps. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /** The REST API of MLflow's tracking service, relative to the server URI. */
  public static final String API = "api/2.0/mlflow/";

  private final TrackingConfig config;
  private final URI base;
  private final HttpClient http;
  private final String authorization;
  private final Duration timeout;
  private final RetryPolicy retry;
  private final Sleeper sleeper;
  private final Consumer<String> console;

  /**
   * Whether the server has answered anything yet. Until it has, a refused connection most likely
   * means a wrong URI or a server not started, so it is retried only briefly ({@link
   * #FIRST_CONTACT}); a server that answered and then went away gets the whole retry schedule.
   */
  private volatile boolean answered;

  /**
   * How long, in planned waits, a refused connection is retried before the server ever answered.
   */
  static final Duration FIRST_CONTACT = Duration.ofSeconds(3);

  /** The longest single wait before the server ever answered. */
  private static final Duration FIRST_CONTACT_STEP = Duration.ofSeconds(1);

  /** After how long a request still without an answer is reported, then every twice as long. */
  static final Duration WAIT_NOTICE = Duration.ofSeconds(5);

  /** Reports requests that wait long; one daemon thread for every transport. */
  private static final java.util.concurrent.ScheduledThreadPoolExecutor NOTICES = notices();

  private static java.util.concurrent.ScheduledThreadPoolExecutor notices() {
    java.util.concurrent.ScheduledThreadPoolExecutor executor =
        new java.util.concurrent.ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "mlflow-wait-notice");
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true); // a request that answered leaves nothing queued
    return executor;
  }

  private final Duration waitNotice;

  public RestTransport(TrackingConfig config, Sleeper sleeper, Consumer<String> console) {
    this(config, sleeper, console, WAIT_NOTICE);
  }

  RestTransport(
      TrackingConfig config, Sleeper sleeper, Consumer<String> console, Duration waitNotice) {
    this.waitNotice = waitNotice;
    this.config = config;
    String uri = config.trackingUri().toString();
    this.base = URI.create(uri.endsWith("/") ? uri : uri + "/");
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(min(config.requestTimeout(), Duration.ofSeconds(15)));
    if (base.getScheme().equals("https")) {
      builder.sslContext(Tls.context(config.tls()));
    }
    this.http = builder.build();
    this.authorization = authorization(config.credentials());
    this.timeout = config.requestTimeout();
    this.retry = config.retry();
    this.sleeper = sleeper;
    this.console = console;
  }

  /** The configuration this transport was made from (its secrets included). */
  public TrackingConfig config() {
    return config;
  }

  /** The server's base URI (no credentials in it). */
  public URI base() {
    return base;
  }

  /** {@code GET api/2.0/mlflow/<endpoint>?query}, answered with JSON. */
  public JsonNode get(String endpoint, Map<String, String> query) {
    return json(send("GET", API + endpoint + queryString(query), null, null, ofString()));
  }

  /** {@code POST api/2.0/mlflow/<endpoint>} with a JSON body, answered with JSON. */
  public JsonNode post(String endpoint, Object body) {
    return json(send("POST", API + endpoint, jsonBody(body), "application/json", ofString()));
  }

  /** {@code PATCH api/2.0/mlflow/<endpoint>} with a JSON body (registry updates). */
  public JsonNode patch(String endpoint, Object body) {
    return json(send("PATCH", API + endpoint, jsonBody(body), "application/json", ofString()));
  }

  /** {@code DELETE api/2.0/mlflow/<endpoint>} with a JSON body (registry deletes). */
  public JsonNode delete(String endpoint, Object body) {
    return json(send("DELETE", API + endpoint, jsonBody(body), "application/json", ofString()));
  }

  /**
   * Sends a request with retries and returns the 2xx response.
   *
   * @param method the HTTP method
   * @param path the path relative to the server URI, query included
   * @param body a fresh body for each attempt, or {@code null} for none
   * @param contentType the body's content type, or {@code null}
   * @param handler reads a successful response's body
   * @throws MlflowException when the server answers with an error, or keeps failing transiently
   */
  public <T> HttpResponse<T> send(
      String method,
      String path,
      Supplier<BodyPublisher> body,
      String contentType,
      BodyHandler<T> handler) {
    return send(method, path, body, contentType, handler, timeout);
  }

  /** {@link #send(String, String, Supplier, String, BodyHandler)} with its own time limit. */
  public <T> HttpResponse<T> send(
      String method,
      String path,
      Supplier<BodyPublisher> body,
      String contentType,
      BodyHandler<T> handler,
      Duration limit) {
    return execute(
        method + " " + path, () -> request(method, path, body, contentType, limit), handler);
  }

  /** The configured limit for one request. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Sends a request to a URL outside the server (a presigned storage URL), with retries but without
   * our credentials. The URL's query (its signature) is never logged.
   */
  public <T> HttpResponse<T> sendExternal(
      String method,
      URI url,
      Map<String, String> headers,
      Supplier<BodyPublisher> body,
      BodyHandler<T> handler) {
    String what = method + " " + url.getScheme() + "://" + url.getAuthority() + url.getPath();
    return execute(
        what,
        () -> {
          HttpRequest.Builder builder =
              HttpRequest.newBuilder(url).timeout(timeout).method(method, body.get());
          headers.forEach(builder::header);
          return builder.build();
        },
        handler);
  }

  private <T> HttpResponse<T> execute(
      String what, Supplier<HttpRequest> request, BodyHandler<T> handler) {
    Instant start = Instant.now();
    Duration waited = Duration.ZERO;
    for (int attempt = 1; ; attempt++) {
      HttpResponse<T> response;
      try {
        response = sendWatched(what, request.get(), handler);
        answered = true;
      } catch (javax.net.ssl.SSLException e) {
        if (!isCertificateProblem(e)) {
          // A handshake cut short (a server restarting, a proxy closing) may work next time.
          Duration wait = retry.backoff(attempt);
          if (mayRetry(attempt, start, wait)) {
            pause(what, "TLS failure (" + describe(e) + ")", attempt, jitter(wait));
            continue;
          }
        }
        // A certificate that is not trusted does not heal by waiting: say what to configure.
        throw new MlflowException(
            "MLflow "
                + what
                + ": TLS with "
                + base
                + " failed: "
                + describe(e)
                + ". "
                + ErrorHints.tls(),
            0,
            "TLS",
            ErrorHints.tls(),
            e);
      } catch (IOException e) {
        boolean neverAnswered = !answered && isRefused(e);
        Duration wait = retry.backoff(attempt);
        boolean again;
        if (neverAnswered) {
          wait = min(wait, FIRST_CONTACT_STEP);
          again =
              attempt < retry.maxAttempts()
                  && waited.plus(wait).compareTo(min(FIRST_CONTACT, retry.maxElapsed())) <= 0;
        } else {
          again = mayRetry(attempt, start, wait);
        }
        if (!again) {
          throw new MlflowException(
              "MLflow "
                  + what
                  + ": no answer from "
                  + base
                  + " after "
                  + attempt
                  + " attempt(s)"
                  + (neverAnswered
                      ? " in " + Duration.between(start, Instant.now()).toMillis() + " ms"
                      : "")
                  + ": "
                  + describe(e)
                  + (neverAnswered ? " (it has not answered since this command started)" : "")
                  + ". "
                  + ErrorHints.unreachable(base),
              0,
              "",
              ErrorHints.unreachable(base),
              e);
        }
        waited = waited.plus(wait);
        pause(what, "no answer (" + describe(e) + ")", attempt, jitter(wait));
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MlflowException("MLflow " + what + ": interrupted", 0, "INTERRUPTED", "", e);
      }
      int status = response.statusCode();
      if (status / 100 == 2) {
        return response;
      }
      String errorBody = errorText(response.body());
      if (RetryPolicy.isRetryable(status)) {
        Duration wait = retryAfter(response).orElse(null);
        Duration planned = wait != null ? wait : retry.backoff(attempt);
        if (mayRetry(attempt, start, planned)) {
          pause(what, "HTTP " + status, attempt, wait != null ? wait : jitter(planned));
          continue;
        }
      }
      throw ErrorHints.toException(what, base, status, errorBody, response.headers());
    }
  }

  /**
   * One HTTP exchange; while it waits longer than {@link #waitNotice} for its answer, a line says
   * so, and for how long, instead of silence (a server that stopped answering, a slow upload).
   */
  private <T> HttpResponse<T> sendWatched(String what, HttpRequest request, BodyHandler<T> handler)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    Duration limit = request.timeout().orElse(timeout);
    String givesUp =
        " (it gives up after "
            + limit.toSeconds()
            + " s"
            + (limit.equals(timeout) ? ": MLFLOW_HTTP_REQUEST_TIMEOUT" : "")
            + ")";
    java.util.concurrent.ScheduledFuture<?> notice =
        NOTICES.scheduleAtFixedRate(
            () ->
                console.accept(
                    "mlflow: "
                        + what
                        + " has waited "
                        + Duration.ofNanos(System.nanoTime() - start).toSeconds()
                        + " s for an answer from "
                        + base
                        + givesUp),
            waitNotice.toMillis(),
            2 * waitNotice.toMillis(),
            java.util.concurrent.TimeUnit.MILLISECONDS);
    try {
      return http.send(request, handler);
    } finally {
      notice.cancel(false);
    }
  }

  private HttpRequest request(
      String method,
      String path,
      Supplier<BodyPublisher> body,
      String contentType,
      Duration limit) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(limit)
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body.get());
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    builder.header("User-Agent", "mlops-tracking");
    return builder.build();
  }

  private static boolean isCertificateProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.security.cert.CertificateException
          || t instanceof javax.net.ssl.SSLPeerUnverifiedException
          || t instanceof java.security.cert.CertPathValidatorException) {
        return true;
      }
    }
    String message = String.valueOf(e.getMessage());
    return message.contains("PKIX") || message.contains("certificate");
  }

  /** A refused connection: nothing listens at the address (yet). */
  private static boolean isRefused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return true;
      }
    }
    return false;
  }

  private boolean mayRetry(int attempt, Instant start, Duration wait) {
    if (attempt >= retry.maxAttempts()) {
      return false;
    }
    return Duration.between(start, Instant.now()).plus(wait).compareTo(retry.maxElapsed()) <= 0;
  }

  private void pause(String what, String why, int attempt, Duration wait) {
    console.accept(
        "mlflow: "
            + what
            + " got "
            + why
            + " (attempt "
            + attempt
            + " of "
            + retry.maxAttempts()
            + "); retrying in "
            + wait.toMillis()
            + " ms");
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MlflowException("MLflow " + what + ": interrupted", 0, "INTERRUPTED", "", e);
    }
  }

  /** A random wait between half and all of {@code wait}. */
  private static Duration jitter(Duration wait) {
    long millis = wait.toMillis();
    if (millis < 2) {
      return wait;
    }
    return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
  }

  private java.util.Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").flatMap(ErrorHints::parseRetryAfter);
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8);
  }

  private static String errorText(Object body) {
    if (body instanceof String text) {
      return text;
    }
    if (body instanceof InputStream in) {
      try (in) {
        return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }
    return "";
  }

  private static JsonNode json(HttpResponse<String> response) {
    String body = response.body();
    if (body == null || body.isBlank()) {
      return Json.object();
    }
    try {
      return Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new MlflowException(
          "MLflow "
              + response.request().method()
              + " "
              + response.uri().getPath()
              + ": the answer is not JSON (is this an MLflow server?): "
              + body.substring(0, Math.min(200, body.length())),
          response.statusCode(),
          "",
          "check that the tracking URI points at an MLflow server",
          e);
    }
  }

  static Supplier<BodyPublisher> jsonBody(Object body) {
    byte[] bytes;
    try {
      bytes = Json.MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("request body cannot be written as JSON", e);
    }
    return () -> HttpRequest.BodyPublishers.ofByteArray(bytes);
  }

  /** {@code ?a=b&c=d}, URL-encoded, or {@code ""} for no parameters. */
  public static String queryString(Map<String, String> query) {
    if (query.isEmpty()) {
      return "";
    }
    StringJoiner joiner = new StringJoiner("&", "?", "");
    query.forEach(
        (k, v) ->
            joiner.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return joiner.toString();
  }

  private static String authorization(Credentials credentials) {
    if (credentials instanceof Credentials.BearerToken bearer) {
      return "Bearer " + bearer.token().reveal();
    }
    if (credentials instanceof Credentials.Basic basic) {
      String pair = basic.username() + ":" + basic.password().reveal();
      return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
    return null;
  }

  @Override
  public String toString() {
    return "RestTransport[" + base + "]";
  }
}
