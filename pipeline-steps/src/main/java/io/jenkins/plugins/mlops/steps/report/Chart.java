package io.jenkins.plugins.mlops.steps.report;

import io.jenkins.plugins.mlops.tracking.Metric;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A line chart of per-epoch series as inline SVG: one polyline and one marker per point for each
 * series, axes with ticks, a legend. Drawn here, so the page needs no script or library.
 */
final class Chart {

  static final int WIDTH = 480;
  static final int HEIGHT = 280;
  private static final int LEFT = 56;
  private static final int RIGHT = 16;
  private static final int TOP = 36;
  private static final int BOTTOM = 40;
  private static final Map<String, String> COLOURS =
      Map.of("train", "#0969da", "validation", "#bf3989");

  private Chart() {}

  /** The chart of {@code quantity}, series by split; a placeholder saying so when there is none. */
  static String svg(String quantity, Map<String, List<Metric>> series) {
    StringBuilder b = new StringBuilder(4096);
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-quantity=\"")
        .append(Html.esc(quantity))
        .append("\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(HEIGHT)
        .append("\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(HEIGHT)
        .append("\" role=\"img\"><title>")
        .append(Html.esc(quantity))
        .append(" per epoch</title>\n")
        .append("<rect x=\"0\" y=\"0\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(HEIGHT)
        .append("\" fill=\"#ffffff\" stroke=\"#d0d7de\"/>\n")
        .append("<text x=\"")
        .append(LEFT)
        .append("\" y=\"18\" style=\"font-size:13px;fill:#1f2328\">")
        .append(Html.esc(quantity))
        .append(" per epoch</text>\n");
    long maxStep = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (List<Metric> points : series.values()) {
      for (Metric m : points) {
        maxStep = Math.max(maxStep, m.step());
        if (Double.isFinite(m.value())) {
          min = Math.min(min, m.value());
          max = Math.max(max, m.value());
        }
      }
    }
    if (series.isEmpty() || !Double.isFinite(min)) {
      return b.append("<text x=\"")
          .append(LEFT)
          .append("\" y=\"")
          .append(HEIGHT / 2)
          .append("\">no ")
          .append(Html.esc(quantity))
          .append(" series in the run</text>\n</svg>\n")
          .toString();
    }
    if (max - min < 1e-9) {
      max = min + 1;
    }
    double pad = (max - min) * 0.05;
    double low = min - pad;
    double high = max + pad;
    if (min >= 0) {
      low = Math.max(0, low); // a loss, an accuracy: never below zero
      if (max <= 1) {
        high = Math.min(1, high); // a fraction: never above one
      }
    }
    long minStep =
        series.values().stream().flatMap(List::stream).mapToLong(Metric::step).min().orElse(0);
    long span = Math.max(1, maxStep - minStep);
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = HEIGHT - TOP - BOTTOM;
    // axes and ticks
    b.append("<g class=\"axes\">")
        .append(line(LEFT, TOP, LEFT, TOP + plotH))
        .append(line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH))
        .append("</g>\n");
    for (int i = 0; i <= 4; i++) {
      double v = low + (high - low) * i / 4;
      double y = TOP + plotH - plotH * i / 4;
      b.append(line(LEFT - 4, y, LEFT, y))
          .append("<text x=\"")
          .append(Html.xy(LEFT - 8))
          .append("\" y=\"")
          .append(Html.xy(y + 4))
          .append("\" text-anchor=\"end\">")
          .append(String.format(Locale.ROOT, "%.3f", v))
          .append("</text>\n");
    }
    long every = Math.max(1, (span + 9) / 10); // whole epochs, at most about ten labels
    for (long step = minStep; step <= maxStep; step += every) {
      double x = LEFT + plotW * (step - minStep) / span;
      b.append(line(x, TOP + plotH, x, TOP + plotH + 4))
          .append("<text x=\"")
          .append(Html.xy(x))
          .append("\" y=\"")
          .append(Html.xy(TOP + plotH + 16))
          .append("\" text-anchor=\"middle\">")
          .append(step)
          .append("</text>\n");
    }
    b.append("<text x=\"")
        .append(Html.xy(LEFT + plotW / 2))
        .append("\" y=\"")
        .append(HEIGHT - 6)
        .append("\" text-anchor=\"middle\">epoch</text>\n");
    // the series
    int legend = 0;
    for (Map.Entry<String, List<Metric>> e : series.entrySet()) {
      String colour = COLOURS.getOrDefault(e.getKey(), "#57606a");
      StringBuilder points = new StringBuilder();
      StringBuilder markers = new StringBuilder();
      for (Metric m : e.getValue()) {
        if (!Double.isFinite(m.value())) {
          continue;
        }
        double x = LEFT + plotW * (m.step() - minStep) / span;
        double y = TOP + plotH - plotH * (m.value() - low) / (high - low);
        points.append(Html.xy(x)).append(',').append(Html.xy(y)).append(' ');
        markers
            .append("<circle class=\"point\" cx=\"")
            .append(Html.xy(x))
            .append("\" cy=\"")
            .append(Html.xy(y))
            .append("\" r=\"3\" fill=\"")
            .append(colour)
            .append("\"><title>")
            .append(Html.esc(e.getKey()))
            .append(" epoch ")
            .append(m.step())
            .append(": ")
            .append(String.format(Locale.ROOT, "%.4f", m.value()))
            .append("</title></circle>");
      }
      b.append("<g class=\"series\" data-series=\"")
          .append(Html.esc(e.getKey()))
          .append("\"><polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
          .append(colour)
          .append("\" points=\"")
          .append(points.toString().strip())
          .append("\"/>")
          .append(markers)
          .append("</g>\n");
      double lx = LEFT + plotW - 190 + 100 * legend++; // a row above the plot, clear of the lines
      double ly = 18;
      b.append(line(lx, ly - 4, lx + 18, ly - 4, colour))
          .append("<text x=\"")
          .append(Html.xy(lx + 24))
          .append("\" y=\"")
          .append(Html.xy(ly))
          .append("\">")
          .append(Html.esc(e.getKey()))
          .append("</text>\n");
    }
    return b.append("</svg>\n").toString();
  }

  private static String line(double x1, double y1, double x2, double y2) {
    return line(x1, y1, x2, y2, "#8c959f");
  }

  private static String line(double x1, double y1, double x2, double y2, String colour) {
    return "<line x1=\""
        + Html.xy(x1)
        + "\" y1=\""
        + Html.xy(y1)
        + "\" x2=\""
        + Html.xy(x2)
        + "\" y2=\""
        + Html.xy(y2)
        + "\" stroke=\""
        + colour
        + "\" stroke-width=\"1.5\"/>";
  }
}
