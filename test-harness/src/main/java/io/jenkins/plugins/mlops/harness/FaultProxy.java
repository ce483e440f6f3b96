package io.jenkins.plugins.mlops.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A loopback HTTP proxy in front of a real server that injects faults on request: error answers
 * (with headers such as {@code Retry-After}) and dropped connections, for the next N requests whose
 * path contains a given text. Everything else is forwarded unchanged. Closing it stops it.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start(mlflow.uri())) {
 *   proxy.failNext("log-batch", 2, 429, Map.of("Retry-After", "1"));
 *   proxy.dropNext("log-batch", 3);
 *   ... point the client at proxy.uri() ...
 * }
 * }</pre>
 */
public final class FaultProxy implements AutoCloseable {

  private static final Set<String> HOP_HEADERS =
      Set.of(
          "connection",
          "content-length",
          "host",
          "transfer-encoding",
          "upgrade",
          "expect",
          "keep-alive",
          "te",
          "trailer",
          "proxy-connection");

  private record Fault(String pathPart, int status, Map<String, String> headers) {
    boolean drop() {
      return status == 0;
    }
  }

  private final URI target;
  private final HttpServer server;
  private final String scheme;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Deque<Fault> faults = new ArrayDeque<>();
  private final AtomicInteger forwarded = new AtomicInteger();
  private final AtomicInteger injected = new AtomicInteger();

  private FaultProxy(URI target, SSLContext tls) throws IOException {
    this.target = target;
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls == null) {
      this.server = HttpServer.create(address, 50);
      this.scheme = "http";
    } else {
      HttpsServer https = HttpsServer.create(address, 50);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      this.server = https;
      this.scheme = "https";
    }
    server.createContext("/", this::handle);
    server.setExecutor(
        Executors.newCachedThreadPool(
            r -> {
              Thread thread = new Thread(r, "fault-proxy");
              thread.setDaemon(true);
              return thread;
            }));
    server.start();
  }

  /** Starts a proxy for {@code target} (e.g. {@code http://127.0.0.1:5000}) on a free port. */
  public static FaultProxy start(URI target) {
    return start(target, null);
  }

  /**
   * Starts a proxy that speaks TLS to its clients with {@code tls} (see {@link TestCertificates}),
   * for tests of certificate handling; {@code null} means plain HTTP.
   */
  public static FaultProxy start(URI target, SSLContext tls) {
    try {
      return new FaultProxy(target, tls);
    } catch (IOException e) {
      throw new IllegalStateException("could not start the fault proxy: " + e.getMessage(), e);
    }
  }

  /** The proxy's URI, to use instead of the target's. */
  public URI uri() {
    return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * Answers the next {@code count} requests whose path contains {@code pathPart} with {@code
   * status}.
   */
  public synchronized FaultProxy failNext(
      String pathPart, int count, int status, Map<String, String> headers) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status (" + status + ") must be an error, 400 to 599");
    }
    for (int i = 0; i < count; i++) {
      faults.add(new Fault(pathPart, status, Map.copyOf(headers)));
    }
    return this;
  }

  /** Closes the connection, with no answer, for the next {@code count} matching requests. */
  public synchronized FaultProxy dropNext(String pathPart, int count) {
    for (int i = 0; i < count; i++) {
      faults.add(new Fault(pathPart, 0, Map.of()));
    }
    return this;
  }

  /** How many requests reached the target. */
  public int forwarded() {
    return forwarded.get();
  }

  /** How many faults were injected so far. */
  public int injected() {
    return injected.get();
  }

  /** How many planned faults have not happened yet. */
  public synchronized int pendingFaults() {
    return faults.size();
  }

  private synchronized Fault takeFault(String path) {
    for (Fault fault : faults) {
      if (path.contains(fault.pathPart())) {
        faults.remove(fault);
        return fault;
      }
    }
    return null;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String path = exchange.getRequestURI().toString();
      Fault fault = takeFault(path);
      if (fault != null) {
        injected.incrementAndGet();
        if (fault.drop()) {
          // Closing before any answer drops the connection: the client sees no response.
          exchange.close();
          return;
        }
        fault.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] text = ("injected fault " + fault.status()).getBytes();
        exchange.sendResponseHeaders(fault.status(), text.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(text);
        }
        return;
      }
      forward(exchange, path, body);
    }
  }

  private void forward(HttpExchange exchange, String path, byte[] body) throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target.resolve(path))
            .timeout(Duration.ofMinutes(2))
            .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
              }
            });
    HttpResponse<byte[]> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      exchange.close(); // the target is down: so is the proxy, as far as the client can tell
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
      return;
    }
    forwarded.incrementAndGet();
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                values.forEach(v -> exchange.getResponseHeaders().add(name, v));
              }
            });
    byte[] answer = response.body();
    exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  @Override
  public String toString() {
    return "FaultProxy["
        + uri()
        + " -> "
        + target
        + ", pending faults "
        + List.copyOf(faults)
        + "]";
  }
}
