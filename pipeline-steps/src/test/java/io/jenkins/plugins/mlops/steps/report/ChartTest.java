package io.jenkins.plugins.mlops.steps.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.mlops.tracking.Metric;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

class ChartTest {

  private static Metric point(long step, double value) {
    return new Metric("loss", value, 1_700_000_000_000L + step, step);
  }

  private static Document xml(String svg) throws Exception {
    return DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(new InputSource(new StringReader(svg)));
  }

  @Test
  void eachSeriesIsALineWithAMarkerPerFinitePointInsideThePlot() throws Exception {
    Map<String, List<Metric>> series = new LinkedHashMap<>();
    series.put("train", List.of(point(1, 2.0), point(2, 1.0), point(3, 0.5)));
    series.put("validation", List.of(point(1, 2.5), point(2, Double.NaN), point(3, 0.7)));

    Document doc = xml(Chart.svg("loss", series));

    assertEquals(5, doc.getElementsByTagName("circle").getLength(), "the NaN point is left out");
    String[] train =
        ((org.w3c.dom.Element) doc.getElementsByTagName("polyline").item(0))
            .getAttribute("points")
            .split(" ");
    assertEquals(3, train.length);
    for (String xy : train) {
      double x = Double.parseDouble(xy.split(",")[0]);
      double y = Double.parseDouble(xy.split(",")[1]);
      assertTrue(x >= 0 && x <= Chart.WIDTH && y >= 0 && y <= Chart.HEIGHT, xy);
    }
    // the largest value is highest on the page (SVG's y grows downwards)
    assertTrue(
        Double.parseDouble(train[0].split(",")[1]) < Double.parseDouble(train[2].split(",")[1]));
  }

  @Test
  void aConstantSeriesAndNoSeriesStillDrawAndSaySo() throws Exception {
    Document flat =
        xml(Chart.svg("accuracy", Map.of("train", List.of(point(1, 1.0), point(2, 1.0)))));
    String none = Chart.svg("accuracy", Map.of());

    assertEquals(2, flat.getElementsByTagName("circle").getLength());
    assertFalse(Chart.svg("accuracy", Map.of("train", List.of(point(1, 1.0)))).contains("NaN"));
    assertTrue(none.contains("no accuracy series in the run"), none);
    xml(none);
  }

  @Test
  void namesAreEscaped() throws Exception {
    String svg = Chart.svg("a<b & \"c\"", Map.of("train", List.of(point(1, 1.0), point(2, 0.5))));

    xml(svg);
    assertTrue(svg.contains("a&lt;b &amp; &quot;c&quot;"), svg);
  }
}
