package dev.partyhost.calls;

import dev.partyhost.guest.ByteList;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The answer to a call, as {@code partyhost_on_response} receives it (ABI section 6): an HTTP status
 * with the response record {@code [body, name1, value1, ...]}, or a negative status with {@code
 * [message]}.
 */
public record Answer(int status, byte[] record) {
  /** Framing headers say how the callee's response was sent, not what it is: left out, as the HTTP path does. */
  private static final Set<String> FRAMING =
      Set.of("content-length", "transfer-encoding", "connection");

  /** A call that ended without a response: {@code code} is a negative status, {@code why} says why. */
  public static Answer failed(int code, String why) {
    return new Answer(code, new ByteList.Builder().add(why).build());
  }

  /**
   * A response, or TOO_LARGE when its body and headers pass {@code maxBytes}. Header names are
   * lower-cased; {@code headers} alternate name and value.
   */
  public static Answer response(int status, List<String> headers, byte[] body, long maxBytes) {
    long size = body.length;
    for (String h : headers) size += h.getBytes(StandardCharsets.UTF_8).length;
    if (size > maxBytes) return tooLarge(size, maxBytes);
    ByteList.Builder record = new ByteList.Builder().add(body);
    for (int i = 0; i + 1 < headers.size(); i += 2) {
      String name = headers.get(i).toLowerCase(Locale.ROOT);
      if (!FRAMING.contains(name)) record.add(name).add(headers.get(i + 1));
    }
    return new Answer(status, record.build());
  }

  static Answer tooLarge(long size, long maxBytes) {
    return failed(
        dev.partyhost.guest.Abi.TOO_LARGE,
        "the response"
            + (size > 0 ? " (" + size + " bytes or more)" : "")
            + " is over the call response limit of "
            + maxBytes
            + " bytes");
  }
}
