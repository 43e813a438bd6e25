package dev.partyhost.guest;

import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.alloc.MemAllocStrategy;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An instance's linear memory whose heap bytes are reserved from the host's {@link MemoryBudget}
 * before they are allocated. Chicory's {@link ByteBufferMemory} (its default) holds the bytes; this
 * decides how large its buffer gets. Chicory grows a buffer by doubling it (capped at the memory's
 * maximum), so the heap holds more than the pages the guest sees: the budget counts the buffer's
 * capacity. On a grow past the capacity: the doubled size if the budget has room for it, else exactly
 * the pages asked for, else nothing, and {@code memory.grow} returns -1, as at the per-instance cap.
 *
 * <p>The instance's tables are reserved here as well, at their capped maximum for the instance's
 * whole life: Chicory 1.6.1 gives the host no hook into {@code table.grow}.
 *
 * <p>{@link #release} gives the reservation back when a room or gate drops its instance. Should a
 * path drop an instance without releasing it, a {@link Cleaner} gives it back once the memory is
 * collected. Used by one thread at a time, as its instance is.
 */
public final class BudgetedMemory implements Memory {
  private static final Logger LOG = System.getLogger("partyhost.memory");
  private static final Cleaner CLEANER = Cleaner.create();

  /** Chicory's own memory, by its final class: every access is a direct call, inlined by the JIT. */
  private final ByteBufferMemory memory;

  private final MemoryBudget budget;
  private final String owner;
  private final Reservation reservation;
  private final Cleaner.Cleanable cleanable;
  private final Sizing sizing = new Sizing();

  /** Bytes of the buffer the memory holds now (reserved, with the tables'). */
  private long capacity;

  private boolean released;

  /**
   * Reserves the initial pages and {@code tableBytes}, then allocates; throws {@link
   * MemoryBudget.Exhausted} (nothing reserved) when they do not fit. {@code owner} names the instance
   * in the budget's log line.
   */
  BudgetedMemory(MemoryLimits limits, MemoryBudget budget, long tableBytes, String owner) {
    long initial = (long) PAGE_SIZE * limits.initialPages();
    if (!budget.tryReserve(initial + tableBytes)) {
      budget.refused(true, owner, initial + tableBytes);
      throw new MemoryBudget.Exhausted(
          owner
              + " cannot start: its memory and tables ("
              + (initial + tableBytes)
              + " bytes) do not fit in the host's guest memory budget ("
              + budget.reserved()
              + " of "
              + budget.limit()
              + " bytes reserved)");
    }
    this.budget = budget;
    this.owner = owner;
    this.capacity = initial;
    this.reservation = new Reservation(budget, initial + tableBytes);
    this.cleanable = CLEANER.register(this, reservation);
    try {
      this.memory = new ByteBufferMemory(limits, sizing);
    } catch (RuntimeException | Error e) {
      release();
      throw e;
    }
  }

  /** Gives the reservation back now (idempotent); the memory allocates nothing more after it. */
  public void release() {
    released = true;
    reservation.explicit = true;
    cleanable.clean();
  }

  /** Bytes this memory holds reserved (its buffer's capacity and its tables); 0 once released. */
  public long reservedBytes() {
    return reservation.bytes.get();
  }

  @Override
  public int grow(int size) {
    int pages = memory.pages();
    if (size < 0 || (long) pages + size > maximumPages()) return -1; // as Chicory: the cap
    long needed = ((long) pages + size) * PAGE_SIZE;
    if (needed <= capacity) return memory.grow(size);
    if (released) return -1;
    long doubled = doubled(capacity, needed, (long) PAGE_SIZE * maximumPages());
    long next;
    if (budget.tryReserve(doubled - capacity)) {
      next = doubled;
    } else if (budget.tryReserve(needed - capacity)) {
      next = needed; // the budget is nearly full: no slack
    } else {
      budget.refused(false, owner, needed - capacity);
      return -1;
    }
    long before = capacity;
    reservation.bytes.addAndGet(next - before);
    capacity = next;
    sizing.planned = (int) next;
    try {
      return memory.grow(size);
    } catch (RuntimeException | Error e) {
      // Nothing was allocated (say, an OutOfMemoryError): give the bytes back.
      capacity = before;
      reservation.bytes.addAndGet(before - next);
      budget.release(next - before);
      throw e;
    }
  }

  /** Chicory's default growth: double from the current capacity until it holds {@code needed}. */
  private static long doubled(long current, long needed, long max) {
    long next = current <= 0 ? needed : current;
    while (next < needed && next < max) next <<= 1;
    return Math.max(needed, Math.min(max, next));
  }

  /** Sizes the buffer as {@link #grow} decided: Chicory asks it whenever it allocates one. */
  private static final class Sizing implements MemAllocStrategy {
    int planned;

    @Override
    public int initial(int min) {
      return min;
    }

    @Override
    public int next(int current, int target) {
      return Math.max(target, planned);
    }
  }

  /** The bytes an instance holds reserved; gives them back once (release, or the Cleaner). */
  private static final class Reservation implements Runnable {
    private final MemoryBudget budget;
    final AtomicLong bytes;
    volatile boolean explicit;

    Reservation(MemoryBudget budget, long bytes) {
      this.budget = budget;
      this.bytes = new AtomicLong(bytes);
    }

    @Override
    public void run() {
      long held = bytes.getAndSet(0);
      budget.release(held);
      if (!explicit && held > 0)
        LOG.log(Level.DEBUG, "an instance was dropped unreleased: " + held + " bytes given back");
    }
  }

  // --- the rest is Chicory's memory as it is ---

  @Override
  public int pages() {
    return memory.pages();
  }

  @Override
  public int initialPages() {
    return memory.initialPages();
  }

  @Override
  public int maximumPages() {
    return memory.maximumPages();
  }

  @Override
  public boolean shared() {
    return memory.shared();
  }

  @Override
  public Object lock(int address) {
    return memory.lock(address);
  }

  @Override
  public int waitOn(int address, int expected, long timeout) {
    return memory.waitOn(address, expected, timeout);
  }

  @Override
  public int waitOn(int address, long expected, long timeout) {
    return memory.waitOn(address, expected, timeout);
  }

  @Override
  public int notify(int address, int maxThreads) {
    return memory.notify(address, maxThreads);
  }

  @Override
  public void initialize(Instance instance, DataSegment[] dataSegments) {
    memory.initialize(instance, dataSegments);
  }

  @Override
  public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
    memory.initPassiveSegment(segmentId, dest, offset, size);
  }

  @Override
  public void write(int addr, byte[] data, int offset, int size) {
    memory.write(addr, data, offset, size);
  }

  @Override
  public byte read(int addr) {
    return memory.read(addr);
  }

  @Override
  public byte[] readBytes(int addr, int len) {
    return memory.readBytes(addr, len);
  }

  @Override
  public void writeI32(int addr, int data) {
    memory.writeI32(addr, data);
  }

  @Override
  public int readInt(int addr) {
    return memory.readInt(addr);
  }

  @Override
  public void writeLong(int addr, long data) {
    memory.writeLong(addr, data);
  }

  @Override
  public long readLong(int addr) {
    return memory.readLong(addr);
  }

  @Override
  public void writeShort(int addr, short data) {
    memory.writeShort(addr, data);
  }

  @Override
  public short readShort(int addr) {
    return memory.readShort(addr);
  }

  @Override
  public long readU16(int addr) {
    return memory.readU16(addr);
  }

  @Override
  public void writeByte(int addr, byte data) {
    memory.writeByte(addr, data);
  }

  @Override
  public void writeF32(int addr, float data) {
    memory.writeF32(addr, data);
  }

  @Override
  public long readF32(int addr) {
    return memory.readF32(addr);
  }

  @Override
  public float readFloat(int addr) {
    return memory.readFloat(addr);
  }

  @Override
  public void writeF64(int addr, double data) {
    memory.writeF64(addr, data);
  }

  @Override
  public double readDouble(int addr) {
    return memory.readDouble(addr);
  }

  @Override
  public long readF64(int addr) {
    return memory.readF64(addr);
  }

  @Override
  public void zero() {
    memory.zero();
  }

  @Override
  public void fill(byte value, int fromIndex, int toIndex) {
    memory.fill(value, fromIndex, toIndex);
  }

  @Override
  public void drop(int segment) {
    memory.drop(segment);
  }
}
