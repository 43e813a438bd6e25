package dev.partyhost.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.partyhost.guest.ByteList;
import java.util.List;

/**
 * The ABI's byte-string list decoder, which reads what guests hand to storage_put_many,
 * storage_delete_many, conn_set_tags and respond: it throws nothing but IllegalArgumentException,
 * and what it decodes encodes back to the same bytes, with both encoders.
 */
class ByteListFuzzTest {
  @FuzzTest
  void decode(byte[] data) {
    List<byte[]> items;
    try {
      items = ByteList.decode(data);
    } catch (IllegalArgumentException rejected) {
      return;
    }
    assertArrayEquals(data, ByteList.encode(items));
    assertEquals(data.length, ByteList.encodedLength(items));
    ByteList.Builder builder = new ByteList.Builder();
    items.forEach(builder::add);
    assertArrayEquals(data, builder.build());
  }
}
