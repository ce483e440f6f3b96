package io.jenkins.plugins.mlops.tracking.internal;

import io.jenkins.plugins.mlops.tracking.Artifacts;
import io.jenkins.plugins.mlops.tracking.Experiments;
import io.jenkins.plugins.mlops.tracking.ModelRegistry;
import io.jenkins.plugins.mlops.tracking.RunLogger;
import io.jenkins.plugins.mlops.tracking.Runs;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import io.jenkins.plugins.mlops.tracking.TrackingConfig;
import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;

/** A {@link TrackingClient} for an MLflow server. */
public final class RestTrackingClient implements TrackingClient {

  private final RestTransport rest;
  private final Experiments experiments;
  private final Spool spool;
  private final BatchSender sender;
  private final RestRuns runs;
  private final Artifacts artifacts;
  private final ModelRegistry registry;
  private final Consumer<String> console;
  private final java.util.Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.Set<RunLogger> loggers =
      java.util.Collections.newSetFromMap(new java.util.concurrent.ConcurrentHashMap<>());

  public RestTrackingClient(TrackingConfig config, Consumer<String> console) {
    this(
        new RestTransport(config, SLEEP, console),
        Spool.forOwner(config.spoolDir(), Spool.Owner.of(config), console),
        console);
  }

  private static final RestTransport.Sleeper SLEEP = duration -> Thread.sleep(duration.toMillis());

  RestTrackingClient(RestTransport rest, Spool spool, Consumer<String> console) {
    this.rest = rest;
    this.experiments = new RestExperiments(rest);
    this.spool = spool;
    this.sender = new BatchSender(rest, console);
    this.runs = new RestRuns(rest, spool, sender);
    this.artifacts = new RestArtifacts(rest, runs, console);
    this.registry = new RestModelRegistry(rest, SLEEP);
    this.console = console;
  }

  @Override
  public URI trackingUri() {
    return rest.base();
  }

  @Override
  public java.util.Map<String, String> childEnvironment() {
    return rest.config().toEnvironment();
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
  public Artifacts artifacts() {
    return artifacts;
  }

  @Override
  public ModelRegistry registry() {
    return registry;
  }

  @Override
  public RunLogger logger(String runId, Duration flushInterval) {
    RestRuns.requireRunId(runId);
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("flushInterval (" + flushInterval + ") must be positive");
    }
    RunLogger logger = new BufferedRunLogger(runId, sender, spool, runs, flushInterval, console);
    loggers.add(logger);
    return logger;
  }

  @Override
  public int replaySpool() {
    int delivered = 0;
    for (String runId : spool.runsWithPending()) {
      delivered += spool.drain(runId, sender::send);
    }
    boolean replayOthers = rest.config().replayOthers();
    for (Spool other : spool.others()) {
      boolean sameServer = spool.server() != null && spool.server().equals(other.server());
      for (String runId : other.runsWithPending()) {
        if (!sameServer) {
          // Requests made for another server address (or an unrecorded one) are never sent here,
          // asked or not: that server would refuse them, and they would be lost to it.
          warnOnce(
              other,
              runId,
              (other.server() == null ? ", for an unrecorded server" : "")
                  + ", not for "
                  + spool.server()
                  + ", and are never sent here: run the command against that server to replay"
                  + " them");
        } else if (replayOthers) {
          console.accept(
              "mlflow: replaying the requests of run "
                  + runId
                  + " that "
                  + other.owner()
                  + " spooled, as "
                  + spool.owner()
                  + " (MLOPS_SPOOL_REPLAY_OTHERS=true)");
          delivered += other.drain(runId, sender::send);
        } else {
          warnOnce(
              other,
              runId,
              ", not by this command's "
                  + spool.owner()
                  + ", and are not replayed: run the command again as that identity, or set"
                  + " MLOPS_SPOOL_REPLAY_OTHERS=true to send them as this one");
        }
      }
    }
    return delivered;
  }

  /** Says once per client which of another identity's spooled requests are left, and why. */
  private void warnOnce(Spool other, String runId, String why) {
    if (warned.add(other.dir() + "/" + runId)) {
      console.accept(
          "WARNING: mlflow: "
              + other.pending(runId)
              + " spooled request(s) of run "
              + runId
              + " were made by "
              + other.owner()
              + why
              + " (they wait in "
              + other.dir()
              + ")");
    }
  }

  /** Closes (flushes) every logger this client opened; the HTTP client needs no closing. */
  @Override
  public void close() {
    RuntimeException first = null;
    for (RunLogger logger : loggers) {
      try {
        logger.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    loggers.clear();
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return "TrackingClient[" + rest.base() + "]";
  }
}
