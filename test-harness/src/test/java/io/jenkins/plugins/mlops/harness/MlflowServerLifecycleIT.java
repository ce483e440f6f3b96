package io.jenkins.plugins.mlops.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.harness.internal.MlflowServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Starting and stopping standalone servers: failures explain themselves, stops leave nothing. */
class MlflowServerLifecycleIT {

  @Test
  void startupFailureShowsTheServersOwnOutput() {
    IllegalStateException failure =
        assertThrows(
            IllegalStateException.class,
            () ->
                MlflowServer.startStandalone(
                    List.of("--backend-store-uri", "nosuchscheme://nowhere")));

    assertTrue(failure.getMessage().contains("exited with status"), failure.getMessage());
    assertTrue(
        failure.getMessage().contains("unsupported URI 'nosuchscheme://nowhere'"),
        failure.getMessage());
  }

  @Test
  void closeStopsTheWholeProcessTreeAndDeletesTheData() {
    List<ProcessHandle> tree = new ArrayList<>();
    Path dataDir;
    try (MlflowServerProcess server = MlflowServer.startStandalone(List.of())) {
      dataDir = server.dataDir();
      tree.add(server.handle());
      tree.addAll(server.handle().descendants().toList());
      assertTrue(tree.size() > 1, "the server runs its web worker as a child process: " + tree);
    }

    assertEquals(List.of(), tree.stream().filter(ProcessHandle::isAlive).toList());
    assertFalse(Files.exists(dataDir), dataDir + " should be deleted");
  }

  @Test
  void theBasicAuthServerRefusesStrangersAndLetsTheAdminIn() throws Exception {
    String password = "Adm1n-" + java.util.UUID.randomUUID();
    try (MlflowServerProcess server = MlflowServer.startBasicAuth(password)) {
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.URI create = server.uri().resolve("/api/2.0/mlflow/experiments/create");
      java.util.function.Function<String, java.net.http.HttpRequest> request =
          auth -> {
            var b =
                java.net.http.HttpRequest.newBuilder(create)
                    .header("Content-Type", "application/json")
                    .POST(
                        java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"name\": \"auth-" + java.util.UUID.randomUUID() + "\"}"));
            if (auth != null) {
              b.header(
                  "Authorization",
                  "Basic "
                      + java.util.Base64.getEncoder()
                          .encodeToString(auth.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            return b.build();
          };
      var body = java.net.http.HttpResponse.BodyHandlers.ofString();

      assertEquals(401, http.send(request.apply(null), body).statusCode());
      assertEquals(401, http.send(request.apply("admin:wrong"), body).statusCode());
      var admin = http.send(request.apply("admin:" + password), body);
      assertEquals(200, admin.statusCode(), admin.body());
      assertTrue(Files.exists(server.dataDir().resolve("basic_auth.db")), "users kept with data");
      assertFalse(server.output().contains(password), "the server never prints the password");
    }
  }
}
