package io.jenkins.plugins.mlops.tracking.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import java.util.function.Consumer;

/**
 * Sends one {@code log-batch} body. When the server refuses the batch because a param would change
 * an existing value, the rest of the batch is sent without params and each param alone, dropping
 * (with a warning) only the conflicting ones: a param conflict never costs metric points.
 */
final class BatchSender {

  private final RestTransport rest;
  private final Consumer<String> console;

  BatchSender(RestTransport rest, Consumer<String> console) {
    this.rest = rest;
    this.console = console;
  }

  void send(JsonNode body) {
    try {
      rest.post("runs/log-batch", body);
    } catch (MlflowException e) {
      if (!e.errorCode().equals("INVALID_PARAMETER_VALUE") || body.path("params").isEmpty()) {
        throw e;
      }
      sendParamsApart(body);
    }
  }

  private void sendParamsApart(JsonNode body) {
    ObjectNode withoutParams = body.deepCopy();
    withoutParams.putArray("params");
    rest.post("runs/log-batch", withoutParams);
    for (JsonNode param : body.path("params")) {
      ObjectNode one =
          RestRuns.keyValueBody(
              Json.text(body, "run_id"), Json.text(param, "key"), Json.text(param, "value"));
      try {
        rest.post("runs/log-parameter", one);
      } catch (MlflowException e) {
        if (!e.errorCode().equals("INVALID_PARAMETER_VALUE")) {
          throw e;
        }
        console.accept(
            "mlflow: param '"
                + Json.text(param, "key")
                + "' was not logged: the run already has another value for it ("
                + e.getMessage()
                + ")");
      }
    }
  }
}
