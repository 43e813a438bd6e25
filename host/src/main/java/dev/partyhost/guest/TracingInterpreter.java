package dev.partyhost.guest;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.StackFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * Chicory's interpreter, which keeps the guest's stack of the last trap on this thread: the frames it
 * was in (innermost first), each named from the module's name section where it has one. The compiled
 * mode has no such stack; {@code replay} runs interpreted to show it.
 */
public final class TracingInterpreter extends InterpreterMachine {
  private static final ThreadLocal<List<String>> LAST_TRAP = new ThreadLocal<>();

  public TracingInterpreter(Instance instance) {
    super(instance);
  }

  @Override
  public long[] call(int funcId, long[] args) {
    int depth = callStack.size();
    try {
      return super.call(funcId, args);
    } catch (RuntimeException | StackOverflowError e) {
      // The interpreter leaves a trapped call's frames on its stack: read them, then drop them.
      List<String> frames = new ArrayList<>();
      while (callStack.size() > depth) {
        StackFrame frame = callStack.pop();
        frames.add(frame.toString());
      }
      LAST_TRAP.set(List.copyOf(frames));
      throw e;
    }
  }

  /** The guest's stack at the last trap on this thread (innermost first); empty if none was kept. */
  public static List<String> lastTrap() {
    List<String> frames = LAST_TRAP.get();
    return frames == null ? List.of() : frames;
  }

  /** Forgets the last trap's stack (before a hook whose trap is to be told apart). */
  public static void forget() {
    LAST_TRAP.remove();
  }
}
