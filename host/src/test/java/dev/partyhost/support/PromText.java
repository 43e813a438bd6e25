package dev.partyhost.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus's text exposition format (0.0.4), parsed strictly: every line is a {@code # HELP}, a
 * {@code # TYPE} or a sample {@code name{label="value",...} number}; names and label names match the
 * format's patterns, label values use only its escapes, each family's TYPE comes before its samples
 * and once, and a histogram's buckets rise with {@code le} up to {@code +Inf}, equal to its count.
 * Anything else throws.
 */
public final class PromText {
  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern TYPES = Pattern.compile("counter|gauge|histogram|summary|untyped");
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( -?\\d+)?");

  public final List<Sample> samples = new ArrayList<>();

  /** Family name to its TYPE. */
  public final Map<String, String> types = new LinkedHashMap<>();

  public PromText(String text) {
    if (!text.endsWith("\n")) throw new IllegalArgumentException("does not end with a newline");
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      if (line.isEmpty()) continue;
      try {
        parseLine(line);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "line " + lineNo + ": " + e.getMessage() + ": " + line, e);
      }
    }
    checkHistograms();
  }

  private void parseLine(String line) {
    if (line.startsWith("# HELP ")) {
      String[] parts = line.split(" ", 4);
      if (!NAME.matcher(parts[2]).matches()) throw new IllegalArgumentException("bad name");
      return;
    }
    if (line.startsWith("# TYPE ")) {
      String[] parts = line.split(" ");
      if (parts.length != 4
          || !NAME.matcher(parts[2]).matches()
          || !TYPES.matcher(parts[3]).matches()) throw new IllegalArgumentException("bad TYPE");
      if (types.put(parts[2], parts[3]) != null) throw new IllegalArgumentException("TYPE twice");
      return;
    }
    if (line.startsWith("#")) return; // other comments are allowed
    Matcher m = SAMPLE.matcher(line);
    if (!m.matches()) throw new IllegalArgumentException("not a sample");
    String name = m.group(1);
    if (family(name) == null) throw new IllegalArgumentException("sample before its TYPE");
    samples.add(new Sample(name, labels(m.group(3)), number(m.group(4))));
  }

  /** The declared family a sample name belongs to (histograms add _bucket, _sum, _count). */
  private String family(String name) {
    if (types.containsKey(name)) return name;
    for (String suffix : new String[] {"_bucket", "_sum", "_count", "_total", "_created"}) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        if (types.containsKey(base)) return base;
      }
    }
    return null;
  }

  private static Map<String, String> labels(String body) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (body == null || body.isEmpty()) return labels;
    int i = 0;
    while (i < body.length()) {
      int eq = body.indexOf('=', i);
      String name = body.substring(i, eq);
      if (!LABEL.matcher(name).matches()) throw new IllegalArgumentException("bad label " + name);
      if (body.charAt(eq + 1) != '"') throw new IllegalArgumentException("unquoted label value");
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      for (; body.charAt(j) != '"'; j++) {
        char c = body.charAt(j);
        if (c == '\\') {
          char e = body.charAt(++j);
          if (e == 'n') value.append('\n');
          else if (e == '\\' || e == '"') value.append(e);
          else throw new IllegalArgumentException("bad escape \\" + e);
        } else {
          value.append(c);
        }
      }
      if (labels.put(name, value.toString()) != null)
        throw new IllegalArgumentException("label twice: " + name);
      i = j + 1;
      if (i < body.length()) {
        if (body.charAt(i) != ',') throw new IllegalArgumentException("expected ,");
        i++;
      }
    }
    return labels;
  }

  private static double number(String s) {
    switch (s) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        return Double.parseDouble(s);
    }
  }

  /** Each histogram series: buckets non-decreasing in le, ending at +Inf equal to _count. */
  private void checkHistograms() {
    Map<String, List<Sample>> buckets = new HashMap<>();
    for (Sample s : samples) {
      if (!s.name().endsWith("_bucket")) continue;
      Map<String, String> series = new LinkedHashMap<>(s.labels());
      series.remove("le");
      buckets.computeIfAbsent(s.name() + series, k -> new ArrayList<>()).add(s);
    }
    buckets.forEach(
        (series, list) -> {
          double le = Double.NEGATIVE_INFINITY, count = 0;
          for (Sample s : list) {
            double bound = number(s.labels().get("le"));
            if (bound <= le || s.value() < count)
              throw new IllegalArgumentException("buckets out of order in " + series);
            le = bound;
            count = s.value();
          }
          if (le != Double.POSITIVE_INFINITY)
            throw new IllegalArgumentException("no +Inf bucket in " + series);
        });
  }

  /**
   * The sum of the samples named {@code name} whose labels include {@code labels} (name, value,
   * name, value...); 0 if none.
   */
  public double value(String name, String... labels) {
    double sum = 0;
    for (Sample s : samples) if (s.name().equals(name) && matches(s, labels)) sum += s.value();
    return sum;
  }

  /** Whether any sample is named {@code name} and has these labels. */
  public boolean has(String name, String... labels) {
    for (Sample s : samples) if (s.name().equals(name) && matches(s, labels)) return true;
    return false;
  }

  private static boolean matches(Sample s, String... labels) {
    for (int i = 0; i < labels.length; i += 2)
      if (!labels[i + 1].equals(s.labels().get(labels[i]))) return false;
    return true;
  }
}
