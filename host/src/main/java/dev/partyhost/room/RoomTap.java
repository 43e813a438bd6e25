package dev.partyhost.room;

import com.dylibso.chicory.runtime.HostFunction;
import dev.partyhost.guest.HookListener;
import dev.partyhost.guest.HookResult;
import dev.partyhost.storage.Changes;
import java.util.List;

/**
 * What one room tells about its instance, hook by hook, on the room's loop: a recording of its
 * inputs and outputs ({@code dev.partyhost.replay}), or a replay comparing them with a recording.
 * The room calls it in this order: {@link #started}, then for each hook {@link #hookStarting}, the
 * hook call ({@link HookListener#calling}), the non-pure answers (through {@link #imports}), the
 * outputs ({@link #sent}, {@link #broadcast}, {@link #closed}), {@link #hookEnded}; {@link #ended}
 * when the instance is dropped.
 */
public interface RoomTap extends HookListener {
  /** A connection as the room holds it when an instance starts, or as a connect hook sees it. */
  record Member(
      int handle, String id, String uri, byte[] state, List<String> tags, boolean closing) {}

  /**
   * The imports of a new instance (host calls, then WASI, in two calls), to wrap those whose answers
   * are not a pure function of the room's data (clock, random).
   */
  List<HostFunction> imports(List<HostFunction> functions);

  /**
   * An instance starts (its on_start comes next): the module it runs, the data it sees (keys and
   * values alternating), the alarm, the connections the room already has (after a wake).
   */
  void started(String moduleSha256, List<byte[]> entries, Long alarm, List<Member> members);

  /** A hook begins, at this host time; {@code c}: the connection it is for (null for none). */
  void hookStarting(long nowMs, Member c);

  /** The hook sent a frame to one connection. */
  void sent(int handle, boolean text, byte[] bytes);

  /** The hook broadcast a frame to these connections. */
  void broadcast(int[] handles, boolean text, byte[] bytes);

  /** The hook closed a connection. */
  void closed(int handle, int code, String reason);

  /**
   * The hook ended: how, what it wrote ({@code changes}, null if nothing), the response it set (a
   * request hook; else null).
   */
  void hookEnded(HookResult result, Changes changes, RoomResponse response);

  /** The instance is dropped (hibernation, a trap, the room leaving). */
  void ended();
}
