package io.jenkins.plugins.mlops.steps.cli;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** Reads a rendered run report back: its SVG charts as XML, its confusion matrix's cells. */
final class ReportPages {

  private ReportPages() {}

  /** Every {@code <svg>…</svg>} of the page, each checked to be well-formed XML. */
  static List<String> svgs(String html) throws Exception {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("(?s)<svg .*?</svg>").matcher(html);
    while (m.find()) {
      parse(m.group());
      out.add(m.group());
    }
    return out;
  }

  /** Series name to the number of points its polyline has, checked against its markers. */
  static Map<String, Integer> pointsBySeries(String svg) throws Exception {
    Document doc = parse(svg);
    Map<String, Integer> out = new LinkedHashMap<>();
    NodeList groups = doc.getElementsByTagName("g");
    for (int i = 0; i < groups.getLength(); i++) {
      Element g = (Element) groups.item(i);
      if (!g.getAttribute("class").equals("series")) {
        continue;
      }
      Element line = (Element) g.getElementsByTagName("polyline").item(0);
      int points = line.getAttribute("points").strip().split("\\s+").length;
      int markers = g.getElementsByTagName("circle").getLength();
      if (points != markers) {
        throw new AssertionError(points + " points but " + markers + " markers in " + svg);
      }
      out.put(g.getAttribute("data-series"), points);
    }
    return out;
  }

  /** The sum of the confusion matrix's cells. */
  static long confusionTotal(String html) {
    Matcher table = Pattern.compile("(?s)<table class=\"confusion\">(.*?)</table>").matcher(html);
    if (!table.find()) {
      throw new AssertionError("no confusion matrix in the page");
    }
    Matcher cell = Pattern.compile("<td class=\"n\"[^>]*>(\\d+)</td>").matcher(table.group(1));
    long total = 0;
    while (cell.find()) {
      total += Long.parseLong(cell.group(1));
    }
    return total;
  }

  /** What a real browser made of the page. */
  record Rendered(com.fasterxml.jackson.databind.JsonNode probe, java.nio.file.Path png) {}

  /**
   * Opens the page in headless Chromium (Debian's {@code chromium}, which {@code .ci/run} installs;
   * {@code MLOPS_CHROMIUM} names another): a screenshot to {@code png}, and the measures of a copy
   * of the page with a probe script appended (each chart's size, each series' markers and box, the
   * resources the page fetched), read back from the DOM Chromium dumps.
   */
  static Rendered inBrowser(java.nio.file.Path page, java.nio.file.Path png) throws Exception {
    String chromium = System.getenv().getOrDefault("MLOPS_CHROMIUM", "chromium");
    java.nio.file.Files.createDirectories(png.getParent());
    List<String> common =
        List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars");
    List<String> shot = new ArrayList<>(common);
    shot.addAll(List.of("--window-size=1150,1900", "--screenshot=" + png, page.toUri().toString()));
    browser(shot);
    String probeScript =
        "<script>window.addEventListener('load', () => {"
            + " const charts = [...document.querySelectorAll('svg.chart')].map(s => {"
            + "  const b = s.getBoundingClientRect();"
            + "  return {quantity: s.dataset.quantity, width: b.width, height: b.height,"
            + "   series: [...s.querySelectorAll('g.series')].map(g => ({name: g.dataset.series,"
            + "    points: g.querySelectorAll('circle').length, width: g.getBBox().width,"
            + "    height: g.getBBox().height}))}; });"
            + " const p = document.createElement('pre'); p.id = 'probe';"
            + " p.textContent = JSON.stringify({charts, resources:"
            + " performance.getEntriesByType('resource').length, title: document.title});"
            + " document.body.appendChild(p); });</script>";
    java.nio.file.Path probe = png.resolveSibling("probe-" + page.getFileName());
    java.nio.file.Files.writeString(
        probe, java.nio.file.Files.readString(page).replace("</body>", probeScript + "</body>"));
    List<String> dump = new ArrayList<>(common);
    dump.addAll(List.of("--virtual-time-budget=5000", "--dump-dom", probe.toUri().toString()));
    String dom = browser(dump);
    Matcher m = Pattern.compile("(?s)<pre id=\"probe\">(.*?)</pre>").matcher(dom);
    if (!m.find()) {
      throw new AssertionError("the probe did not run; the DOM Chromium dumped: " + dom);
    }
    String json = m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    return new Rendered(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json), png);
  }

  private static String browser(List<String> command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (java.io.IOException e) {
      throw new AssertionError(
          command.get(0)
              + " cannot be run ("
              + e.getMessage()
              + "): the report test needs Debian's chromium (bash .ci/run installs it), or"
              + " MLOPS_CHROMIUM naming a Chromium or Chrome",
          e);
    }
    p.getOutputStream().close();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not end within 2 minutes");
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(command + " exited " + p.exitValue() + ": " + out);
    }
    return out;
  }

  private static Document parse(String xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
  }
}
