package io.jenkins.plugins.mlops.tracking;

import java.nio.file.Path;

/**
 * TLS settings for an {@code https} tracking server.
 *
 * @param caCertificate a PEM file with the CA certificate(s) to trust in addition to the JVM's own,
 *     or {@code null}
 * @param insecure trust any certificate and host name: an explicit opt-in for test servers only
 */
public record TlsOptions(Path caCertificate, boolean insecure) {

  /** The JVM's default trust store, host names verified. */
  public static final TlsOptions DEFAULT = new TlsOptions(null, false);

  public TlsOptions {
    if (insecure && caCertificate != null) {
      throw new IllegalArgumentException(
          "tls: choose a CA certificate (" + caCertificate + ") or insecure mode, not both");
    }
  }
}
