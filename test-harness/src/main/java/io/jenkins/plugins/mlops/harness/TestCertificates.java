package io.jenkins.plugins.mlops.harness;

import io.jenkins.plugins.mlops.harness.internal.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A throwaway certificate authority and a server certificate it signed for {@code 127.0.0.1}, made
 * with the JDK's {@code keytool} in a folder of the caller's, for TLS tests: {@link #caPem()} is
 * what a client trusts, {@link #serverContext()} what a test server presents.
 */
public final class TestCertificates {

  private static final String PASSWORD = "mlops-test";

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** Creates the CA and the server certificate in {@code dir}. */
  public static TestCertificates create(Path dir) {
    TestCertificates certificates = new TestCertificates(dir);
    Path ca = dir.resolve("ca.p12");
    Path server = dir.resolve("server.p12");
    certificates.keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=mlops test CA",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        ca.toString());
    certificates.keytool(
        "-exportcert",
        "-alias",
        "ca",
        "-rfc",
        "-keystore",
        ca.toString(),
        "-file",
        certificates.caPem().toString());
    certificates.keytool(
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=127.0.0.1",
        "-validity",
        "2",
        "-keystore",
        server.toString());
    certificates.keytool(
        "-certreq",
        "-alias",
        "server",
        "-keystore",
        server.toString(),
        "-file",
        dir.resolve("server.csr").toString());
    certificates.keytool(
        "-gencert",
        "-alias",
        "ca",
        "-keystore",
        ca.toString(),
        "-rfc",
        "-ext",
        "san=ip:127.0.0.1",
        "-validity",
        "2",
        "-infile",
        dir.resolve("server.csr").toString(),
        "-outfile",
        dir.resolve("server.pem").toString());
    certificates.keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-keystore",
        server.toString(),
        "-file",
        certificates.caPem().toString());
    certificates.keytool(
        "-importcert",
        "-alias",
        "server",
        "-keystore",
        server.toString(),
        "-file",
        dir.resolve("server.pem").toString());
    return certificates;
  }

  /** The CA certificate, PEM-encoded: what a client configures to trust the server. */
  public Path caPem() {
    return dir.resolve("ca.pem");
  }

  /** An SSL context presenting the server certificate (and its chain to the CA). */
  public SSLContext serverContext() {
    try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, PASSWORD.toCharArray());
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, PASSWORD.toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not load the test server certificate", e);
    }
  }

  private void keytool(String... args) {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
    if (!args[0].equals("-exportcert")) {
      command.addAll(List.of("-keypass", PASSWORD));
    }
    Processes.run(new ProcessBuilder(command).directory(dir.toFile()), Duration.ofMinutes(1))
        .requireSuccess();
  }
}
