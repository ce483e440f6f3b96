package io.jenkins.plugins.mlops.steps.data.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What is wrong with a CSV file, in one line a user can act on: the file, the line, what is wrong
 * and the option that helps. DuckDB's own messages (its sniffer's dump of every option it tried,
 * the whole offending line) are the last resort, shortened.
 */
public final class CsvProblems {

  /** DuckDB's default {@code max_line_size}. */
  static final int MAX_LINE = 2_097_152;

  private static final String HINTS =
      "; --null-padding fills missing fields with nulls, --ignore-errors skips such lines";

  private CsvProblems() {}

  /**
   * Refuses files no CSV reader can make sense of, before anything is read: an empty file, and a
   * compressed one whose name does not say so.
   */
  public static void precheck(List<Path> files) {
    for (Path file : files) {
      byte[] head = head(file, 4);
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      if (isBlank(file)) {
        throw new IllegalArgumentException(
            "input (" + file + ") is empty: it has no header and no rows");
      }
      String compression = compression(head);
      if (compression != null && !name.endsWith(".gz") && !name.endsWith(".zst")) {
        throw new IllegalArgumentException(
            "input ("
                + file
                + ") is "
                + compression
                + "-compressed, but its name does not say so; name it "
                + file.getFileName()
                + (compression.equals("gzip") ? ".gz" : compression.equals("zstd") ? ".zst" : "")
                + (compression.equals("zip") ? " after unzipping it" : " (read as it is)")
                + ", or decompress it");
      }
    }
  }

  /** The first problem found in any of {@code files}, as a sentence; empty when none is found. */
  public static Optional<String> diagnose(List<Path> files, String delimiter) {
    for (Path file : files) {
      Optional<String> problem = scan(file, delimiter);
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  /**
   * Counts the records (lines of data, the header and blank lines aside) of {@code files} and finds
   * the first problem: what {@code ignore_errors} skipped is the records less the rows read.
   */
  public static Survey survey(List<Path> files, String delimiter) {
    long records = 0;
    String first = null;
    for (Path file : files) {
      Scanner s = new Scanner(file, delimiter);
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
        int b;
        while ((b = in.read()) >= 0) {
          Optional<String> problem = s.accept(b);
          if (problem.isPresent() && first == null) {
            first = problem.get();
          }
        }
        Optional<String> last = s.end();
        if (last.isPresent() && first == null) {
          first = last.get();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
      records += s.records;
    }
    return new Survey(records, first);
  }

  /** What {@link #survey} found: data records, and the first problem (null for none). */
  public record Survey(long records, String firstProblem) {}

  /** A DuckDB message cut to its first sentence, without the line it quotes, at most 300 chars. */
  public static String shorten(String message) {
    String m = message.replace('\n', ' ').replaceAll("\\s+", " ").strip();
    for (String cut :
        List.of(" Original Line:", " Possible Solution", " Possible fixes", " The search space")) {
      int i = m.indexOf(cut);
      if (i > 0) {
        m = m.substring(0, i);
      }
    }
    return m.length() > 300 ? m.substring(0, 297) + "..." : m;
  }

  private static Optional<String> scan(Path file, String given) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      Scanner s = new Scanner(file, given);
      int b;
      while ((b = in.read()) >= 0) {
        Optional<String> problem = s.accept(b);
        if (problem.isPresent()) {
          return problem;
        }
      }
      return s.end();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** A byte-at-a-time CSV record splitter that notices what DuckDB chokes on. */
  private static final class Scanner {
    private final Path file;
    private final String given;
    private final StringBuilder header = new StringBuilder();
    private char delimiter;
    private int headerFields = -1;
    private long line = 1;
    private long recordStart = 1;
    private long lineBytes;
    private int fields = 1;
    private boolean quoted;
    private boolean empty = true;
    private long records;

    Scanner(Path file, String given) {
      this.file = file;
      this.given = given;
      if (given != null) {
        delimiter = given.equals("\\t") ? '\t' : given.charAt(0);
      }
    }

    Optional<String> accept(int b) {
      lineBytes++;
      if (b == 0) {
        return problem(
            "line "
                + line
                + " has a NUL byte (0x00) at byte "
                + lineBytes
                + ", which is not text: the file may be binary, UTF-16 or damaged; remove it");
      }
      if (lineBytes > MAX_LINE) {
        return problem(
            String.format(
                Locale.ROOT,
                "line %d is longer than the %,d bytes a CSV line may have; is it one"
                    + " record, or is a quote left open?",
                line,
                MAX_LINE));
      }
      if (headerFields < 0 && b != '\n' && b != '\r') {
        header.append((char) b);
      }
      if (b == '"') {
        quoted = !quoted;
      } else if (!quoted && delimiter != 0 && b == delimiter) {
        fields++;
      }
      if (b != '\n') {
        empty &= b == '\r' || b == ' ';
        return Optional.empty();
      }
      line++;
      lineBytes = 0;
      return quoted ? Optional.empty() : endRecord();
    }

    Optional<String> end() {
      if (quoted) {
        return problem("a quote opened on line " + recordStart + " is never closed");
      }
      return lineBytes > 0 ? endRecord() : Optional.empty();
    }

    private Optional<String> endRecord() {
      if (headerFields < 0) {
        if (delimiter == 0) {
          delimiter = likelyDelimiter(header.toString());
          fields =
              delimiter == 0
                  ? 1
                  : header
                      .toString()
                      .split(java.util.regex.Pattern.quote(Character.toString(delimiter)), -1)
                      .length;
        }
        headerFields = fields;
      } else if (!empty && fields != headerFields) {
        Optional<String> problem =
            problem(
                "line "
                    + recordStart
                    + " has "
                    + fields
                    + (fields == 1 ? " field" : " fields")
                    + ", the header (line 1) has "
                    + headerFields
                    + (given == null ? " (delimiter " + shown(delimiter) + ")" : "")
                    + HINTS);
        records++;
        fields = 1;
        empty = true;
        recordStart = line;
        return problem;
      } else if (!empty) {
        records++;
      }
      fields = 1;
      empty = true;
      recordStart = line;
      return Optional.empty();
    }

    private Optional<String> problem(String what) {
      return Optional.of("input (" + file + ") " + what);
    }
  }

  private static char likelyDelimiter(String header) {
    char best = 0;
    long most = 0;
    for (char c : new char[] {',', ';', '\t', '|'}) {
      long n = header.chars().filter(x -> x == c).count();
      if (n > most) {
        most = n;
        best = c;
      }
    }
    return best;
  }

  private static String shown(char delimiter) {
    return delimiter == '\t' ? "tab" : delimiter == 0 ? "none" : "'" + delimiter + "'";
  }

  /** Whether the name of a single sniffed column holds a delimiter: the sniffer gave up. */
  public static boolean looksUnsplit(List<String> columns) {
    return columns.size() == 1 && likelyDelimiter(columns.get(0)) != 0;
  }

  private static String compression(byte[] h) {
    if (h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b) {
      return "gzip";
    }
    if (h.length >= 4
        && (h[0] & 0xff) == 0x28
        && (h[1] & 0xff) == 0xb5
        && (h[2] & 0xff) == 0x2f
        && (h[3] & 0xff) == 0xfd) {
      return "zstd";
    }
    if (h.length >= 4 && h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4) {
      return "zip";
    }
    return null;
  }

  private static boolean isBlank(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = in.readNBytes(4096);
      if (buf.length == 4096) {
        return false;
      }
      return new String(buf, StandardCharsets.ISO_8859_1).isBlank();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static byte[] head(Path file, int n) {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(n);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
