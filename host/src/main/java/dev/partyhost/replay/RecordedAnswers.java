package dev.partyhost.replay;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import dev.partyhost.guest.GuestTrap;
import dev.partyhost.replay.RecordFormat.In;
import dev.partyhost.replay.RecordFormat.Rec;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A replay's answers: each non-pure call gets the next answer the recording has for the hook, its
 * result and the bytes it wrote. A call the recording does not have (another import, another
 * length, one too many) is a divergence: it traps the hook, and {@link #divergence} says why.
 */
final class RecordedAnswers implements Answers {
  private final Deque<Rec> next = new ArrayDeque<>();
  private String divergence;

  /** The answers of the hook that runs next. */
  void expect(List<Rec> answers) {
    next.clear();
    next.addAll(answers);
    divergence = null;
  }

  /** Why a call could not be answered from the recording, or null. */
  String divergence() {
    return divergence;
  }

  @Override
  public long[] answer(String name, Instance instance, long[] args, WasmFunctionHandle real) {
    Rec rec = next.poll();
    if (rec == null)
      return diverge(
          "the guest called " + name + ", the recording has no more answers for this hook");
    In in = rec.in();
    String recorded = in.str();
    long result = in.i64();
    byte[] written = in.bytes();
    if (!recorded.equals(name))
      return diverge("the guest called " + name + " where the recording has " + recorded);
    if (written.length > 0) {
      Answers.Written w = Answers.NON_PURE.get(name);
      if (w.len(args) != written.length)
        return diverge(
            "the guest asked "
                + name
                + " for "
                + w.len(args)
                + " bytes, the recording has "
                + written.length);
      instance.memory().write(w.ptr(args), written);
    }
    return new long[] {result};
  }

  private long[] diverge(String why) {
    if (divergence == null) divergence = why;
    throw new GuestTrap("replay: " + why, null);
  }
}
