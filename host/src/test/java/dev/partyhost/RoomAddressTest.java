package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.http.RoomAddress;
import org.junit.jupiter.api.Test;

class RoomAddressTest {
  private static RoomAddress parse(String path) throws RoomAddress.Invalid {
    return RoomAddress.parse(path, "chat");
  }

  @Test
  void bothUrlFormsAndTheMainAlias() throws Exception {
    assertEquals(new RoomAddress("chat", "r"), parse("/party/r"));
    assertEquals(new RoomAddress("chat", "r"), parse("/parties/main/r"));
    assertEquals(new RoomAddress("chat", "r"), parse("/parties/chat/r"));
    assertEquals(new RoomAddress("counter", "r"), parse("/parties/counter/r/sub/path"));
    assertEquals(new RoomAddress("chat", "r"), parse("/party/r/"));
    assertNull(parse("/other/r"));
  }

  @Test
  void roomIdsArePercentDecodedUtf8() throws Exception {
    assertEquals(new RoomAddress("chat", "a/b c"), parse("/party/a%2Fb%20c"));
    assertEquals(new RoomAddress("chat", "héllo"), parse("/party/h%C3%A9llo"));
    assertEquals("x".repeat(256), parse("/party/" + "x".repeat(256)).room());
  }

  @Test
  void malformedEscapesAreFound() {
    assertTrue(RoomAddress.hasBadEscape("/party/%zz"));
    assertTrue(RoomAddress.hasBadEscape("/party/a%2"));
    assertTrue(RoomAddress.hasBadEscape("/party/a%"));
    assertFalse(RoomAddress.hasBadEscape("/party/a%2Fb%c3%a9"));
  }

  @Test
  void badRoomIdsAre400() {
    for (String path :
        new String[] {
          "/party/",
          "/parties/chat/",
          "/parties/chat",
          "/parties//r",
          "/party/%zz",
          "/party/%4",
          "/party/%ff",
          "/party/" + "x".repeat(257),
          "/party/%C3%A9".repeat(1) + "%C3",
          "/party/a%00b",
          "/party/%0A",
          "/party/x%7F"
        }) {
      RoomAddress.Invalid e = assertThrows(RoomAddress.Invalid.class, () -> parse(path), path);
      assertEquals(400, e.status(), path);
    }
  }
}
