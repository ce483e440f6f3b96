package io.jenkins.plugins.mlops.harness;

import io.jenkins.plugins.mlops.harness.internal.MlflowServerProcess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that provides a real {@code mlflow server} (from {@link PythonEnvironment})
 * on a free loopback port, with a SQLite backend and proxied artifacts in a temporary folder.
 *
 * <pre>{@code
 * @RegisterExtension static final MlflowServer mlflow = MlflowServer.shared();
 *
 * @Test void logs() { var client = new MlflowClient(mlflow.trackingUri()); ... }
 * }</pre>
 *
 * <p>{@link #shared()} starts one server per JVM, reused by every test class that registers it, and
 * stopped (whole process tree) when the test run ends; {@link #perClass()} starts a fresh server
 * for one test class. A server that fails to start fails the tests with its own output in the
 * message.
 */
public final class MlflowServer implements BeforeAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(MlflowServer.class);
  private static final Duration STARTUP_LIMIT = Duration.ofMinutes(3);

  private final boolean perClass;
  private volatile MlflowServerProcess server;

  private MlflowServer(boolean perClass) {
    this.perClass = perClass;
  }

  /** One server for the whole JVM: the fastest choice, and the default. */
  public static MlflowServer shared() {
    return new MlflowServer(false);
  }

  /** A server of this test class's own, for tests that need an empty or isolated server. */
  public static MlflowServer perClass() {
    return new MlflowServer(true);
  }

  /**
   * Starts a server outside JUnit, for callers that manage its life themselves (close it).
   *
   * @param extraArgs more {@code mlflow server} options, after the harness's own
   */
  public static MlflowServerProcess startStandalone(List<String> extraArgs) {
    return startStandalone(extraArgs, java.util.Map.of());
  }

  /**
   * {@link #startStandalone(List)} with more environment for the server, e.g. the S3 endpoint and
   * credentials of an {@link S3Server} for {@code --artifacts-destination s3://...}.
   */
  public static MlflowServerProcess startStandalone(
      List<String> extraArgs, java.util.Map<String, String> environment) {
    PythonEnvironment python = PythonEnvironment.shared();
    return MlflowServerProcess.start(
        args -> {
          ProcessBuilder builder = python.processBuilder(args);
          builder.environment().putAll(environment);
          return builder;
        },
        extraArgs,
        STARTUP_LIMIT,
        System.out::println);
  }

  /**
   * Starts MLflow's own basic-auth app ({@code mlflow server --app-name basic-auth}) outside JUnit
   * (close it): user {@code admin} with {@code adminPassword} (through {@code
   * MLFLOW_AUTH_ADMIN_PASSWORD}, in the server's environment only), a random {@code
   * MLFLOW_FLASK_SERVER_SECRET_KEY}, the user database in the server's own folder, and every other
   * user read-only ({@code default_permission = READ}).
   */
  public static MlflowServerProcess startBasicAuth(String adminPassword) {
    if (adminPassword == null || adminPassword.isBlank()) {
      throw new IllegalArgumentException("the basic-auth server needs an admin password");
    }
    byte[] key = new byte[24];
    new java.security.SecureRandom().nextBytes(key);
    return startStandalone(
        List.of("--app-name", "basic-auth"),
        java.util.Map.of(
            "MLFLOW_AUTH_ADMIN_PASSWORD",
            adminPassword,
            "MLFLOW_FLASK_SERVER_SECRET_KEY",
            java.util.HexFormat.of().formatHex(key)));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    // A store lookup also searches the parent stores, so a per-class server needs a key of its own:
    // under the shared key it would find the JVM-wide server.
    ExtensionContext owner = perClass ? context : context.getRoot();
    Object key = perClass ? "per-class:" + context.getRequiredTestClass().getName() : "shared";
    server =
        owner
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(key, k -> startStandalone(List.of()), MlflowServerProcess.class);
  }

  /** The server's base URI, {@code http://127.0.0.1:<port>}. */
  public URI uri() {
    return running().uri();
  }

  /** The URI to give MLflow clients ({@code MLFLOW_TRACKING_URI}). */
  public String trackingUri() {
    return running().uri().toString();
  }

  /** The folder with the server's SQLite database and artifacts; deleted when the server stops. */
  public Path dataDir() {
    return running().dataDir();
  }

  /** Everything the server has printed so far, for diagnosing a failed test. */
  public String output() {
    return running().output();
  }

  private MlflowServerProcess running() {
    MlflowServerProcess current = server;
    if (current == null) {
      throw new IllegalStateException(
          "the MLflow server is not started: register MlflowServer with @RegisterExtension on a"
              + " static field");
    }
    return current;
  }
}
