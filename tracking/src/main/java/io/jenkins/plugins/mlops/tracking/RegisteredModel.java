package io.jenkins.plugins.mlops.tracking;

import java.util.Map;
import java.util.Objects;

/**
 * A registered model and the aliases it has.
 *
 * @param name the model's name
 * @param aliases each alias and the version it points at, in the server's order
 */
public record RegisteredModel(String name, Map<String, String> aliases) {

  public RegisteredModel {
    Objects.requireNonNull(name, "name");
    aliases = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(aliases));
  }
}
