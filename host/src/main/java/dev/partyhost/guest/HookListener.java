package dev.partyhost.guest;

/**
 * Hears each hook call of a {@link Guest} with its arguments exactly as the guest receives them (a
 * recording of the room's inputs, {@code dev.partyhost.replay}).
 */
public interface HookListener {
  /**
   * {@code hook} is about to be called ({@code start}, {@code connect}, {@code message}, {@code
   * close}, {@code error}, {@code request}, {@code alarm} or {@code response}) with these integer
   * arguments (handle, kind, code; a call's id and status, in the ABI's order) and the bytes passed
   * through the allocator (empty if none).
   */
  void calling(String hook, int[] ints, byte[] bytes);
}
