package dev.partyhost.replay;

import dev.partyhost.replay.RecordFormat.In;
import dev.partyhost.replay.RecordFormat.Rec;
import java.util.List;

/** Where a replayed hook first differs from the recorded one, in words; null when they are the same. */
final class Compare {
  private Compare() {}

  static String events(Recording.Event expected, Recording.Event got, String answerDivergence) {
    if (got == null)
      return "  the replay ran no hook where the recording has "
          + Describe.record(expected.hook())
          + "\n  (the room did not call the guest: its instance or the connection was gone)";
    if (!expected.hook().equals(got.hook()))
      return "  the hook was called differently\n  expected: "
          + Describe.record(expected.hook())
          + "\n  got:      "
          + Describe.record(got.hook());
    if (answerDivergence != null) return "  " + answerDivergence;
    String answers = lists("answer", expected.answers(), got.answers(), false);
    if (answers != null) return answers;
    return lists("output", expected.outputs(), got.outputs(), true);
  }

  private static String lists(String what, List<Rec> expected, List<Rec> got, boolean outputs) {
    for (int i = 0; i < Math.max(expected.size(), got.size()); i++) {
      Rec e = i < expected.size() ? expected.get(i) : null;
      Rec g = i < got.size() ? got.get(i) : null;
      if (e != null && g != null && same(e, g)) continue;
      return "  "
          + what
          + " "
          + (i + 1)
          + " differs\n  expected: "
          + (e == null ? "nothing more" : Describe.record(e))
          + "\n  got:      "
          + (g == null ? "nothing more" : Describe.record(g))
          + (outputs
                  && e != null
                  && g != null
                  && e.type() == g.type()
                  && e.type() != RecordFormat.END
              ? "\n  expected bytes: "
                  + java.util.HexFormat.of().formatHex(e.payload())
                  + "\n  got bytes:      "
                  + java.util.HexFormat.of().formatHex(g.payload())
              : "");
    }
    return null;
  }

  /**
   * The same record, byte for byte; an END is the same when both trapped or both returned the same
   * code (a trap's wording is the runtime's: the compiled and the interpreted mode word them apart).
   */
  private static boolean same(Rec e, Rec g) {
    if (e.type() != RecordFormat.END || g.type() != RecordFormat.END) return e.equals(g);
    In a = e.in();
    In b = g.in();
    return a.i8() == b.i8() && a.i32() == b.i32();
  }
}
