package dev.partyhost.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A scenario file: what clients do to one room of a party and what they must see, one step per
 * line. {@code #} starts a comment line; blank lines are skipped. Steps (CLIENT is any name):
 *
 * <pre>
 * party NAME                      the party's name (first; default: the module's file name)
 * var KEY VALUE...                a party setting (config_get), before the other steps
 * room ID                         the room the clients use (default: room-1)
 * connect CLIENT [PATH]           opens a WebSocket (PATH: "?query" or "/sub?query"; CLIENT is its id)
 * refused CLIENT STATUS [PATH]    a WebSocket that the party refuses with this HTTP status
 * send CLIENT TEXT...             a text message (the rest of the line, spaces kept)
 * send-binary CLIENT HEX          a binary message
 * expect CLIENT TEXT...           the client's next message is this text
 * expect-binary CLIENT HEX        ... is these bytes
 * expect-close CLIENT CODE [WHY]  ... is a close with this code (and this reason, if given)
 * close CLIENT [CODE [WHY...]]    the client closes (1000 by default)
 * request METHOD [PATH [BODY...]] an HTTP request to the room
 * expect-response STATUS [BODY...] the last request's answer
 * advance DURATION                moves the room's clock (500ms, 10s, 5m, 2h): due alarms fire
 * hibernate                       the rooms hibernate (instances dropped, sockets kept), as when idle
 * restart                         the host restarts: clients are dropped, storage stays
 * </pre>
 */
public record Scenario(String name, List<Step> steps) {
  /** One line: its number, its verb, and the rest of it. */
  public record Step(int line, String verb, String rest, String text) {
    /** The words of the rest of the line. */
    List<String> words() {
      return rest.isEmpty() ? List.of() : List.of(rest.split(" +"));
    }

    /** The first word of the rest (a client, a method, a status). */
    String first() {
      int space = rest.indexOf(' ');
      return space < 0 ? rest : rest.substring(0, space);
    }

    /** What follows the first word, spaces kept (a message, a body). */
    String afterFirst() {
      int space = rest.indexOf(' ');
      return space < 0 ? "" : rest.substring(space + 1);
    }

    /** What follows the second word, spaces kept inside (a close reason, a request body). */
    String afterSecond() {
      List<String> w = words();
      return w.size() > 2 ? afterFirst().substring(w.get(1).length()).strip() : "";
    }
  }

  /** A line that is not a step. */
  public static final class Invalid extends Exception {
    Invalid(String name, int line, String message) {
      super(name + ":" + line + ": " + message);
    }
  }

  private static final Set<String> VERBS =
      Set.of(
          "party",
          "var",
          "room",
          "connect",
          "refused",
          "send",
          "send-binary",
          "expect",
          "expect-binary",
          "expect-close",
          "close",
          "request",
          "expect-response",
          "advance",
          "hibernate",
          "restart");

  /** Parses a scenario; {@code name} is how reports name it (its file). */
  public static Scenario parse(String name, String text) throws Invalid {
    List<Step> steps = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    boolean setupDone = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].stripTrailing();
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) continue;
      int space = trimmed.indexOf(' ');
      String verb = (space < 0 ? trimmed : trimmed.substring(0, space)).toLowerCase(Locale.ROOT);
      String rest = space < 0 ? "" : trimmed.substring(space + 1).stripLeading();
      if (!VERBS.contains(verb)) throw new Invalid(name, i + 1, "unknown step \"" + verb + "\"");
      boolean setup = verb.equals("party") || verb.equals("var") || verb.equals("room");
      if (setup && setupDone)
        throw new Invalid(name, i + 1, verb + " must come before the first other step");
      if (!setup) setupDone = true;
      Step step = new Step(i + 1, verb, rest, trimmed);
      check(name, step);
      steps.add(step);
    }
    return new Scenario(name, List.copyOf(steps));
  }

  private static void check(String name, Step s) throws Invalid {
    int words = s.words().size();
    int min =
        switch (s.verb()) {
          case "restart", "hibernate" -> 0;
          case "party", "room", "connect", "close", "request", "expect-response", "advance" -> 1;
          default -> 2;
        };
    if (words < min) throw new Invalid(name, s.line(), s.verb() + ": missing arguments");
    try {
      switch (s.verb()) {
        case "refused", "expect-response", "expect-close" -> {
          String n = s.verb().equals("expect-response") ? s.first() : s.words().get(1);
          Integer.parseInt(n);
        }
        case "close" -> {
          if (words > 1) Integer.parseInt(s.words().get(1));
        }
        case "advance" -> durationMs(s.rest());
        case "send-binary", "expect-binary" -> hex(s.afterFirst());
        default -> {}
      }
    } catch (IllegalArgumentException e) {
      throw new Invalid(name, s.line(), s.verb() + ": " + e.getMessage());
    }
  }

  /** {@code 250}, {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, in milliseconds. */
  static long durationMs(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("ms")) t = t.substring(0, t.length() - 2);
    else if (t.endsWith("s")) {
      unit = 1000;
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      unit = 60_000;
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("h")) {
      unit = 3_600_000;
      t = t.substring(0, t.length() - 1);
    }
    try {
      long n = Long.parseLong(t.strip());
      if (n < 0) throw new NumberFormatException();
      return Math.multiplyExact(n, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("not a duration: \"" + text + "\"", e);
    }
  }

  /** Bytes from hex digits (spaces between them allowed). */
  static byte[] hex(String text) {
    String t = text.replace(" ", "");
    if (t.length() % 2 != 0) throw new IllegalArgumentException("odd number of hex digits");
    byte[] out = new byte[t.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(t.charAt(2 * i), 16);
      int lo = Character.digit(t.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) throw new IllegalArgumentException("not hex: \"" + text + "\"");
      out[i] = (byte) (hi << 4 | lo);
    }
    return out;
  }
}
