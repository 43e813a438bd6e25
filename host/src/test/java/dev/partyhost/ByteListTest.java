package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partyhost.guest.ByteList;
import dev.partyhost.support.TestHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The host's list codec against the shared vectors in abi/conformance/encoding-vectors.txt. */
class ByteListTest {
  @Test
  void encodesAndDecodesEveryVector() throws Exception {
    int checked = 0;
    for (String line :
        Files.readAllLines(TestHost.root().resolve("abi/conformance/encoding-vectors.txt"))) {
      if (line.startsWith("#") || line.isBlank()) continue;
      String[] parts = line.split(" \\| ?", 2);
      List<String> items = List.of(new ObjectMapper().readValue(parts[0], String[].class));
      byte[] encoded = HexFormat.of().parseHex(parts.length > 1 ? parts[1].replace(" ", "") : "");
      assertArrayEquals(encoded, ByteList.encodeStrings(items), line);
      List<String> decoded = new ArrayList<>();
      for (byte[] item : ByteList.decode(encoded))
        decoded.add(new String(item, StandardCharsets.UTF_8));
      assertEquals(items, decoded, line);
      checked++;
    }
    assertEquals(6, checked);
  }

  @Test
  void rejectsTruncatedLists() {
    assertThrows(
        IllegalArgumentException.class, () -> ByteList.decode(new byte[] {5, 0, 0, 0, 'a'}));
    assertThrows(IllegalArgumentException.class, () -> ByteList.decode(new byte[] {1, 0}));
    assertThrows(
        IllegalArgumentException.class, () -> ByteList.decode(new byte[] {-1, -1, -1, -1}));
  }
}
