package io.jenkins.plugins.mlops.tracking.internal;

import io.jenkins.plugins.mlops.tracking.Experiments;
import io.jenkins.plugins.mlops.tracking.Runs;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.net.URI;
import java.util.function.Consumer;

/** A {@link TrackingClient} for an MLflow server. */
public final class RestTrackingClient implements TrackingClient {

  private final RestTransport rest;
  private final Experiments experiments;
  private final Runs runs;

  public RestTrackingClient(TrackingConfig config, Consumer<String> console) {
    this(new RestTransport(config, duration -> Thread.sleep(duration.toMillis()), console));
  }

  RestTrackingClient(RestTransport rest) {
    this.rest = rest;
    this.experiments = new RestExperiments(rest);
    this.runs = new RestRuns(rest);
  }

  @Override
  public URI trackingUri() {
    return rest.base();
  }

  @Override
  public Experiments experiments() {
    return experiments;
  }

  @Override
  public Runs runs() {
    return runs;
  }

  @Override
  public void close() {
    // nothing held open yet: the JDK HTTP client releases its connections when unreferenced
  }

  @Override
  public String toString() {
    return "TrackingClient[" + rest.base() + "]";
  }
}
