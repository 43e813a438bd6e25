package dev.partyhost.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Memory;
import dev.partyhost.support.TestHost;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A {@link MemoryImage} of an instance of the probe guest (2 pages, data segments at 0..68, two
 * mutable globals), restored onto a fresh instance, is that instance: every byte of its memory (grown
 * pages, and data-segment bytes the guest had zeroed, included) and its globals, in both modes; and
 * it survives being written and read.
 */
class MemoryImageTest {
  private static GuestModule module(ExecutionMode mode) throws Exception {
    byte[] bytes = Files.readAllBytes(TestHost.wasm("test-wasm", "probe"));
    return GuestModule.load(bytes, mode, 1 << 24, 256);
  }

  private static Guest instantiate(GuestModule module) {
    List<HostFunction> inert = GuestModule.inertHostCalls();
    return Guest.instantiate(module, inert, null, null);
  }

  private static byte[] all(Memory m) {
    return m.readBytes(0, m.pages() * Memory.PAGE_SIZE);
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void aRestoredInstanceIsTheCapturedOne(ExecutionMode mode) throws Exception {
    GuestModule module = module(mode);
    assertNull(module.imageRefusal());
    Guest before = instantiate(module);
    Memory m = before.memory();
    assertEquals(2, m.pages());
    m.grow(3);
    m.write(0, new byte[80]); // the data segments ("start" ... "trap"): their chunk is all zero
    m.write(70_000, "on page one".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    m.writeI32(4 * Memory.PAGE_SIZE + 12, 0x12345678); // on a grown page
    before.instance().global(0).setValue(8192);
    before.instance().global(1).setValue(41);

    MemoryImage image = MemoryImage.capture(before);
    assertEquals(2 * MemoryImage.CHUNK, image.bytes(), "zero chunks are left out");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    image.write(new DataOutputStream(bytes));
    MemoryImage read = MemoryImage.read(ByteBuffer.wrap(bytes.toByteArray()));

    Guest after = instantiate(module);
    assertFalse(java.util.Arrays.equals(all(m), all(after.memory())));
    assertTrue(read.restoreInto(after, module));
    assertEquals(5, after.memory().pages());
    assertArrayEquals(all(m), all(after.memory()));
    assertEquals(8192, after.instance().global(0).getValue());
    assertEquals(41, after.instance().global(1).getValue());
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void modulesThatChangeTheirTablesAreRefused(ExecutionMode mode) throws Exception {
    byte[] bytes = Files.readAllBytes(TestHost.wasm("test-wasm", "table-grow"));
    String why = GuestModule.load(bytes, mode, 1 << 24, 256).imageRefusal();
    assertTrue(why != null && why.contains("TABLE_GROW"), why);
  }
}
