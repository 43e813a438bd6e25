package dev.partyhost.room;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** The HTTP response a guest set with {@code respond}; headers alternate name and value. */
public record RoomResponse(int status, List<String> headers, byte[] body) {
  private static final List<String> TEXT_PLAIN =
      List.of("content-type", "text/plain; charset=utf-8");

  /** A response the host itself gives: plain text. */
  public static RoomResponse plain(int status, String body) {
    return new RoomResponse(status, TEXT_PLAIN, body.getBytes(StandardCharsets.UTF_8));
  }
}
