package io.jenkins.plugins.mlops.steps.gate;

import io.jenkins.plugins.mlops.steps.MlflowLookup;
import io.jenkins.plugins.mlops.steps.Suggest;
import io.jenkins.plugins.mlops.tracking.Experiment;
import io.jenkins.plugins.mlops.tracking.MlflowException;
import io.jenkins.plugins.mlops.tracking.ModelVersion;
import io.jenkins.plugins.mlops.tracking.RegisteredModel;
import io.jenkins.plugins.mlops.tracking.Run;
import io.jenkins.plugins.mlops.tracking.RunQuery;
import io.jenkins.plugins.mlops.tracking.RunsPage;
import io.jenkins.plugins.mlops.tracking.TrackingClient;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the baseline run a gate compares with. */
final class Baselines {

  private static final Pattern ALIAS = Pattern.compile("models:/([^/@]+)@([A-Za-z0-9_-]+)");
  private static final Pattern VERSION = Pattern.compile("models:/([^/@]+)/(\\d+)");
  private static final Pattern RUN = Pattern.compile("(?:run:)?([A-Za-z0-9_-]{6,64})");

  /** What the text asks for. */
  record Ref(String kind, String a, String b, String c) {}

  /**
   * A resolved baseline: a run, or none with the reason.
   *
   * @param run the baseline run; null when there is none
   * @param note how it was found, or why there is none, in words
   * @param firstRun whether "none" is a first run the caller allowed (the change conditions are
   *     then not checked); when false and {@code run} is null, they fail
   */
  record Found(Run run, String note, boolean firstRun) {}

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

  /**
   * The baseline run for {@code text}, or none with a note saying why. Only a baseline that does
   * not exist at all (the model, or the experiment of {@code best:}, or any finished run in it) is
   * "none", and it counts as a first run only when {@code allowFirstRun}; a model that exists
   * without the alias, a missing version or run is an error.
   *
   * @throws IllegalArgumentException when the baseline is misspelt or does not exist where it
   *     should
   */
  static Found resolve(
      TrackingClient client,
      String text,
      String candidateRunId,
      boolean allowFirstRun,
      Consumer<String> warn) {
    if (text == null) {
      return new Found(null, "none was given", allowFirstRun);
    }
    Ref ref = parse(text);
    switch (ref.kind()) {
      case "alias" -> {
        Optional<RegisteredModel> model = client.registry().getModel(ref.a());
        if (model.isEmpty()) {
          return absent(
              client, text, "model " + ref.a() + " does not exist", ref.a(), allowFirstRun, warn);
        }
        String version = model.get().aliases().get(ref.b());
        if (version == null) {
          throw new IllegalArgumentException(noAlias(text, model.get(), ref.b()));
        }
        ModelVersion v = client.registry().getVersion(ref.a(), version);
        return new Found(
            run(client, v.runId(), text),
            text + " (version " + v.version() + ", run " + v.runId() + ")",
            false);
      }
      case "version" -> {
        ModelVersion v;
        try {
          v = client.registry().getVersion(ref.a(), ref.b());
        } catch (MlflowException e) {
          if (e.isNotFound()) {
            boolean model = client.registry().getModel(ref.a()).isPresent();
            throw new IllegalArgumentException(
                "baseline ("
                    + text
                    + ") does not exist: "
                    + (model
                        ? "model " + ref.a() + " has no version " + ref.b()
                        : "there is no model " + ref.a() + nearModel(client, ref.a())),
                e);
          }
          throw e;
        }
        return new Found(run(client, v.runId(), text), text + " (run " + v.runId() + ")", false);
      }
      case "best" -> {
        return best(client, text, ref, candidateRunId, allowFirstRun);
      }
      default -> {
        return new Found(run(client, ref.a(), text), "run " + ref.a(), false);
      }
    }
  }

  /** No such model: a first run when allowed, with a warning when a model of a near name exists. */
  private static Found absent(
      TrackingClient client,
      String text,
      String why,
      String name,
      boolean allowFirstRun,
      Consumer<String> warn) {
    String near = nearModel(client, name);
    if (!near.isEmpty() && allowFirstRun) {
      warn.accept("baseline " + text + ": " + why + near + "; taking this as a first run");
    }
    return new Found(null, text + ": " + why + near + firstRun(allowFirstRun), allowFirstRun);
  }

  private static String nearModel(TrackingClient client, String name) {
    String near = Suggest.nearest(name, client.registry().modelNames());
    return near == null || near.equals(name) ? "" : " (did you mean " + near + "?)";
  }

  private static String noAlias(String text, RegisteredModel model, String alias) {
    String near = Suggest.nearest(alias, model.aliases().keySet());
    StringBuilder b =
        new StringBuilder("baseline (")
            .append(text)
            .append("): model ")
            .append(model.name())
            .append(" has no alias '")
            .append(alias)
            .append("'");
    if (near != null) {
      b.append(" (did you mean '").append(near).append("'?)");
    }
    if (model.aliases().isEmpty()) {
      b.append("; it has no aliases yet (mlops promote sets one)");
    } else {
      b.append("; its aliases: ");
      b.append(
          String.join(
              ", ",
              model.aliases().entrySet().stream()
                  .map(e -> "@" + e.getKey() + " (version " + e.getValue() + ")")
                  .toList()));
    }
    return b.toString();
  }

  private static String firstRun(boolean allowed) {
    return allowed
        ? "; a first run, allowed"
        : "; a first run is not allowed unless asked for (--no-baseline skip, allowFirstRun)";
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
  private static Found best(
      TrackingClient client, String text, Ref ref, String candidateRunId, boolean allowFirstRun) {
    Optional<Experiment> experiment = client.experiments().findByName(ref.a());
    if (experiment.isEmpty()) {
      return new Found(
          null,
          text + ": experiment " + ref.a() + " does not exist" + firstRun(allowFirstRun),
          allowFirstRun);
    }
    String searched = "experiment " + ref.a() + " (id " + experiment.get().id() + ")";
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
          text
              + ": no finished run of "
              + searched
              + " other than the candidate has "
              + ref.b()
              + firstRun(allowFirstRun),
          allowFirstRun);
    }
    return new Found(
        best,
        text
            + " (the "
            + (max ? "highest" : "lowest")
            + " "
            + ref.b()
            + " of the finished runs of "
            + searched
            + ": run "
            + best.id()
            + ", "
            + ref.b()
            + " = "
            + GateEvaluator.fmt(best.metrics().get(ref.b()).value())
            + ")",
        false);
  }
}
