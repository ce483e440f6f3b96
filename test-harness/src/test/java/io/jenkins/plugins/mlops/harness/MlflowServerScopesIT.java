package io.jenkins.plugins.mlops.harness;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A per-class server is the class's own, even while the JVM-wide one runs. */
class MlflowServerScopesIT {

  @RegisterExtension static final MlflowServer shared = MlflowServer.shared();
  @RegisterExtension static final MlflowServer own = MlflowServer.perClass();

  @Test
  void perClassServerIsNotTheSharedOne() {
    assertNotEquals(shared.uri(), own.uri());
    assertNotEquals(shared.dataDir(), own.dataDir());
  }
}
