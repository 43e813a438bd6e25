package dev.partyhost.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@link BudgetedMemory} reserves is what the heap holds: the capacity of the buffer Chicory
 * allocated, read from Chicory's memory itself. Driven by the "memory-budget" test guest (1 page, no
 * maximum, no table), capped at 256 pages as a host does.
 */
class BudgetedMemoryTest {
  private static final int PAGE = Memory.PAGE_SIZE;
  private static final long MIB = 1024 * 1024;

  private static GuestModule module(MemoryBudget budget) throws Exception {
    byte[] bytes = Files.readAllBytes(TestHost.wasm("test-wasm", "memory-budget"));
    return GuestModule.load(bytes, ExecutionMode.INTERPRETED, 1 << 24, 256, 100, null, budget);
  }

  /** A new instance's memory; its host calls answer NOT_IMPLEMENTED (none runs here). */
  private static Memory instantiate(GuestModule module) {
    List<HostFunction> inert = GuestModule.inertHostCalls();
    Instance instance = module.instantiate("a test instance", inert, List.of());
    return instance.memory();
  }

  /** The capacity of the buffer inside Chicory's ByteBufferMemory: the bytes the heap holds. */
  private static long heapBytes(Memory memory) throws ReflectiveOperationException {
    Field inner = BudgetedMemory.class.getDeclaredField("memory");
    inner.setAccessible(true);
    Object chicory = inner.get(memory);
    Field buffer = chicory.getClass().getDeclaredField("buffer");
    buffer.setAccessible(true);
    return ((ByteBuffer) buffer.get(chicory)).capacity();
  }

  @Test
  void theBudgetHoldsWhatTheBuffersHoldAndGrowsFailPastIt() throws Exception {
    MemoryBudget budget = new MemoryBudget(3 * MIB);
    GuestModule module = module(budget);
    assertEquals(0, budget.reserved()); // the version probe gave its page back

    Memory memory = instantiate(module);
    assertEquals(PAGE, heapBytes(memory));
    assertEquals(PAGE, budget.reserved());
    assertEquals(1, memory.grow(16)); // 17 pages: Chicory's doubling makes it 2 MiB
    assertEquals(2 * MIB, heapBytes(memory));
    assertEquals(2 * MIB, budget.reserved());
    assertEquals(17, memory.grow(16)); // 33 pages: 4 MiB would not fit, exactly 33 pages does
    assertEquals(33L * PAGE, heapBytes(memory));
    assertEquals(33L * PAGE, budget.reserved());
    assertEquals(33, memory.grow(15)); // 48 pages: the whole budget
    assertEquals(3 * MIB, budget.reserved());
    assertEquals(-1, memory.grow(1)); // as at the per-instance cap
    assertEquals(48, memory.pages());
    assertEquals(3 * MIB, heapBytes(memory));

    assertThrows(MemoryBudget.Exhausted.class, () -> instantiate(module));
    assertEquals(3 * MIB, budget.reserved()); // the refused instance reserved nothing

    ((BudgetedMemory) memory).release();
    ((BudgetedMemory) memory).release(); // once only
    assertEquals(0, budget.reserved());
    assertEquals(-1, memory.grow(100)); // a released memory allocates nothing more
    assertEquals(PAGE, heapBytes(instantiate(module)));
    assertEquals(PAGE, budget.reserved());
  }

  @Test
  void anInstanceDroppedWithoutReleaseGivesItsMemoryBackWhenCollected() throws Exception {
    MemoryBudget budget = new MemoryBudget(64 * MIB);
    GuestModule module = module(budget);
    assertEquals(1, instantiate(module).grow(16)); // and let go of
    assertEquals(2 * MIB, budget.reserved());
    Poll.until(
        () -> {
          System.gc();
          return budget.reserved() == 0;
        },
        10_000);
  }
}
