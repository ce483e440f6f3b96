package io.jenkins.plugins.mlops.steps.gate;

import io.jenkins.plugins.mlops.steps.MlflowLookup;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.ModelVersion;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunQuery;
import io.jenkins.plugins.mlops.tracking.RunsPage;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the baseline run a gate compares with. */
final class Baselines {

  private static final Pattern ALIAS = Pattern.compile("models:/([^/@]+)@([A-Za-z0-9_-]+)");
  private static final Pattern VERSION = Pattern.compile("models:/([^/@]+)/(\\d+)");
  private static final Pattern RUN = Pattern.compile("(?:run:)?([A-Za-z0-9_-]{6,64})");

  /** What the text asks for. */
  record Ref(String kind, String a, String b, String c) {}

  /** A resolved baseline: a run, or none with the reason. */
  record Found(Run run, String note) {}

  private Baselines() {}

  static Ref parse(String text) {
    String t = text.strip();
    Matcher m;
    if ((m = ALIAS.matcher(t)).matches()) {
      return new Ref("alias", m.group(1), m.group(2), null);
    }
    if ((m = VERSION.matcher(t)).matches()) {
      return new Ref("version", m.group(1), m.group(2), null);
    }
    if (t.startsWith("best:")) {
      // best:<experiment>:<metric>[:max|min]; the experiment's name may hold ':' itself.
      String rest = t.substring("best:".length());
      String direction = "max";
      String lower = rest.toLowerCase(Locale.ROOT);
      if (lower.endsWith(":max") || lower.endsWith(":min")) {
        direction = lower.substring(lower.length() - 3);
        rest = rest.substring(0, rest.length() - 4);
      }
      int colon = rest.lastIndexOf(':');
      if (colon > 0 && colon < rest.length() - 1) {
        return new Ref("best", rest.substring(0, colon), rest.substring(colon + 1), direction);
      }
    }
    if ((m = RUN.matcher(t)).matches()) {
      return new Ref("run", m.group(1), null, null);
    }
    throw new IllegalArgumentException(
        "baseline ("
            + text
            + ") must be models:/<name>@<alias>, models:/<name>/<version>, a run id (or run:<id>),"
            + " or best:<experiment>:<metric>[:max|min]");
  }

  /** The baseline run for {@code text}, or none with a note saying why. */
  static Found resolve(TrackingClient client, String text, String candidateRunId) {
    if (text == null) {
      return new Found(null, "none was given");
    }
    Ref ref = parse(text);
    switch (ref.kind()) {
      case "alias" -> {
        Optional<ModelVersion> v = MlflowLookup.alias(client, ref.a(), ref.b());
        if (v.isEmpty()) {
          return new Found(null, text + " does not exist yet (a first run)");
        }
        return new Found(
            run(client, v.get().runId(), text),
            text + " (version " + v.get().version() + ", run " + v.get().runId() + ")");
      }
      case "version" -> {
        ModelVersion v;
        try {
          v = client.registry().getVersion(ref.a(), ref.b());
        } catch (MlflowException e) {
          if (e.isNotFound()) {
            throw new IllegalArgumentException("baseline (" + text + ") does not exist", e);
          }
          throw e;
        }
        return new Found(run(client, v.runId(), text), text + " (run " + v.runId() + ")");
      }
      case "best" -> {
        return best(client, text, ref, candidateRunId);
      }
      default -> {
        return new Found(run(client, ref.a(), text), "run " + ref.a());
      }
    }
  }

  private static Run run(TrackingClient client, String runId, String text) {
    if (runId == null || runId.isBlank()) {
      throw new IllegalArgumentException(
          "baseline (" + text + ") has no source run to read its metrics from");
    }
    return MlflowLookup.liveRun(client, runId)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "baseline (" + text + "): run " + runId + " does not exist or is deleted"));
  }

  /** The finished run of the experiment with the best value of the metric, the candidate aside. */
  private static Found best(TrackingClient client, String text, Ref ref, String candidateRunId) {
    Optional<Experiment> experiment = client.experiments().findByName(ref.a());
    if (experiment.isEmpty()) {
      return new Found(null, "experiment " + ref.a() + " does not exist yet (a first run)");
    }
    boolean max = ref.c().equals("max");
    Run best = null;
    RunQuery query = RunQuery.in(experiment.get().id(), "attributes.status = 'FINISHED'");
    while (true) {
      RunsPage page = client.runs().search(query);
      for (Run r : page.runs()) {
        if (r.id().equals(candidateRunId) || !r.metrics().containsKey(ref.b())) {
          continue;
        }
        double v = r.metrics().get(ref.b()).value();
        if (Double.isNaN(v)) {
          continue;
        }
        if (best == null
            || (max
                ? v > best.metrics().get(ref.b()).value()
                : v < best.metrics().get(ref.b()).value())) {
          best = r;
        }
      }
      if (page.nextPageToken().isEmpty()) {
        break;
      }
      query = query.page(page.nextPageToken());
    }
    if (best == null) {
      return new Found(
          null,
          "no finished run of experiment "
              + ref.a()
              + " other than the candidate has "
              + ref.b()
              + " (a first run)");
    }
    return new Found(
        best,
        text
            + " (run "
            + best.id()
            + ", "
            + ref.b()
            + " = "
            + GateEvaluator.fmt(best.metrics().get(ref.b()).value())
            + ")");
  }
}
