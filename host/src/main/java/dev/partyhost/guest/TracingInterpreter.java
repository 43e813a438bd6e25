package dev.partyhost.guest;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.wasm.types.NameCustomSection;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chicory's interpreter, which keeps the guest's stack of the last trap on this thread: the frames it
 * was in (innermost first), as Chicory describes them: index, pc, locals ({@link #named} adds names). The compiled
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
      while (callStack.size() > depth) frames.add(callStack.pop().toString().replace("\n\t", " "));
      LAST_TRAP.set(List.copyOf(frames));
      throw e;
    }
  }

  private static final Pattern UNNAMED = Pattern.compile("^\\[(\\d+)\\]");

  /**
   * A frame of {@link #lastTrap} with its function's name from {@code names} (a module's name
   * section, which the host's instances do not keep; null: none) when the frame has none.
   */
  public static String named(String frame, NameCustomSection names) {
    Matcher unnamed = UNNAMED.matcher(frame);
    if (names == null || !unnamed.find()) return frame;
    String name = names.nameOfFunction(Integer.parseInt(unnamed.group(1)));
    return name == null ? frame : name + " " + frame;
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
