package dev.partyhost.replay;

import dev.partyhost.guest.ModuleRejectedException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code java -jar partyhost.jar replay MODULE.wasm RECORDING [--stop-at N] [--verbose]}. */
public final class ReplayCommand {
  private ReplayCommand() {}

  /** The exit codes. */
  public static final int SAME = 0;

  public static final int DIVERGED = 1;
  public static final int BAD_INPUT = 2;

  static final String USAGE =
      """
      usage: java -jar partyhost.jar replay MODULE.wasm RECORDING [--stop-at N] [--verbose]

      Re-runs a recorded room (a .rec file from DATA/recordings/PARTY/ROOM/, written while the
      party's `record` setting was on) against MODULE.wasm, offline: no network, no storage (the
      room's recorded data, in memory), its clock and random answered from the recording, the
      module interpreted. Every hook runs with its recorded arguments, and every output (frames,
      broadcasts, closes, HTTP responses, storage writes, alarm changes, the hook's result) and
      every clock or random call is compared with the recording, byte for byte. The first
      difference is reported with the event number, the hook, and what was expected against what
      came. A recorded trap is run again and shown with the guest's stack.

        --stop-at N  stop after event N (events count from 1, on_start first) and print the
                     room's state: storage, alarm, connections, the guest's log lines so far
        --verbose    print every event with its answers and outputs

      Exit codes: 0 every output the same, 1 the replay diverged, 2 bad input (arguments, an
      unreadable recording, a module the host rejects).
      """;

  /** Runs the command; returns its exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> rest = new ArrayList<>(List.of(args));
    if (rest.contains("--help") || rest.contains("-h")) {
      out.print(USAGE);
      return SAME;
    }
    boolean verbose = rest.remove("--verbose");
    Integer stopAt = null;
    int at = rest.indexOf("--stop-at");
    if (at >= 0) {
      try {
        stopAt = Integer.parseInt(rest.get(at + 1));
        if (stopAt < 1) throw new NumberFormatException();
      } catch (IndexOutOfBoundsException | NumberFormatException e) {
        err.println("partyhost replay: --stop-at takes an event number, 1 or more");
        return BAD_INPUT;
      }
      rest.subList(at, at + 2).clear();
    }
    if (rest.size() != 2 || rest.get(0).startsWith("-") || rest.get(1).startsWith("-")) {
      err.print(USAGE);
      return BAD_INPUT;
    }
    Recording recording;
    byte[] module;
    try {
      module = Files.readAllBytes(Path.of(rest.get(0)));
      recording = Recording.read(Path.of(rest.get(1)));
    } catch (IOException | RecordFormat.BadRecording e) {
      err.println("partyhost replay: cannot read " + e.getMessage());
      return BAD_INPUT;
    }
    for (Map.Entry<String, String> e : recording.summary().entrySet())
      out.println(e.getKey() + ": " + e.getValue());
    try (Replayer replayer = new Replayer(recording, out, verbose)) {
      return replayer.run(module, stopAt) == Replayer.Outcome.SAME ? SAME : DIVERGED;
    } catch (ModuleRejectedException e) {
      err.println("partyhost replay: the module is rejected: " + e.getMessage());
      return BAD_INPUT;
    } catch (RecordFormat.BadRecording e) {
      err.println("partyhost replay: bad recording: " + e.getMessage());
      return BAD_INPUT;
    }
  }
}
